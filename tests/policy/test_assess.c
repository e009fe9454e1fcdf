/*
 * Assessing PRs against tests/policy/fixtures/host.policy: the class and its
 * reasons for every rule kind and trust rule, gate verdicts for every state,
 * approval overrides, SLA deadlines, escalation routes, flags, queue order.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/model/queue.h"
#include "gatehouse/policy/codeowners.h"
#include "gatehouse/policy/policy.h"
#include "tap.h"

#define T0 ((time_t)1763000000)	/* a fixed "ready for review" time */
#define HOUR 3600

static char *
fixture_text(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/tests/policy/fixtures/%s", top != NULL ? top : ".", name);
	struct gth_buf b = GTH_BUF_INIT;
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		abort();
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		gth_buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	return gth_buf_take(&b, len);
}

static struct gth_policy *
load_policy(const char *name)
{
	struct gth_policy *p = NULL;
	struct gth_err err;
	size_t len;
	char *text = fixture_text(name, &len);

	if (gth_policy_load_string(text, len, name, &p, &err) < 0) {
		diag("%s: %s", name, err.msg);
		abort();
	}
	free(text);
	return p;
}

static struct gth_policy *
with_repo(const struct gth_policy *host, const char *name)
{
	struct gth_policy *p = NULL;
	struct gth_err err;
	size_t len;
	char *text = fixture_text(name, &len);

	if (gth_policy_add_repo_rules(host, text, len, name, &p, &err) < 0) {
		diag("%s: %s", name, err.msg);
		abort();
	}
	free(text);
	return p;
}

/* A PR with files "a,b" ("old=>new" for a rename), labels "x,y", task type, author. */
static struct gth_pr *
make_pr(const char *files, const char *labels, const char *task, const char *author,
	long lines)
{
	struct gth_pr *pr = gth_pr_new();
	char *copy, *tok, *save = NULL;

	pr->repo = xstrdup("acme/api");
	pr->number = 1;
	pr->author = xstrdup(author != NULL ? author : "someone");
	pr->created_at = T0 - HOUR;
	pr->ready_at = T0;
	pr->additions = lines;
	pr->details_loaded = true;
	pr->files_complete = true;
	copy = xstrdup(files);
	for (save = copy; (tok = strsep(&save, ",")) != NULL;) {
		struct gth_file_change *f;
		char *arrow = strstr(tok, "=>");

		if (*tok == '\0')
			continue;
		f = gth_pr_add_file(pr);
		if (arrow != NULL) {
			*arrow = '\0';
			f->old_path = xstrdup(tok);
			f->path = xstrdup(arrow + 2);
			f->status = xstrdup("renamed");
		} else {
			f->path = xstrdup(tok);
			f->status = xstrdup("modified");
		}
	}
	free(copy);
	pr->changed_files = (long)pr->n_files;
	if (labels != NULL) {
		copy = xstrdup(labels);
		for (save = copy; (tok = strsep(&save, ",")) != NULL;)
			gth_strvec_push(&pr->labels, tok);
		free(copy);
	}
	if (task != NULL) {
		pr->task = xcalloc(1, sizeof(*pr->task));
		pr->task->task_type = xstrdup(task);
	}
	return pr;
}

static bool
has_reason(const struct gth_assessment *a, enum gth_risk r, const char *rule, const char *what)
{
	size_t i;

	for (i = 0; i < a->n_reasons; i++)
		if (a->reasons[i].risk == r && strcmp(a->reasons[i].rule, rule) == 0 &&
		    strcmp(a->reasons[i].what, what) == 0)
			return true;
	return false;
}

static bool
has_flag(const struct gth_assessment *a, const char *needle)
{
	size_t i;

	for (i = 0; i < a->flags.n; i++)
		if (strstr(a->flags.v[i], needle) != NULL)
			return true;
	return false;
}

static void
dump_reasons(const struct gth_assessment *a)
{
	size_t i;

	for (i = 0; i < a->n_reasons; i++)
		diag("  %s: %s (rule %s)", gth_risk_name(a->reasons[i].risk), a->reasons[i].what,
		    a->reasons[i].rule);
}

static void
add_check(struct gth_pr *pr, const char *name, enum gth_gate_state s, bool required)
{
	struct gth_check *c = gth_pr_add_check(pr);

	c->name = xstrdup(name);
	c->state = s;
	c->required = required;
	c->summary = xasprintf("%s is %s", name, gth_gate_state_name(s));
}

static const struct gth_gate_verdict *
gate(const struct gth_assessment *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n_gates; i++)
		if (strcmp(a->gates[i].name, name) == 0)
			return &a->gates[i];
	return NULL;
}

static void
test_classes(const struct gth_policy *host)
{
	/* Every rule kind, and the trust rules that need no repository policy. */
	static const struct {
		const char *name;
		const char *files, *labels, *task, *author;
		long lines;
		enum gth_risk risk;
		const char *rule, *what;
	} cases[] = {
		{ "docs only", "docs/guide.md,docs/api/x.md", NULL, "documentation", NULL, 10,
		  GTH_RISK_LOW, "docs", "docs/guide.md" },
		{ "declared documentation", "README.md", NULL, "documentation", NULL, 3,
		  GTH_RISK_LOW, "docs", "task type documentation" },
		{ "nothing matches", "src/util.c", NULL, NULL, NULL, 3,
		  GTH_RISK_LOW, "default", "no rule matched" },
		{ "auth path", "docs/a.md,src/auth/login.c", NULL, "documentation", NULL, 10,
		  GTH_RISK_HIGH, "auth", "src/auth/login.c" },
		{ "auth at the root", "auth/session.go", NULL, NULL, NULL, 10,
		  GTH_RISK_HIGH, "auth", "auth/session.go" },
		{ "declared security_critical", "src/util.c", NULL, "security_critical", NULL, 10,
		  GTH_RISK_HIGH, "auth", "task type security_critical" },
		{ "label, any case", "src/util.c", "bug,Infra", NULL, NULL, 10,
		  GTH_RISK_HIGH, "infra-label", "label infra" },
		{ "many lines", "src/util.c", NULL, NULL, NULL, 500,
		  GTH_RISK_MEDIUM, "big", "500 lines changed (at least 500)" },
		{ "just under the size threshold", "src/util.c", NULL, NULL, NULL, 499,
		  GTH_RISK_LOW, "default", "no rule matched" },
		{ "many files", "a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11,a12,a13,a14,a15,a16,a17,"
		  "a18,a19,a20,a21,a22,a23,a24,a25,a26,a27,a28,a29,a30", NULL, NULL, NULL, 30,
		  GTH_RISK_MEDIUM, "big", "30 files changed (at least 30)" },
		{ "lockfile", "web/package-lock.json", NULL, NULL, NULL, 10,
		  GTH_RISK_MEDIUM, "deps", "dependency manifest web/package-lock.json" },
		{ "go.sum", "go.sum", NULL, NULL, NULL, 10,
		  GTH_RISK_MEDIUM, "deps", "dependency manifest go.sum" },
		{ "requirements glob", "py/requirements-dev.txt", NULL, NULL, NULL, 1,
		  GTH_RISK_MEDIUM, "deps", "dependency manifest py/requirements-dev.txt" },
		{ "vendored code", "vendor/github.com/x/y.go", NULL, NULL, NULL, 1,
		  GTH_RISK_MEDIUM, "deps", "dependency manifest vendor/github.com/x/y.go" },
		{ "agent identity", "src/util.c", NULL, NULL, "devin-ai-integration[bot]", 1,
		  GTH_RISK_MEDIUM, "agents", "author devin-ai-integration[bot]" },
		{ "agent touching auth: both conditions", "src/auth/a.c", NULL, NULL,
		  "devin-ai-integration[bot]", 1, GTH_RISK_CRITICAL, "agent-auth", "src/auth/a.c" },
		{ "agent touching auth: author reason too", "src/auth/a.c", NULL, NULL,
		  "devin-ai-integration[bot]", 1, GTH_RISK_CRITICAL, "agent-auth",
		  "author devin-ai-integration[bot]" },
		{ "human touching auth: match = all not met", "src/auth/a.c", NULL, NULL, "bob", 1,
		  GTH_RISK_HIGH, "auth", "src/auth/a.c" },
		{ "agent-like name is not the agent", "src/util.c", NULL, NULL,
		  "devin-ai-integrationb", 1, GTH_RISK_LOW, "default", "no rule matched" },
		{ "PR edits CI config", "src/util.c,.github/workflows/ci.yml", NULL,
		  "documentation", NULL, 2, GTH_RISK_CRITICAL, "guardrail-files",
		  "guardrail file .github/workflows/ci.yml" },
		{ "PR edits the repo policy", ".gatehouse/policy", NULL, "documentation", NULL, 2,
		  GTH_RISK_CRITICAL, "guardrail-files", "guardrail file .gatehouse/policy" },
		{ "PR edits CODEOWNERS", "CODEOWNERS", NULL, NULL, NULL, 1,
		  GTH_RISK_CRITICAL, "guardrail-files", "guardrail file CODEOWNERS" },
		{ "PR edits a coverage threshold", "coverage.threshold", NULL, "test_generation",
		  NULL, 1, GTH_RISK_CRITICAL, "guardrail-files",
		  "guardrail file coverage.threshold" },
		{ "PR renames CODEOWNERS away", ".github/CODEOWNERS=>docs/owners.txt", NULL, NULL,
		  NULL, 1, GTH_RISK_CRITICAL, "guardrail-files",
		  "guardrail file .github/CODEOWNERS" },
		{ "built-in guardrail the host forgot", ".gitlab-ci.yml", NULL, NULL, NULL, 1,
		  GTH_RISK_CRITICAL, "builtin-guardrails", "guardrail file .gitlab-ci.yml" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gth_pr *pr = make_pr(cases[i].files, cases[i].labels, cases[i].task,
		    cases[i].author, cases[i].lines);
		struct gth_assessment *a = NULL;

		gth_policy_assess(host, pr, NULL, NULL, "reviewer", T0, &a);
		is_str(gth_risk_name(a->risk), gth_risk_name(cases[i].risk), "%s: class",
		    cases[i].name);
		if (!ok(has_reason(a, cases[i].risk, cases[i].rule, cases[i].what),
		    "%s: reason \"%s\" from rule %s", cases[i].name, cases[i].what, cases[i].rule))
			dump_reasons(a);
		gth_assessment_free(a);
		gth_pr_free(pr);
	}
}

static void
test_repo_trust(const struct gth_policy *host)
{
	struct gth_policy *lower = with_repo(host, "repo-lower.policy");
	struct gth_policy *raise = with_repo(host, "repo-raise.policy");
	struct gth_assessment *a = NULL;
	struct gth_pr *pr;

	/* The repo tried: everything low, auth low, high SLA 1000h, sast always green. */
	pr = make_pr("src/auth/login.c", NULL, NULL, NULL, 5);
	add_check(pr, "unit", GTH_GATE_PASS, false);
	add_check(pr, "always-green", GTH_GATE_PASS, false);
	gth_policy_assess(lower, pr, NULL, NULL, NULL, T0, &a);
	is_str(gth_risk_name(a->risk), "high", "repo policy cannot lower an auth change");
	is_int(a->sla_hours, 8, "repo policy cannot stretch the SLA");
	is_int(a->approvals_needed, 2, "repo policy cannot drop approvals");
	ok(gate(a, "sast") != NULL && gate(a, "sast")->state == GTH_GATE_MISSING,
	    "repo policy cannot redefine a gate: sast is still missing");
	ok(a->gates_block_approval, "and approval is still blocked");
	ok(has_flag(a, "repo policy tried to redefine class high (sla = 1000)"),
	    "assessment carries the repo's attempt as a flag");
	ok(has_flag(a, "repo policy tried to redefine host rule auth"),
	    "assessment flags the attempt to redefine the auth rule");
	gth_assessment_free(a);
	gth_pr_free(pr);

	/* A PR that edits the repo policy to lower itself: critical, whatever else. */
	pr = make_pr(".gatehouse/policy,docs/a.md", NULL, "documentation", NULL, 5);
	gth_policy_assess(lower, pr, NULL, NULL, NULL, T0, &a);
	is_str(gth_risk_name(a->risk), "critical", "PR editing .gatehouse/policy is critical");
	ok(has_reason(a, GTH_RISK_CRITICAL, "guardrail-files", "guardrail file .gatehouse/policy"),
	    "with the policy file as its reason");
	gth_assessment_free(a);
	gth_pr_free(pr);

	/* A repository may raise. */
	pr = make_pr("web/app.js", NULL, NULL, NULL, 5);
	gth_policy_assess(raise, pr, NULL, NULL, NULL, T0, &a);
	is_str(gth_risk_name(a->risk), "high", "repo rule raises web/ changes to high");
	ok(has_reason(a, GTH_RISK_HIGH, "repo:frontend", "web/app.js"),
	    "reason names the repo rule");
	ok(strcmp(a->policy_hash, "") != 0, "assessment carries the policy hash");
	{
		char h[65];

		gth_policy_hash(raise, h);
		is_str(a->policy_hash, h, "hash is the effective (host + repo) policy's");
	}
	gth_assessment_free(a);
	gth_policy_assess(host, pr, NULL, NULL, NULL, T0, &a);
	is_str(gth_risk_name(a->risk), "low", "without the repo rule the same PR is low");
	gth_assessment_free(a);
	gth_pr_free(pr);
	gth_policy_free(lower);
	gth_policy_free(raise);
}

static void
test_gates(const struct gth_policy *host)
{
	/* Class low requires "tests" (= unit or integration*); high adds "sast". */
	static const struct {
		const char *name;
		const char *files;
		const char *checks;	/* name:state[:required], comma separated */
		const char *gate;
		enum gth_gate_state state;
		bool required, blocks;
	} cases[] = {
		{ "tests pass", "src/a.c", "unit:pass", "tests", GTH_GATE_PASS, true, false },
		{ "tests fail", "src/a.c", "unit:fail", "tests", GTH_GATE_FAIL, true, true },
		{ "no test run at all", "src/a.c", "", "tests", GTH_GATE_MISSING, true, true },
		{ "one of two fails", "src/a.c", "unit:pass,integration-db:fail", "tests",
		  GTH_GATE_FAIL, true, true },
		{ "one still running", "src/a.c", "unit:pass,integration-db:pending", "tests",
		  GTH_GATE_PENDING, true, false },
		{ "awaiting approval", "src/a.c", "unit:pass,integration-db:awaiting-approval",
		  "tests", GTH_GATE_AWAITING, true, false },
		{ "skipped", "src/a.c", "unit:skipped", "tests", GTH_GATE_SKIPPED, true, false },
		{ "pass and skipped", "src/a.c", "unit:pass,integration:skipped", "tests",
		  GTH_GATE_PASS, true, false },
		{ "sast missing on high", "src/auth/a.c", "unit:pass", "sast", GTH_GATE_MISSING,
		  true, true },
		{ "sast by glob", "src/auth/a.c", "unit:pass,semgrep-oss:pass,codeql:pass", "sast",
		  GTH_GATE_PASS, true, false },
		{ "sast: codeql fails", "src/auth/a.c", "unit:pass,semgrep-oss:pass,codeql:fail",
		  "sast", GTH_GATE_FAIL, true, true },
		{ "sast not required on low", "src/a.c", "unit:pass,codeql:fail", "sast",
		  GTH_GATE_FAIL, false, false },
		{ "other check, not required", "src/a.c", "unit:pass,docs-build:fail", "docs-build",
		  GTH_GATE_FAIL, false, false },
		{ "branch-required check", "src/a.c", "unit:pass,license/cla:fail:required",
		  "license/cla", GTH_GATE_FAIL, true, true },
		{ "branch-required check never reported", "src/a.c",
		  "unit:pass,ci/build:missing:required", "ci/build", GTH_GATE_MISSING, true, true },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gth_pr *pr = make_pr(cases[i].files, NULL, NULL, NULL, 1);
		struct gth_assessment *a = NULL;
		const struct gth_gate_verdict *g;
		char *copy = xstrdup(cases[i].checks), *tok, *save = NULL;

		for (save = copy; (tok = strsep(&save, ",")) != NULL;) {
			char *st = strchr(tok, ':'), *req;
			enum gth_gate_state s = GTH_GATE_PASS;

			if (st == NULL)
				continue;
			*st++ = '\0';
			req = strchr(st, ':');
			if (req != NULL)
				*req++ = '\0';
			if (gth_gate_state_parse(st, &s) < 0)
				abort();
			add_check(pr, tok, s, req != NULL);
		}
		free(copy);
		gth_policy_assess(host, pr, NULL, NULL, NULL, T0, &a);
		g = gate(a, cases[i].gate);
		if (!ok(g != NULL, "%s: gate %s listed", cases[i].name, cases[i].gate)) {
			gth_assessment_free(a);
			gth_pr_free(pr);
			continue;
		}
		is_str(gth_gate_state_name(g->state), gth_gate_state_name(cases[i].state),
		    "%s: gate %s state", cases[i].name, cases[i].gate);
		is_int(g->required, cases[i].required, "%s: gate %s required", cases[i].name,
		    cases[i].gate);
		is_int(a->gates_block_approval, cases[i].blocks, "%s: approval %s", cases[i].name,
		    cases[i].blocks ? "blocked" : "not blocked");
		if (cases[i].blocks)
			ok(a->gates[0].required && (a->gates[0].state == GTH_GATE_FAIL ||
			    a->gates[0].state == GTH_GATE_MISSING),
			    "%s: a failing or missing required gate is listed first",
			    cases[i].name);
		if (cases[i].state == GTH_GATE_AWAITING)
			ok(has_flag(a, "1 workflow is waiting for approval to run"),
			    "%s: flagged for the reviewer", cases[i].name);
		gth_assessment_free(a);
		gth_pr_free(pr);
	}
}

static void
test_order_of_gates(const struct gth_policy *host)
{
	struct gth_pr *pr = make_pr("src/auth/a.c", NULL, NULL, NULL, 1);
	struct gth_assessment *a = NULL;
	static const char *const want[] = { "tests", "sast", "docs-build", "deploy-preview",
		"lint-extra", "style" };
	size_t i;

	add_check(pr, "style", GTH_GATE_SKIPPED, false);
	add_check(pr, "lint-extra", GTH_GATE_PASS, false);
	add_check(pr, "deploy-preview", GTH_GATE_PENDING, false);
	add_check(pr, "docs-build", GTH_GATE_FAIL, false);
	add_check(pr, "unit", GTH_GATE_FAIL, false);
	gth_policy_assess(host, pr, NULL, NULL, NULL, T0, &a);
	is_int(a->n_gates, 6, "six gates listed");
	for (i = 0; i < a->n_gates && i < 6; i++)
		is_str(a->gates[i].name, want[i], "gate %zu in review order", i);
	gth_assessment_free(a);
	gth_pr_free(pr);
}

static void
test_override(const struct gth_policy *host)
{
	struct gth_pr *pr = make_pr("src/a.c", NULL, NULL, NULL, 1);
	struct gth_assessment *a = NULL;
	struct gth_err err;

	add_check(pr, "unit", GTH_GATE_FAIL, false);
	gth_policy_assess(host, pr, NULL, NULL, NULL, T0, &a);
	is_int(gth_policy_approve_allowed(host, a, NULL, &err), -GTH_E_POLICY,
	    "approve over a failed required gate refused without an override");
	is_str(err.msg, "required gate tests failed: approving needs a typed override of at least "
	    "12 characters saying why", "refusal names the gate and what to type");
	is_int(gth_policy_approve_allowed(host, a, "   flaky    ", &err), -GTH_E_POLICY,
	    "a short override is refused (spaces do not count)");
	is_int(gth_policy_approve_allowed(host, a, "unit flaked on runner #42, see INC-7", &err), 0,
	    "a typed justification allows the approval");
	gth_assessment_free(a);
	gth_pr_free(pr);

	pr = make_pr("src/a.c", NULL, NULL, NULL, 1);
	add_check(pr, "unit", GTH_GATE_PASS, false);
	gth_policy_assess(host, pr, NULL, NULL, NULL, T0, &a);
	is_int(gth_policy_approve_allowed(host, a, NULL, &err), 0,
	    "no override needed when required gates pass");
	gth_assessment_free(a);
	gth_pr_free(pr);
}

static void
test_sla_route_flags(const struct gth_policy *host)
{
	struct gth_codeowners *co = NULL;
	struct gth_assessment *a = NULL;
	struct gth_pr *pr;
	struct gth_err err;
	size_t len;
	char *text = fixture_text("CODEOWNERS", &len);

	gth_codeowners_parse(text, len, &co, NULL, &err);
	free(text);

	pr = make_pr("docs/a.md", NULL, NULL, NULL, 1);
	gth_policy_assess(host, pr, NULL, co, NULL, T0, &a);
	is_int(a->sla_hours, 72, "low SLA hours");
	is_int(a->sla_deadline, T0 + 72 * HOUR, "deadline counts from ready for review");
	ok(!gth_policy_sla_breached(a, T0 + 72 * HOUR), "not breached at the deadline");
	ok(gth_policy_sla_breached(a, T0 + 72 * HOUR + 1), "breached after it");
	ok(gth_strvec_has(&a->escalate_teams, "acme/docs"), "CODEOWNERS team of docs/ routed");
	is_int(a->escalate_users.n, 0, "no user route for a low docs change");
	gth_assessment_free(a);
	pr->ready_at = 0;
	gth_policy_assess(host, pr, NULL, co, NULL, T0, &a);
	is_int(a->sla_deadline, T0 - HOUR + 72 * HOUR, "no ready time: counts from creation");
	gth_assessment_free(a);
	gth_pr_free(pr);

	pr = make_pr("src/auth/login.c,.github/workflows/ci.yml", NULL, NULL, NULL, 1);
	gth_policy_assess(host, pr, NULL, co, NULL, T0, &a);
	is_int(a->sla_deadline, T0 + 4 * HOUR, "critical deadline: 4 hours");
	is_int(a->approvals_needed, 2, "critical needs two approvals");
	ok(gth_strvec_has(&a->escalate_teams, "acme/security"), "class route: security team");
	ok(gth_strvec_has(&a->escalate_users, "alice"), "class route: alice");
	ok(gth_strvec_has(&a->escalate_labels, "needs-security"), "class route: label");
	ok(gth_strvec_has(&a->escalate_teams, "acme/everyone"),
	    "CODEOWNERS owner of the workflow file routed");
	is_int(a->escalate_users.n, 1, "alice routed once, from class and CODEOWNERS");
	gth_assessment_free(a);
	gth_pr_free(pr);

	/* The reviewer who started the agent's task. */
	pr = make_pr("src/a.c", NULL, NULL, "copilot-swe-agent[bot]", 1);
	pr->task_requester = xstrdup("Reviewer");
	gth_policy_assess(host, pr, NULL, NULL, "reviewer", T0, &a);
	ok(has_flag(a, "you started this agent's task (copilot-swe-agent[bot]): your approval "
	    "may not count"), "requester reviewing an agent PR is flagged");
	gth_assessment_free(a);
	gth_policy_assess(host, pr, NULL, NULL, "someone-else", T0, &a);
	ok(!has_flag(a, "your approval may not count"), "another reviewer is not flagged");
	gth_assessment_free(a);
	gth_pr_free(pr);
	pr = make_pr("src/a.c", NULL, NULL, "human-dev", 1);
	pr->task_requester = xstrdup("reviewer");
	gth_policy_assess(host, pr, NULL, NULL, "reviewer", T0, &a);
	ok(has_flag(a, "you requested this change: your approval may not count"),
	    "requester reviewing a non-agent PR is flagged too");
	gth_assessment_free(a);
	gth_pr_free(pr);

	/* Unknown files must not quietly pass as low. */
	pr = make_pr("", NULL, NULL, NULL, 1);
	pr->changed_files = 3;
	gth_policy_assess(host, pr, NULL, NULL, NULL, T0, &a);
	ok(has_flag(a, "changed files not loaded"), "missing file list flagged");
	gth_assessment_free(a);
	gth_pr_free(pr);
	pr = make_pr("src/a.c", NULL, NULL, NULL, 1);
	pr->files_complete = false;
	pr->changed_files = 3001;
	gth_policy_assess(host, pr, NULL, NULL, NULL, T0, &a);
	ok(has_flag(a, "the forge listed 1 of 3001 changed files"), "capped file list flagged");
	gth_assessment_free(a);
	gth_pr_free(pr);
	gth_codeowners_free(co);
}

static void
test_diff_input(const struct gth_policy *host)
{
	struct gth_pr *pr = make_pr("", NULL, NULL, NULL, 0);
	struct gth_diff *d = gth_diff_new();
	struct gth_diff_file *f = gth_diff_add_file(d);
	struct gth_assessment *a = NULL;

	/* The git diff, when given, is what the rules see (here: a rename out of the CI dir). */
	f->old_path = xstrdup(".github/workflows/release.yml");
	f->new_path = xstrdup("scripts/release.yml");
	f->status = GTH_DIFF_RENAMED;
	f->additions = 0;
	d->additions = 0;
	gth_policy_assess(host, pr, d, NULL, NULL, T0, &a);
	is_str(gth_risk_name(a->risk), "critical",
	    "diff input: renaming a workflow away is critical");
	ok(!has_flag(a, "changed files not loaded"), "diff input counts as a loaded file list");
	gth_assessment_free(a);
	gth_diff_free(d);
	gth_pr_free(pr);
}

static void
test_queue_order(const struct gth_policy *host)
{
	/* name, files (decides the class), ready hours before T0 */
	static const struct {
		const char *name, *files;
		long ready_hours_ago;
	} items[] = {
		{ "A-low-old", "src/a.c", 10 },
		{ "B-critical-new", "CODEOWNERS", 1 },
		{ "C-low-breached", "src/c.c", 100 },
		{ "D-medium", "go.sum", 2 },
		{ "E-high-breached", "src/auth/e.c", 9 },
		{ "F-low-older", "src/f.c", 20 },
	};
	static const char *const want[] = { "E-high-breached", "C-low-breached", "B-critical-new",
		"D-medium", "F-low-older", "A-low-old" };
	struct gth_queue q;
	size_t i;

	gth_queue_init(&q);
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		struct gth_pr *pr = make_pr(items[i].files, NULL, NULL, NULL, 1);
		struct gth_queue_item *it;

		free(pr->title);
		pr->title = xstrdup(items[i].name);
		pr->number = (long)i + 1;
		pr->ready_at = T0 - items[i].ready_hours_ago * HOUR;
		it = gth_queue_put(&q, pr);
		gth_policy_assess(host, it->pr, NULL, NULL, NULL, T0, &it->assess);
	}
	gth_policy_sort_queue(&q, T0);
	for (i = 0; i < q.n; i++)
		is_str(q.items[i].pr->title, want[i], "queue position %zu", i);
	gth_queue_release(&q);
}

static void
test_default_policy(void)
{
	/* The shipped default follows the task-type taxonomy, guardrails first. */
	static const struct {
		const char *files, *task;
		enum gth_risk risk;
	} cases[] = {
		{ "docs/a.md", "documentation", GTH_RISK_LOW },
		{ "tests/a_test.go", "test_generation", GTH_RISK_LOW },
		{ "src/a.c", "bug_fix_isolated", GTH_RISK_MEDIUM },
		{ "src/a.c", "boilerplate", GTH_RISK_MEDIUM },
		{ "src/a.c", "dependency_update", GTH_RISK_MEDIUM },
		{ "src/a.c", "performance", GTH_RISK_MEDIUM },
		{ "src/a.c", "cross_module_refactor", GTH_RISK_HIGH },
		{ "src/a.c", "distributed_system", GTH_RISK_HIGH },
		{ "src/a.c", "security_critical", GTH_RISK_CRITICAL },
		{ "src/a.c", "infra_ci", GTH_RISK_CRITICAL },
		{ "src/a.c", "data_migration", GTH_RISK_CRITICAL },
		{ "docs/a.md,.github/workflows/ci.yml", "documentation", GTH_RISK_CRITICAL },
		{ "tests/a_test.go,.gatehouse/policy", "test_generation", GTH_RISK_CRITICAL },
		{ "package.json", NULL, GTH_RISK_MEDIUM },
		{ "services/api/auth/token.go", NULL, GTH_RISK_HIGH },
		{ "db/migrations/0042_users.sql", NULL, GTH_RISK_CRITICAL },
		{ "infra/main.tf", NULL, GTH_RISK_HIGH },
		{ "README.md", NULL, GTH_RISK_LOW },
	};
	struct gth_policy *p = NULL;
	struct gth_err err;
	size_t i;

	if (gth_policy_load_string(gth_policy_default_text, strlen(gth_policy_default_text),
	    "default", &p, &err) < 0) {
		ok(0, "default policy loads: %s", err.msg);
		return;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gth_pr *pr = make_pr(cases[i].files, NULL, cases[i].task, NULL, 10);
		struct gth_assessment *a = NULL;

		gth_policy_assess(p, pr, NULL, NULL, NULL, T0, &a);
		if (!is_str(gth_risk_name(a->risk), gth_risk_name(cases[i].risk),
		    "default policy: %s%s%s", cases[i].files, cases[i].task != NULL ? " as " : "",
		    cases[i].task != NULL ? cases[i].task : ""))
			dump_reasons(a);
		gth_assessment_free(a);
		gth_pr_free(pr);
	}
	gth_policy_free(p);
}

int
main(void)
{
	struct gth_policy *host = load_policy("host.policy");

	test_classes(host);
	test_repo_trust(host);
	test_gates(host);
	test_order_of_gates(host);
	test_override(host);
	test_sla_route_flags(host);
	test_diff_input(host);
	test_queue_order(host);
	test_default_policy();
	gth_policy_free(host);
	return done_testing();
}
