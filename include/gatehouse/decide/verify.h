/*
 * `gatehouse verify`: check the decisions found in review bodies (REPO#N,
 * fetched by app/) or in a file, against an allowed_signers file.
 *
 * For each decision: its id and verdict, who signed it (principals and key
 * fingerprint), whether the signature is good and the signer allowed, and
 * whether the record matches the review that carries it (verdict <-> review
 * state, head <-> review commit, repo and number).  A FIDO (sk-) signature
 * without the user-presence flag is not accepted: ssh-keygen -Y verify does
 * not check it, we do.  Reviews with no
 * decision tail are skipped; a tail that does not parse is reported.
 */
#ifndef GATEHOUSE_DECIDE_VERIFY_H
#define GATEHOUSE_DECIDE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gatehouse/base/err.h"
#include "gatehouse/model/decision.h"
#include "gatehouse/model/pr.h"
#include "gatehouse/sign/allowed.h"

struct gth_decision_check {
	long long review_id;	/* 0 for a file */
	char *author;		/* review author, NULL for a file */
	struct gth_decision *d;	/* NULL when the record did not decode */
	char *principals;	/* allowed_signers principals of the signer, or NULL */
	char fp[GTH_SSHKEY_FP_MAX];	/* signer key fingerprint, "" if unknown */
	bool signature_ok;	/* crypto good and the signer allowed */
	bool key_matches_record;	/* signer fingerprint equals the record's key */
	bool matches_review;	/* verdict, commit, repo, number agree (true for files) */
	char *problem;		/* first thing wrong, or NULL when all is well */
};

struct gth_verify_report {
	struct gth_decision_check *v;
	size_t n, cap;
};

void gth_verify_report_release(struct gth_verify_report *rep);

/*
 * Check every review of PR repo#number.  when is the verification time for
 * valid-after/valid-before (usually time(NULL)).
 */
void gth_verify_reviews(const struct gth_review *reviews, size_t n, const char *repo,
	long number, const struct gth_allowed *allowed, time_t when,
	struct gth_verify_report *rep);

/*
 * Check a file's text: a saved review body, or an outbox entry.
 * -GTH_E_NOTFOUND when it holds no decision.
 */
int gth_verify_text(const char *text, size_t len, const struct gth_allowed *allowed,
	time_t when, struct gth_verify_report *rep, struct gth_err *err);

/* True when every check in rep is good (and there is at least one). */
bool gth_verify_report_ok(const struct gth_verify_report *rep);

#endif
