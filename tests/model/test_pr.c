/* PR model: deep copies are independent; queue put replaces by identity. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/model/assess.h"
#include "gatehouse/model/queue.h"
#include "tap.h"

static struct gth_pr *
make_pr(const char *repo, long number, const char *title)
{
	struct gth_pr *pr = gth_pr_new();
	struct gth_check *c;

	pr->forge = xstrdup("github");
	pr->repo = xstrdup(repo);
	pr->number = number;
	pr->title = xstrdup(title);
	gth_strvec_push(&pr->labels, "needs-checkpoint");
	c = gth_pr_add_check(pr);
	c->name = xstrdup("ci/test");
	c->state = GTH_GATE_FAIL;
	gth_check_add_annotation(c)->path = xstrdup("src/a.c");
	return pr;
}

int
main(void)
{
	struct gth_queue q;
	struct gth_pr *pr = make_pr("acme/api", 7, "Fix login"), *copy;
	struct gth_assessment *a;
	size_t counts[GTH_GATE__COUNT];
	enum gth_gate_state st;
	enum gth_risk risk;
	char *ref;

	copy = gth_pr_dup(pr);
	gth_pr_free(pr);
	is_str(copy->title, "Fix login", "a copy outlives its original");
	is_str(copy->checks[0].annotations[0].path, "src/a.c", "annotations are copied");
	ref = gth_pr_ref(copy);
	is_str(ref, "acme/api#7", "PR reference reads owner/repo#N");
	free(ref);

	gth_queue_init(&q);
	gth_queue_put(&q, copy);
	gth_queue_put(&q, make_pr("acme/web", 7, "Docs"));
	gth_queue_put(&q, make_pr("acme/api", 7, "Fix login, again"));
	is_int(q.n, 2, "putting the same PR twice replaces it");
	is_str(gth_queue_find(&q, "github", "acme/api", 7)->pr->title, "Fix login, again",
	    "the newest copy wins");
	ok(gth_queue_find(&q, NULL, "acme/api", 8) == NULL, "an absent PR is not found");
	gth_queue_release(&q);

	a = gth_assessment_new();
	gth_assessment_add_reason(a, GTH_RISK_MEDIUM, "size", "600 lines");
	gth_assessment_add_reason(a, GTH_RISK_CRITICAL, "guardrail-files", ".github/workflows/ci.yml");
	gth_assessment_add_reason(a, GTH_RISK_HIGH, "auth-paths", "src/auth/login.c");
	is_str(gth_risk_name(a->risk), "critical", "the class is the maximum over reasons");
	gth_assessment_add_gate(a, "tests")->state = GTH_GATE_FAIL;
	gth_assessment_add_gate(a, "sast")->state = GTH_GATE_MISSING;
	gth_assessment_add_gate(a, "lint")->state = GTH_GATE_FAIL;
	gth_assessment_gate_counts(a, counts);
	ok(counts[GTH_GATE_FAIL] == 2 && counts[GTH_GATE_MISSING] == 1 && counts[GTH_GATE_PASS] == 0,
	    "gate counts by state");
	{
		struct gth_assessment *c = gth_assessment_dup(a);

		memcpy(a->policy_hash, "ab", 3);
		gth_assessment_free(a);
		a = NULL;
		ok(c->risk == GTH_RISK_CRITICAL && c->n_reasons == 3 && c->n_gates == 3,
		    "a copy keeps class, reasons and gates");
		is_str(c->reasons[1].what, ".github/workflows/ci.yml",
		    "a copy's reasons outlive the original");
		gth_assessment_free(c);
	}

	ok(gth_gate_state_parse("awaiting-approval", &st) == 0 && st == GTH_GATE_AWAITING,
	    "gate state names round-trip");
	ok(gth_risk_parse("severe", &risk) != 0, "unknown risk names are refused");
	return done_testing();
}
