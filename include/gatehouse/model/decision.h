/*
 * A reviewer's decision on one pull request, as it is signed, queued in the
 * outbox and posted: plain data, no I/O.  decide/record.h turns it into the
 * canonical JSON record (DESIGN.md §7) and back.
 *
 * Strings are owned, NUL-terminated copies, NULL when absent.  Text that came
 * from an agent (reason, risk reasons) is sanitized by the record encoder,
 * not here.
 */
#ifndef GATEHOUSE_MODEL_DECISION_H
#define GATEHOUSE_MODEL_DECISION_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/str.h"
#include "gatehouse/model/verdict.h"

/* Record format version written by this build; decoders refuse others. */
#define GTH_DECISION_VERSION 1

/* Length of a decision id (ULID, Crockford base32) without the NUL. */
#define GTH_DECISION_ID_LEN 26

/* enum gth_verdict and its names: model/verdict.h. */

struct gth_decision {
	int v;			/* record version (GTH_DECISION_VERSION) */
	char id[GTH_DECISION_ID_LEN + 1];	/* ULID, made once before signing */
	char *forge;		/* forge host, e.g. "github.com" */
	char *repo;		/* "owner/name" */
	long number;		/* PR number / MR iid */
	char *head;		/* head commit SHA the reviewer read */
	char *base;		/* base commit SHA */
	enum gth_verdict verdict;
	char *reason;		/* the reviewer's words; may hold newlines */
	char *risk;		/* risk class name ("high") */
	struct gth_strvec risk_reasons;	/* "critical: path (rule)" lines */
	char *gates;		/* gate summary, e.g. "tests:pass sast:missing" */
	char *override;		/* typed override of failed/missing gates; NULL if none */
	char *policy;		/* sha256 hex of the effective policy */
	char *reviewer;		/* the reviewer's forge login */
	char *key;		/* signing key fingerprint, "SHA256:..." */
	char *at;		/* RFC 3339 UTC, "2026-01-02T03:04:05Z" */
	struct gth_strvec escalate_to;	/* users, "org/team" teams, "label:x" labels */
};

/* A zeroed decision with v = GTH_DECISION_VERSION.  Free with gth_decision_free. */
struct gth_decision *gth_decision_new(void);
/* Free d and everything it owns; d may be NULL. */
void gth_decision_free(struct gth_decision *d);
/* Deep copy; never NULL. */
struct gth_decision *gth_decision_dup(const struct gth_decision *d);

#endif
