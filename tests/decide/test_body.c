/* Review bodies: composition, strict parsing, forged markers; verify against allowed_signers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/body.h"
#include "gatehouse/decide/record.h"
#include "gatehouse/decide/verify.h"
#include "tap.h"

static struct fx_key key, other;

static void
test_compose_parse(void)
{
	char *record, *armored, *body = NULL, *rec = NULL, *arm = NULL, *id = NULL, *crlf;
	size_t rlen, i, k;
	struct gth_err err = { 0 };
	struct gth_decision *d = fx_decision(&key, GTH_VERDICT_APPROVE, 7, &record, &rlen,
		&armored);

	ok(gth_review_body_compose(d, record, armored, &body, &err) == 0, "body composed");
	ok(strncmp(body, d->reason, strlen(d->reason)) == 0, "the reason comes first");
	ok(strstr(body, "<details><summary>gatehouse checkpoint record</summary>") != NULL,
	   "record in a collapsed block");
	ok(strstr(body, "<!-- gatehouse-decision id=") != NULL, "machine marker present");
	ok(gth_review_body_parse(body, strlen(body), &rec, &arm, &id, &err) == 0, "body parses");
	is_str(rec, record, "record read back byte for byte");
	is_str(arm, armored, "signature read back");
	is_str(id, d->id, "id read from the marker");
	free(rec);
	free(arm);
	free(id);

	/* Web edits store CRLF. */
	crlf = xmalloc(2 * strlen(body) + 1);
	for (i = k = 0; body[i] != '\0'; i++) {
		if (body[i] == '\n')
			crlf[k++] = '\r';
		crlf[k++] = body[i];
	}
	crlf[k] = '\0';
	ok(gth_review_body_parse(crlf, k, &rec, &arm, &id, &err) == 0 && strcmp(rec, record) == 0,
	   "CRLF body parses to the same record");
	free(rec);
	free(arm);
	free(id);
	free(crlf);

	ok(gth_review_body_parse("LGTM", 4, &rec, &arm, &id, &err) == -GTH_E_NOTFOUND,
	   "plain review: no decision");
	{
		char *fake = xasprintf("%s\nsome text after", body);

		ok(gth_review_body_parse(fake, strlen(fake), &rec, &arm, &id, &err) ==
		   -GTH_E_NOTFOUND, "marker not on the last line: not a decision");
		free(fake);
		fake = xasprintf("Nice.\n<!-- gatehouse-decision id=%s -->\n", d->id);
		ok(gth_review_body_parse(fake, strlen(fake), &rec, &arm, &id, &err) == -GTH_E_PARSE,
		   "a bare marker (no record block) is refused");
		free(fake);
	}
	free(body);
	free(record);
	free(armored);
	gth_decision_free(d);

	d = fx_decision(&key, GTH_VERDICT_REJECT, 8, &record, &rlen, &armored);
	free(d->reason);
	d->reason = xstrdup("No. <!-- hides the rest & \x1b[2J clears");
	ok(gth_review_body_compose(d, record, armored, &body, &err) == 0 &&
	   strncmp(body, "No. &lt;!-- hides the rest &amp; ^[[2J clears\n", 46) == 0,
	   "markup and escapes in the reason are inert on the forge");
	ok(gth_review_body_parse(body, strlen(body), &rec, &arm, &id, &err) == 0 &&
	   strcmp(rec, record) == 0, "and the record still parses");
	free(rec);
	free(arm);
	free(id);
	free(body);
	free(record);
	free(armored);
	gth_decision_free(d);
}

static void
review(struct gth_review *r, const char *author, char *body, const char *commit,
	const char *state)
{
	memset(r, 0, sizeof(*r));
	r->author = xstrdup(author);
	r->body = body;
	r->commit = xstrdup(commit);
	r->state = xstrdup(state);
}

static void
test_verify(void)
{
	char *record, *armored, *body, *line, *allowed_text, *copy;
	size_t rlen;
	struct gth_err err = { 0 };
	struct gth_decision *d = fx_decision(&key, GTH_VERDICT_REJECT, 9, &record, &rlen,
		&armored);
	struct gth_allowed *al;
	struct gth_verify_report rep = { 0 };
	struct gth_review rv[4];
	char *forged_sig;

	line = fx_allowed_line(&key, "alice@example.com");
	allowed_text = xasprintf("%s", line);
	al = gth_allowed_parse(allowed_text, strlen(allowed_text), "allowed");
	gth_review_body_compose(d, record, armored, &body, &err);
	review(&rv[0], "gatehouse-bot", xstrdup(body), d->head, "CHANGES_REQUESTED");
	review(&rv[1], "gatehouse-bot", xstrdup(body), d->head, "APPROVED");
	/* Same record, signed by a key not in allowed_signers. */
	forged_sig = fx_sign(&other, record, rlen);
	gth_review_body_compose(d, record, forged_sig, &copy, &err);
	review(&rv[2], "agent-bot", copy, d->head, "CHANGES_REQUESTED");
	review(&rv[3], "agent-bot", xstrdup("LGTM"), d->head, "COMMENTED");
	gth_verify_reviews(rv, 4, "example/widget", 9, al, time(NULL), &rep);
	is_int(rep.n, 3, "three reviews carry a decision; the plain one is skipped");
	if (rep.n == 3) {
		ok(rep.v[0].signature_ok && rep.v[0].matches_review && rep.v[0].problem == NULL,
		   "the real review verifies and matches");
		is_str(rep.v[0].principals, "alice@example.com", "signer principal reported");
		is_str(rep.v[0].fp, key.fp, "signer key reported");
		ok(rep.v[1].signature_ok && !rep.v[1].matches_review,
		   "a review whose state differs from the verdict is flagged");
		ok(!rep.v[2].signature_ok && rep.v[2].problem != NULL,
		   "a record signed by an unknown key fails (%s)", rep.v[2].problem);
	}
	ok(!gth_verify_report_ok(&rep), "report as a whole is not clean");
	gth_verify_report_release(&rep);
	ok(gth_verify_text(body, strlen(body), al, time(NULL), &rep, &err) == 0 &&
	   gth_verify_report_ok(&rep), "verify FILE: a saved review body verifies");
	gth_verify_report_release(&rep);
	{
		char *tampered = xstrdup(body), *p = strstr(tampered, "\"verdict\":\"reject\"");

		memcpy(p, "\"verdict\":\"rejekt\"", 18);
		ok(gth_verify_text(tampered, strlen(tampered), al, time(NULL), &rep, &err) == 0 &&
		   !gth_verify_report_ok(&rep), "verify FILE: an edited record fails");
		gth_verify_report_release(&rep);
		free(tampered);
	}
	for (size_t i = 0; i < 4; i++) {
		free(rv[i].author);
		free(rv[i].body);
		free(rv[i].commit);
		free(rv[i].state);
	}
	gth_allowed_free(al);
	free(forged_sig);
	free(line);
	free(allowed_text);
	free(body);
	free(record);
	free(armored);
	gth_decision_free(d);
}

/* A FIDO signature counts only with the user-presence flag. */
static void
test_sk_presence(void)
{
	struct gth_err err = { 0 };
	unsigned flags;

	for (flags = 0; flags <= 1; flags++) {
		struct gth_verify_report rep = { 0 };
		struct gth_allowed *al;
		char fp[GTH_SSHKEY_FP_MAX], *allowed = NULL, *record, *armored, *body;
		size_t rlen;
		struct gth_decision *tmp = fx_decision(&key, GTH_VERDICT_APPROVE, 11, &record,
			&rlen, &armored);

		free(record);
		free(armored);
		/* The record must name the sk key: sign once to learn its fingerprint. */
		free(fx_sign_sk(&key, "x", 1, flags, fp, &allowed));
		free(allowed);
		free(tmp->key);
		tmp->key = xstrdup(fp);
		gth_record_encode(tmp, &record, &rlen, &err);
		armored = fx_sign_sk(&key, record, rlen, flags, fp, &allowed);
		al = gth_allowed_parse(allowed, strlen(allowed), "allowed");
		gth_review_body_compose(tmp, record, armored, &body, &err);
		gth_verify_text(body, strlen(body), al, time(NULL), &rep, &err);
		if (flags == 0)
			ok(!gth_verify_report_ok(&rep) && rep.n == 1 && rep.v[0].problem != NULL &&
			   strstr(rep.v[0].problem, "user presence") != NULL,
			   "FIDO signature without a touch is not accepted");
		else
			ok(gth_verify_report_ok(&rep), "FIDO signature with a touch verifies (%s)",
			   rep.n ? (rep.v[0].problem ? rep.v[0].problem : "ok") : "none");
		gth_verify_report_release(&rep);
		gth_allowed_free(al);
		gth_decision_free(tmp);
		free(allowed);
		free(record);
		free(armored);
		free(body);
	}
}

int
main(void)
{
	fx_key_init(&key);
	fx_key_init(&other);
	test_compose_parse();
	test_verify();
	test_sk_presence();
	fx_key_release(&key);
	fx_key_release(&other);
	return done_testing();
}
