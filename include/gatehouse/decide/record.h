/*
 * The decision record: canonical JSON of a struct gth_decision, the exact
 * bytes that are signed (DESIGN.md §7).
 *
 * Canonical means: keys sorted (byte order), compact (no spaces), UTF-8 not
 * escaped, integers as integers, no floats, no trailing newline.  Every
 * string goes through gth_sanitize_str() first, so a record never carries a
 * control, bidi or invisible character (the reason keeps its newlines).
 *
 *	{"at":"2026-01-02T03:04:05Z","base":"<sha>","escalate_to":["org/team"],
 *	 "forge":"github.com","gates":{"override":"...","summary":"tests:pass"},
 *	 "head":"<sha>","id":"01J...","number":42,"policy":"<sha256 hex>",
 *	 "reason":"...","repo":"owner/name","reviewer":{"key":"SHA256:...",
 *	 "login":"alice"},"risk":{"class":"high","reasons":["..."]},"v":1,
 *	 "verdict":"approve"}
 *
 * (one line; "override" only when there is one).
 */
#ifndef GATEHOUSE_DECIDE_RECORD_H
#define GATEHOUSE_DECIDE_RECORD_H

#include <stddef.h>
#include <time.h>

#include "gatehouse/base/err.h"
#include "gatehouse/model/decision.h"

/* Cap on a record (the reason dominates). */
#define GTH_RECORD_MAX (64 * 1024)

/*
 * Encode d.  *json is newly allocated (NUL-terminated, *len bytes, no
 * trailing newline).  -GTH_E_INVAL with a message when a required field is
 * missing or malformed (id, forge, repo, number > 0, head, base, reason,
 * reviewer, key, at, policy).
 */
int gth_record_encode(const struct gth_decision *d, char **json, size_t *len,
	struct gth_err *err);

/*
 * Decode a record strictly: version must be GTH_DECISION_VERSION, duplicate
 * or unknown keys are refused, types must match, and the input must be
 * exactly the canonical encoding of what it decodes to.  *out is new (free
 * with gth_decision_free).
 */
int gth_record_decode(const char *json, size_t len, struct gth_decision **out,
	struct gth_err *err);

/* A new ULID (time + 80 random bits from getrandom) into out. */
int gth_decision_new_id(char out[GTH_DECISION_ID_LEN + 1]);
/* Is s a well-formed ULID (26 Crockford base32 characters, upper case)? */
int gth_decision_id_valid(const char *s);

/*
 * Refuse a decision on a PR whose head moved: forge_head is the head the
 * forge reports now (app/ fetches it just before recording).  0 when it is
 * still d->head; -GTH_E_STALE with "the head moved from X to Y since you
 * opened the pull request" otherwise (the UI then shows what changed).
 */
int gth_decision_check_head(const struct gth_decision *d, const char *forge_head,
	struct gth_err *err);

/* Set d->at to t as RFC 3339 UTC ("2026-01-02T03:04:05Z"). */
void gth_decision_set_time(struct gth_decision *d, time_t t);

#endif
