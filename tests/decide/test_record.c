/* The canonical decision record: golden bytes, sanitizing, strict decoding. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/record.h"
#include "tap.h"

static struct gth_decision *
sample(void)
{
	struct gth_decision *d = gth_decision_new();

	memcpy(d->id, "01JGZ5V4N2M8Q3R6T9W0X1Y2Z3", GTH_DECISION_ID_LEN + 1);
	d->forge = xstrdup("github.com");
	d->repo = xstrdup("example/widget");
	d->number = 42;
	d->head = xstrdup("2222222222222222222222222222222222222222");
	d->base = xstrdup("1111111111111111111111111111111111111111");
	d->verdict = GTH_VERDICT_ESCALATE;
	d->reason = xstrdup("Touches auth.\nNeeds security review: \"token\" handling.");
	d->risk = xstrdup("critical");
	gth_strvec_push(&d->risk_reasons, "critical: .github/workflows/ci.yml (guardrail-files)");
	d->gates = xstrdup("tests:pass sast:missing");
	d->override = xstrdup("sast is down today");
	d->policy = xstrdup("00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff");
	d->reviewer = xstrdup("alice");
	d->key = xstrdup("SHA256:rb9va+vFu5tnKeB+Ual3UQcR1qbZiwOy7cntIEqaKqo");
	gth_decision_set_time(d, 1767322800);
	gth_strvec_push(&d->escalate_to, "example/security");
	gth_strvec_push(&d->escalate_to, "bob");
	return d;
}

static const char golden[] =
	"{\"at\":\"2026-01-02T03:00:00Z\",\"base\":\"1111111111111111111111111111111111111111\","
	"\"escalate_to\":[\"example/security\",\"bob\"],\"forge\":\"github.com\","
	"\"gates\":{\"override\":\"sast is down today\",\"summary\":\"tests:pass sast:missing\"},"
	"\"head\":\"2222222222222222222222222222222222222222\","
	"\"id\":\"01JGZ5V4N2M8Q3R6T9W0X1Y2Z3\","
	"\"number\":42,"
	"\"policy\":\"00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff\","
	"\"reason\":\"Touches auth.\\nNeeds security review: \\\"token\\\" handling.\","
	"\"repo\":\"example/widget\","
	"\"reviewer\":{\"key\":\"SHA256:rb9va+vFu5tnKeB+Ual3UQcR1qbZiwOy7cntIEqaKqo\","
	"\"login\":\"alice\"},\"risk\":{\"class\":\"critical\",\"reasons\":[\"critical: "
	".github/workflows/ci.yml (guardrail-files)\"]},\"v\":1,\"verdict\":\"escalate\"}";

static void
test_golden(void)
{
	struct gth_decision *d = sample(), *back = NULL;
	struct gth_err err = { 0 };
	char *json = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	ok(gth_record_encode(d, &json, &len, &err) == 0, "record encodes");
	is_str(json, golden, "canonical bytes: sorted keys, compact, no trailing newline");
	is_int(len, strlen(golden), "length reported");
	ok(gth_record_decode(json, len, &back, &err) == 0, "record decodes");
	if (back != NULL) {
		is_str(back->reason, d->reason, "reason round-trips");
		is_str(back->override, "sast is down today", "override round-trips");
		is_int(back->escalate_to.n, 2, "escalation targets round-trip");
		is_int(back->verdict, GTH_VERDICT_ESCALATE, "verdict round-trips");
		ok(gth_record_encode(back, &again, &len2, &err) == 0 && strcmp(again, json) == 0,
		   "re-encoding the decoded record gives the same bytes");
	}
	free(d->override);
	d->override = NULL;
	free(json);
	gth_record_encode(d, &json, &len, &err);
	ok(strstr(json, "\"gates\":{\"summary\"") != NULL && strstr(json, "override") == NULL,
	   "no override: the key is absent");
	free(json);
	free(again);
	gth_decision_free(back);
	gth_decision_free(d);
}

static void
test_sanitize(void)
{
	struct gth_decision *d = sample();
	struct gth_err err = { 0 };
	char *json = NULL;
	size_t len;

	free(d->reason);
	d->reason = xstrdup("ok\x1b[31m \xe2\x80\xae" "evil\r\nline2 caf\xc3\xa9");
	ok(gth_record_encode(d, &json, &len, &err) == 0, "hostile reason encodes");
	ok(json != NULL && strstr(json, "\x1b") == NULL && strstr(json, "\xe2\x80\xae") == NULL,
	   "ESC and RLO never reach the record");
	ok(json != NULL && strstr(json, "[U+202E]") != NULL, "bidi control shown as a token");
	ok(json != NULL && strstr(json, "caf\xc3\xa9") != NULL, "UTF-8 kept unescaped");
	ok(json != NULL && strstr(json, "\\nline2") != NULL, "newlines kept in the reason");
	free(json);
	gth_decision_free(d);
}

static void
test_strict(void)
{
	struct gth_decision *d = NULL;
	struct gth_err err = { 0 };
	char *bad;
	const char *p;

	bad = xstrdup(golden);
	memcpy(strstr(bad, "\"v\":1"), "\"v\":2", 5);
	ok(gth_record_decode(bad, strlen(bad), &d, &err) == -GTH_E_UNSUPPORTED,
	   "unknown version refused");
	free(bad);
	bad = xasprintf("{\"id\":\"x\",%s", golden + 1);
	ok(gth_record_decode(bad, strlen(bad), &d, &err) < 0 && strstr(err.msg, "duplicate"),
	   "duplicate keys refused (%s)", err.msg);
	free(bad);
	bad = xasprintf("{\"extra\":1,%s", golden + 1);
	ok(gth_record_decode(bad, strlen(bad), &d, &err) < 0, "unknown key refused");
	free(bad);
	bad = xasprintf("%s\n", golden);
	ok(gth_record_decode(bad, strlen(bad), &d, &err) < 0 &&
	   strstr(err.msg, "canonical") != NULL, "trailing newline: not canonical");
	free(bad);
	p = strstr(golden, "\"number\":42");
	bad = xasprintf("%.*s\"number\":42.0%s", (int)(p - golden), golden, p + 11);
	ok(gth_record_decode(bad, strlen(bad), &d, &err) < 0, "float number refused");
	free(bad);
	bad = xstrdup(golden);
	*strstr(bad, ",\"base\"") = ' ';
	ok(gth_record_decode(bad, strlen(bad), &d, &err) < 0, "non-compact input refused");
	free(bad);
	ok(d == NULL, "nothing handed out on failure");
}

static void
test_ids(void)
{
	char a[GTH_DECISION_ID_LEN + 1], b[GTH_DECISION_ID_LEN + 1];
	struct gth_decision *d = sample();
	struct gth_err err = { 0 };
	char *json = NULL;
	size_t len;

	ok(gth_decision_new_id(a) == 0 && gth_decision_new_id(b) == 0, "ids made");
	ok(gth_decision_id_valid(a) && gth_decision_id_valid(b), "ids are ULIDs");
	ok(strcmp(a, b) != 0, "two ids differ");
	ok(memcmp(a, b, 6) <= 0, "ids sort by time");
	ok(!gth_decision_id_valid("01JGZ5V4N2M8Q3R6T9W0X1Y2ZU"), "U is not Crockford base32");
	ok(!gth_decision_id_valid("81JGZ5V4N2M8Q3R6T9W0X1Y2Z3"), "overflowing ULID refused");
	d->id[0] = '\0';
	ok(gth_record_encode(d, &json, &len, &err) == -GTH_E_INVAL, "no id: not encoded");
	gth_decision_new_id(d->id);
	free(d->head);
	d->head = NULL;
	ok(gth_record_encode(d, &json, &len, &err) == -GTH_E_INVAL && strstr(err.msg, "head"),
	   "missing head named");
	d->head = xstrdup("2222222222222222222222222222222222222222");
	ok(gth_decision_check_head(d, "3333333333333333333333333333333333333333", &err) ==
	   -GTH_E_STALE && strstr(err.msg, "moved") != NULL, "a moved head refuses the decision");
	ok(gth_decision_check_head(d, "2222222222222222222222222222222222222222", &err) == 0,
	   "an unmoved head is fine");
	gth_decision_free(d);
}

int
main(void)
{
	test_golden();
	test_sanitize();
	test_strict();
	test_ids();
	return done_testing();
}
