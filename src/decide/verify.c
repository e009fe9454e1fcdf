/* Verification of posted decisions for `gatehouse verify`. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/body.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/decide/record.h"
#include "gatehouse/decide/verify.h"
#include "gatehouse/sign/sshsig.h"

void
gth_verify_report_release(struct gth_verify_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		free(rep->v[i].author);
		gth_decision_free(rep->v[i].d);
		free(rep->v[i].principals);
		free(rep->v[i].problem);
	}
	free(rep->v);
	memset(rep, 0, sizeof(*rep));
}

static void
problem(struct gth_decision_check *c, const char *what)
{
	if (c->problem == NULL)
		c->problem = xstrdup(what);
}

/* Record + signature checks shared by reviews and files. */
static void
check_signed(struct gth_decision_check *c, const char *record, const char *armored,
	const char *marker_id, const struct gth_allowed *allowed, time_t when)
{
	struct gth_err err = { 0 };
	struct gth_sshsig *sig = NULL;
	int r;

	if ((r = gth_record_decode(record, strlen(record), &c->d, &err)) != 0) {
		problem(c, gth_err_text(&err, r));
		return;
	}
	if (marker_id != NULL && strcmp(marker_id, c->d->id) != 0)
		problem(c, "the marker's id differs from the record's");
	r = gth_allowed_verify(allowed, armored, strlen(armored), record, strlen(record),
		GTH_SSHSIG_NAMESPACE, NULL, when, &c->principals, c->fp, &err);
	c->signature_ok = r == 0;
	if (r != 0)
		problem(c, gth_err_text(&err, r));
	if (gth_sshsig_parse(armored, strlen(armored), &sig, NULL) == 0) {
		struct gth_sshkey_sigdetail det;

		c->key_matches_record = c->d->key != NULL && strcmp(sig->fp, c->d->key) == 0;
		/* ssh-keygen does not enforce the touch; a FIDO key's whole point is it. */
		if (c->signature_ok && gth_sshsig_verify(sig, GTH_SSHSIG_NAMESPACE, record,
		    strlen(record), &det, NULL) == 0 && det.is_sk && !(det.sk_flags & 0x01)) {
			c->signature_ok = false;
			problem(c, "FIDO signature made without user presence (no touch)");
		}
		gth_sshsig_free(sig);
	}
	if (!c->key_matches_record)
		problem(c, "signed with a key other than the one the record names");
}

void
gth_verify_reviews(const struct gth_review *reviews, size_t n, const char *repo,
	long number, const struct gth_allowed *allowed, time_t when,
	struct gth_verify_report *rep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct gth_review *rv = &reviews[i];
		struct gth_decision_check *c;
		char *rec = NULL, *arm = NULL, *id = NULL;
		struct gth_err err = { 0 };
		int r;

		if (rv->body == NULL)
			continue;
		r = gth_review_body_parse(rv->body, strlen(rv->body), &rec, &arm, &id, &err);
		if (r == -GTH_E_NOTFOUND)
			continue;
		c = &GTH_PUSH(rep->v, rep->n, rep->cap);
		memset(c, 0, sizeof(*c));
		c->review_id = rv->id;
		c->author = rv->author != NULL ? xstrdup(rv->author) : NULL;
		if (r != 0) {
			problem(c, gth_err_text(&err, r));
			continue;
		}
		check_signed(c, rec, arm, id, allowed, when);
		if (c->d != NULL) {
			const char *want = gth_verdict_review_state(c->d->verdict);

			c->matches_review = rv->state != NULL && strcmp(rv->state, want) == 0 &&
				rv->commit != NULL && c->d->head != NULL &&
				strcmp(rv->commit, c->d->head) == 0 &&
				(repo == NULL || strcmp(repo, c->d->repo) == 0) &&
				(number <= 0 || number == c->d->number);
			if (!c->matches_review)
				problem(c, "the record does not match the review "
					"(verdict, commit or PR)");
		}
		free(rec);
		free(arm);
		free(id);
	}
}

int
gth_verify_text(const char *text, size_t len, const struct gth_allowed *allowed,
	time_t when, struct gth_verify_report *rep, struct gth_err *err)
{
	struct gth_outbox_entry e;
	struct gth_decision_check *c;
	char *rec = NULL, *arm = NULL, *id = NULL;

	if (gth_review_body_parse(text, len, &rec, &arm, &id, NULL) != 0) {
		if (gth_outbox_entry_parse(text, len, &e, NULL) != 0)
			return gth_err_set(err, -GTH_E_NOTFOUND,
				"no gatehouse decision in this file");
		rec = e.record;
		arm = e.armored;
		id = xstrdup(e.id);
	}
	c = &GTH_PUSH(rep->v, rep->n, rep->cap);
	memset(c, 0, sizeof(*c));
	check_signed(c, rec, arm, id, allowed, when);
	c->matches_review = true;
	free(rec);
	free(arm);
	free(id);
	return 0;
}

bool
gth_verify_report_ok(const struct gth_verify_report *rep)
{
	size_t i;

	if (rep->n == 0)
		return false;
	for (i = 0; i < rep->n; i++)
		if (rep->v[i].problem != NULL)
			return false;
	return true;
}
