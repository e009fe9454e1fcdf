/*
 * Golden screen tests: the views driven by key scripts, with no terminal.
 *
 * A queue of PRs with assessments and diffs is built in memory (hostile
 * strings come from tests/fixtures/hostile/), keys go through gth_ui_key
 * exactly as the app feeds them, a small stand-in for the app answers the
 * commands, and each screen is rendered at 80x24 or 160x48 and compared with
 * tests/ui/golden/<name>.txt.  GTH_UPDATE_GOLDEN=1 rewrites the files (read
 * every one before committing: it is what the reviewer sees).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/cfg.h"
#include "gatehouse/model/diff.h"
#include "gatehouse/model/queue.h"
#include "gatehouse/ui/ui.h"
#include "tap.h"

#define NOW ((time_t)1767268800)	/* 2026-01-01 12:00:00 UTC */
#define HOUR 3600

static const char *top;
static struct gth_queue queue;
static struct gth_diff *diffs[8];
static struct gth_cmd last_cmd;
static int n_cmds;

static time_t
fixed_now(void *arg)
{
	(void)arg;
	return NOW;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct gth_buf b = GTH_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		gth_buf_add(&b, chunk, n);
	fclose(f);
	return gth_buf_take(&b, len);
}

static char *
hostile(const char *name)
{
	char path[4096];
	char *s;

	snprintf(path, sizeof(path), "%s/tests/fixtures/hostile/%s", top, name);
	s = slurp(path, NULL);
	if (s == NULL) {
		diag("missing fixture %s", path);
		s = xstrdup("(missing fixture)");
	}
	return s;
}

/* --- fixtures ------------------------------------------------------------ */

static struct gth_pr *
mkpr(const char *repo, long number, const char *author, const char *title, time_t ready)
{
	struct gth_pr *pr = gth_pr_new();

	pr->forge = xstrdup("github");
	pr->repo = xstrdup(repo);
	pr->number = number;
	pr->author = xstrdup(author);
	pr->author_is_bot = true;
	pr->title = xstrdup(title);
	pr->url = xasprintf("https://github.com/%s/pull/%ld", repo, number);
	pr->head_sha = xasprintf("%040ld", number * 1111111);
	pr->base_ref = xstrdup("main");
	pr->head_ref = xasprintf("agent/task-%ld", number);
	pr->created_at = ready - HOUR;
	pr->ready_at = ready;
	return pr;
}

static struct gth_check *
check(struct gth_pr *pr, const char *name, enum gth_gate_state st, bool required,
	const char *summary)
{
	struct gth_check *c = gth_pr_add_check(pr);

	c->name = xstrdup(name);
	c->state = st;
	c->required = required;
	c->summary = summary != NULL ? xstrdup(summary) : NULL;
	return c;
}

static void
annotate(struct gth_check *c, const char *path, long line, enum gth_annotation_level lvl,
	const char *title, const char *msg)
{
	struct gth_annotation *a = gth_check_add_annotation(c);

	a->path = xstrdup(path);
	a->start_line = a->end_line = line;
	a->level = lvl;
	a->title = xstrdup(title);
	a->message = xstrdup(msg);
	c->annotations_count++;
}

static struct gth_assessment *
assess(struct gth_queue_item *it, enum gth_risk r, long sla_hours, long sla_left_hours)
{
	struct gth_assessment *a = gth_assessment_new();

	a->risk = r;
	a->sla_hours = sla_hours;
	a->sla_deadline = NOW + sla_left_hours * HOUR;
	a->approvals_needed = 1;
	it->assess = a;
	return a;
}

static void
gate(struct gth_assessment *a, const char *name, enum gth_gate_state st, bool required,
	const char *summary, long annotations)
{
	struct gth_gate_verdict *g = gth_assessment_add_gate(a, name);

	g->state = st;
	g->required = required;
	g->summary = summary != NULL ? xstrdup(summary) : NULL;
	g->annotations = annotations;
	if (required && (st == GTH_GATE_FAIL || st == GTH_GATE_MISSING))
		a->gates_block_approval = true;
}

static void
file(struct gth_diff *d, const char *path, enum gth_diff_status st, const char *patch)
{
	struct gth_diff_file *f = gth_diff_add_file(d);

	f->new_path = xstrdup(path);
	f->old_path = xstrdup(path);
	f->status = st;
	if (patch != NULL)
		gth_diff_parse_patch(d, f, patch, strlen(patch));
}

static const char ci_patch[] =
	"@@ -10,6 +10,7 @@ jobs:\n"
	"   test:\n"
	"     runs-on: ubuntu-latest\n"
	"     steps:\n"
	"-      - run: make check\n"
	"+      - run: make check || true\n"
	"+      - run: echo skipped\n"
	"       - uses: actions/upload-artifact@v4\n"
	"         with:\n";

static const char session_patch[] =
	"@@ -40,8 +40,9 @@ session_check(struct session *s)\n"
	" {\n"
	" \tif (s == NULL)\n"
	" \t\treturn -1;\n"
	"-\tif (s->expires < now())\n"
	"+\tif (s->expires + grace < now())\n"
	" \t\treturn -1;\n"
	"+\t/* grace period for clock skew */\n"
	" \treturn s->user != NULL ? 0 : -1;\n"
	" }\n"
	"@@ -120,4 +121,4 @@ session_free(struct session *s)\n"
	" {\n"
	"-\tfree(s->token);\n"
	"+\tfreezero(s->token, s->token_len);\n"
	" \tfree(s);\n"
	" }\n";

static const char readme_patch[] =
	"@@ -0,0 +1,3 @@\n"
	"+# Sessions\n"
	"+\n"
	"+Sessions now tolerate 30 s of clock skew.\n";

static const char body42[] =
	"## Summary\n"
	"Adds a grace period to session expiry checks.\n"
	"\n"
	"## Changes\n"
	"- `src/auth/session.c`: compare against `expires + grace`\n"
	"- CI: make the flaky check non-fatal for now\n"
	"\n"
	"## Test plan\n"
	"```\n"
	"make check\n"
	"```\n"
	"Fixes #12\n";

static void
build_queue(void)
{
	struct gth_pr *pr;
	struct gth_queue_item *it;
	struct gth_assessment *a;
	struct gth_check *c;
	struct gth_diff *d;
	char *s1, *s2, *s3, *s4;

	gth_queue_init(&queue);

	/* 0: critical, SLA breached, required gates failing and missing. */
	pr = mkpr("acme/api", 42, "copilot-swe-agent", "Add session grace period and relax CI",
		NOW - 30 * HOUR);
	pr->body = xstrdup(body42);
	gth_strvec_push(&pr->commit_messages, "Add session grace period\n\nCompare against expires + grace.");
	gth_strvec_push(&pr->commit_messages, "ci: make the flaky check non-fatal");
	pr->additions = 7;
	pr->deletions = 3;
	pr->changed_files = 3;
	gth_strvec_push(&pr->labels, "agent");
	c = check(pr, "ci/test", GTH_GATE_FAIL, true, "2 tests failed");
	annotate(c, "src/auth/session.c", 44, GTH_ANNOTATION_FAILURE, "test_session_expiry",
		"expected -1, got 0\nat session_test.c:88");
	annotate(c, "src/auth/other.c", 7, GTH_ANNOTATION_WARNING, "unused", "not in the diff");
	check(pr, "lint", GTH_GATE_PASS, false, NULL);
	it = gth_queue_put(&queue, pr);
	a = assess(it, GTH_RISK_CRITICAL, 4, -2);
	gth_assessment_add_reason(a, GTH_RISK_CRITICAL, "guardrail-files", ".github/workflows/ci.yml");
	gth_assessment_add_reason(a, GTH_RISK_HIGH, "auth-paths", "src/auth/session.c");
	gate(a, "ci/test", GTH_GATE_FAIL, true, "2 tests failed", 2);
	gate(a, "sast", GTH_GATE_MISSING, true, NULL, 0);
	gate(a, "lint", GTH_GATE_PASS, false, NULL, 0);
	gth_strvec_push(&a->escalate_teams, "acme/security");
	gth_strvec_push(&a->escalate_labels, "needs-security");
	d = gth_diff_new();
	file(d, ".github/workflows/ci.yml", GTH_DIFF_MODIFIED, ci_patch);
	file(d, "src/auth/session.c", GTH_DIFF_MODIFIED, session_patch);
	file(d, "docs/sessions.md", GTH_DIFF_ADDED, readme_patch);
	gth_diff_compute_stats(d);	/* as the git layer does: per directory, for the Risk panel */
	diffs[0] = d;

	/* 1: low risk, all green: the quick-triage case. */
	pr = mkpr("acme/web", 7, "devin-ai", "Fix typo in onboarding copy", NOW - 5 * HOUR);
	pr->body = xstrdup("Fixes a typo.");
	check(pr, "ci/test", GTH_GATE_PASS, true, NULL);
	check(pr, "lint", GTH_GATE_PASS, false, NULL);
	it = gth_queue_put(&queue, pr);
	a = assess(it, GTH_RISK_LOW, 72, 60);
	gth_assessment_add_reason(a, GTH_RISK_LOW, "docs-only", "docs/**");
	gate(a, "ci/test", GTH_GATE_PASS, true, NULL, 0);
	d = gth_diff_new();
	file(d, "docs/onboarding.md", GTH_DIFF_MODIFIED,
		"@@ -1,2 +1,2 @@\n-Welcom to Acme\r\n+Welcome to Acme\r\n \n");
	diffs[1] = d;

	/* 2: high risk with hostile text everywhere. */
	s1 = hostile("esc-osc0-title");
	s2 = hostile("bidi-commenting-out");
	s3 = hostile("homoglyph-paypal");
	s4 = hostile("invisible-zwnj-wj-bom");
	pr = mkpr("acme/pay", 3, "sweep-bot", "", NOW - 8 * HOUR);
	free(pr->title);
	pr->title = xasprintf("%sBump payment SDK", s1);
	pr->body = xasprintf("## Why\n%s\n%s\nuser: %s\n", s3, s2, s4);
	check(pr, "ci/test", GTH_GATE_PENDING, true, NULL);
	it = gth_queue_put(&queue, pr);
	a = assess(it, GTH_RISK_HIGH, 24, 16);
	gth_assessment_add_reason(a, GTH_RISK_HIGH, "dependency-manifests", "package.json");
	gate(a, "ci/test", GTH_GATE_PENDING, true, NULL, 0);
	d = gth_diff_new();
	{
		char *patch = xasprintf("@@ -1,3 +1,3 @@\n {\n-  \"sdk\": \"1.2.0\"\n+  \"sdk\": \"1.3.0\" %s\n }\n",
			s2);

		file(d, "package.json", GTH_DIFF_MODIFIED, patch);
		free(patch);
	}
	diffs[2] = d;
	free(s1);
	free(s2);
	free(s3);
	free(s4);

	/* 3: medium, pending. */
	pr = mkpr("acme/infra", 19, "copilot-swe-agent", "Tune autoscaler thresholds",
		NOW - 50 * HOUR);
	check(pr, "plan", GTH_GATE_AWAITING, true, "waiting for approval");
	it = gth_queue_put(&queue, pr);
	a = assess(it, GTH_RISK_MEDIUM, 24, 10);
	gate(a, "plan", GTH_GATE_AWAITING, true, "waiting for approval", 0);
	diffs[3] = NULL;

	/* 4: not assessed yet. */
	pr = mkpr("acme/api", 51, "codex", "Refactor request logging", NOW - 2 * HOUR);
	check(pr, "ci/test", GTH_GATE_PENDING, false, NULL);
	gth_queue_put(&queue, pr);
	diffs[4] = NULL;
}

static struct gth_diff *
diff_for(const struct gth_queue_item *it)
{
	for (size_t i = 0; i < queue.n; i++)
		if (&queue.items[i] == it)
			return diffs[i];
	return NULL;
}

/* --- driving ------------------------------------------------------------- */

/* The app's part, as far as the views need it. */
static void
answer(struct gth_ui *ui, struct gth_cmd *cmd)
{
	n_cmds++;
	if (cmd->kind == GTH_CMD_OPEN_PR)
		gth_ui_set_pr(ui, cmd->item, diff_for(cmd->item));
	gth_cmd_release(&last_cmd);
	last_cmd = *cmd;
	memset(cmd, 0, sizeof(*cmd));
}

/* Feed a key script: characters, or <Name> as in the keymap. */
static void
keys(struct gth_ui *ui, const char *script)
{
	const char *p = script;

	while (*p != '\0') {
		struct gth_cmd cmd;
		int key = 0;
		const char *e = *p == '<' ? strchr(p, '>') : NULL;

		if (e != NULL && e > p + 1) {
			char name[32];

			snprintf(name, sizeof(name), "%.*s", (int)(e - p + 1), p);
			if (gth_key_parse(name, &key) < 0) {
				diag("bad key %s in script", name);
				exit(99);
			}
			p = e + 1;
		} else {
			key = (unsigned char)*p++;
		}
		if (gth_ui_key(ui, key, &cmd))
			answer(ui, &cmd);
		gth_cmd_release(&cmd);
	}
}

static char *
render(struct gth_ui *ui, int rows, int cols, bool styled)
{
	struct gth_screen *scr = gth_screen_new(rows, cols);
	struct gth_buf b = GTH_BUF_INIT;
	struct gth_cmd cmd;

	gth_ui_resize(ui, rows, cols);
	gth_ui_render(ui, scr);
	/* Hunks the view asks for after drawing: our diffs are loaded already. */
	while (gth_ui_poll(ui, &cmd))
		answer(ui, &cmd);
	gth_screen_dump(scr, &b, styled);
	gth_screen_free(scr);
	return gth_buf_take(&b, NULL);
}

static void
golden(struct gth_ui *ui, const char *name, int rows, int cols)
{
	char path[4096];
	char *got = render(ui, rows, cols, false), *want;
	const char *update = getenv("GTH_UPDATE_GOLDEN");

	snprintf(path, sizeof(path), "%s/tests/ui/golden/%s.txt", top, name);
	if (update != NULL && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "wb");

		ok(f != NULL && fwrite(got, 1, strlen(got), f) == strlen(got) && fclose(f) == 0,
			"%s: golden file rewritten", name);
		free(got);
		return;
	}
	want = slurp(path, NULL);
	if (!ok(want != NULL && strcmp(got, want) == 0, "%s: screen matches %s", name, path)) {
		diag("---- got ----\n%s---- want ----\n%s", got, want != NULL ? want : "(no file)");
	}
	free(want);
	free(got);
}

static bool
screen_has(struct gth_ui *ui, int rows, int cols, const char *needle)
{
	char *s = render(ui, rows, cols, false);
	bool r = strstr(s, needle) != NULL;

	if (!r)
		diag("screen without \"%s\":\n%s", needle, s);
	free(s);
	return r;
}

/* The row the diff cursor marker is on contains needle. */
static bool
cursor_at(struct gth_ui *ui, int rows, int cols, const char *needle)
{
	char *s = render(ui, rows, cols, false), *line = s;
	bool r = false;

	while (line != NULL && *line != '\0') {
		char *nl = strchr(line, '\n');

		if (nl != NULL)
			*nl = '\0';
		if (strncmp(line, "\xe2\x96\xb6", 3) == 0 || line[0] == '>')
			r = strstr(line, needle) != NULL;
		line = nl != NULL ? nl + 1 : NULL;
	}
	if (!r)
		diag("cursor row without \"%s\"", needle);
	free(s);
	return r;
}

/* The role of the first cell of the first place needle is drawn, or -1. */
static int
role_of(struct gth_ui *ui, int rows, int cols, const char *needle)
{
	struct gth_screen *scr = gth_screen_new(rows, cols);
	int role = -1;

	gth_ui_resize(ui, rows, cols);
	gth_ui_render(ui, scr);
	for (int y = 0; y < rows && role < 0; y++) {
		for (int x = 0; x < cols && role < 0; x++) {
			size_t off = 0;
			int cx = x;

			while (needle[off] != '\0' && cx < cols) {
				const struct gth_cell *c = gth_screen_cell_const(scr, y, cx++);

				if (c->width == 0)
					continue;
				if (strncmp(needle + off, c->ch, c->len) != 0)
					break;
				off += c->len;
			}
			if (needle[off] == '\0')
				role = gth_screen_cell_const(scr, y, x)->role;
		}
	}
	gth_screen_free(scr);
	if (role < 0)
		diag("\"%s\" is not on the screen", needle);
	return role;
}

static bool
screen_has_quiet(struct gth_ui *ui, int rows, int cols, const char *needle)
{
	char *s = render(ui, rows, cols, false);
	bool r = strstr(s, needle) != NULL;

	free(s);
	return r;
}

static struct gth_ui_template templates[] = {
	{ "lgtm", GTH_VERDICT_APPROVE, "Read the diff; gates green; matches the rationale." },
	{ "docs", GTH_VERDICT_APPROVE, "Docs-only change, checked the rendered text." },
	{ "scope", GTH_VERDICT_REJECT, "Changes outside the task's scope; split the PR." },
	{ "security", GTH_VERDICT_ESCALATE, "Touches auth: needs the security team." },
};

static void
set_status(struct gth_ui *ui)
{
	struct gth_ui_status st;

	memset(&st, 0, sizeof(st));
	st.rate_remaining = 4812;
	st.rate_limit = 5000;
	st.outbox_pending = 1;
	st.sync = GTH_SYNC_OK;
	st.synced_at = NOW - 120;
	st.login = "alice";
	gth_ui_set_status(ui, &st);
}

static struct gth_ui *
new_ui_tabs(const struct gth_keymap *km, bool ascii, bool tabs)
{
	struct gth_ui_options o;
	struct gth_ui *ui;

	memset(&o, 0, sizeof(o));
	o.keymap = km;
	o.templates = templates;
	o.n_templates = sizeof(templates) / sizeof(templates[0]);
	o.ascii = ascii;
	o.tabs = tabs;
	o.now = fixed_now;
	ui = gth_ui_new(&o);
	gth_ui_set_queue(ui, &queue);
	set_status(ui);
	return ui;
}

static struct gth_ui *
new_ui(const struct gth_keymap *km, bool ascii)
{
	return new_ui_tabs(km, ascii, false);
}

/* --- tests --------------------------------------------------------------- */

static void
test_queue(void)
{
	struct gth_ui *ui = new_ui(NULL, false);

	golden(ui, "queue-80x24", 24, 80);
	golden(ui, "queue-160x48", 48, 160);
	keys(ui, "j");
	ok(screen_has(ui, 24, 80, "[queue] 2/5"), "j moves to the second PR");
	/* With PRs from two forges, each row says which forge it is on. */
	{
		char *was = queue.items[1].pr->forge;

		ok(!screen_has_quiet(ui, 24, 80, "corp-gitea:"), "one forge: no forge names in rows");
		queue.items[1].pr->forge = xstrdup("corp-gitea");
		gth_ui_set_queue(ui, &queue);
		ok(screen_has(ui, 24, 80, "corp-gi:acme/web#7"),
		    "two forges at 80 columns: the forge, cut short, then repo#number whole");
		ok(screen_has(ui, 24, 120, "corp-gitea:acme/web#7"),
		    "at 120 columns the forge and repo#number are both whole");
		free(queue.items[1].pr->forge);
		queue.items[1].pr->forge = was;
		gth_ui_set_queue(ui, &queue);
	}
	/* A refresh with the same PRs in another order keeps the cursor on its PR. */
	{
		struct gth_queue_item tmp = queue.items[0];

		queue.items[0] = queue.items[1];
		queue.items[1] = tmp;
		gth_ui_set_queue(ui, &queue);
		ok(screen_has(ui, 24, 80, "[queue] 2/5"), "a refresh keeps the cursor on its PR");
		queue.items[1] = queue.items[0];
		queue.items[0] = tmp;
		gth_ui_set_queue(ui, &queue);
	}
	{
		struct gth_ui_status st;

		memset(&st, 0, sizeof(st));
		st.rate_remaining = 120;
		st.rate_limit = 5000;
		st.rate_reset = NOW + 14 * 60;
		st.outbox_pending = 3;
		st.outbox_dead = 1;
		st.sync = GTH_SYNC_FAILED;
		st.sync_detail = "HTTP 502";
		gth_ui_set_status(ui, &st);
		ok(screen_has(ui, 48, 160, "sync failed: HTTP 502 │ rate 120/5000 (resets in 14m) │ "
			"outbox 3 (1 dead)"), "the status bar shows sync, rate budget and outbox");
		ok(screen_has(ui, 24, 80, "sync failed │ 120/5000 (14m) │ outbox 3 (1 dead)"),
			"in short words at 80 columns");
		set_status(ui);
	}
	keys(ui, "F");
	ok(screen_has(ui, 24, 80, "4 of 5 PRs"), "F hides low risk");
	keys(ui, "FF");
	golden(ui, "queue-filter-critical", 24, 80);
	keys(ui, "c:filter agent=copilot<Enter>");
	ok(screen_has(ui, 24, 80, "2 of 5 PRs"), ":filter agent= keeps that agent's PRs");
	keys(ui, "c:filter gate=pending<Enter>");
	ok(screen_has(ui, 24, 80, "3 of 5 PRs"), "gate=pending keeps pending and awaiting PRs");
	keys(ui, "c/autoscaler<Enter>");
	ok(screen_has(ui, 24, 80, "[queue] 3/5"), "/ finds a PR by title");
	keys(ui, "G");
	ok(screen_has(ui, 24, 80, "[queue] 5/5"), "G goes to the last PR");
	keys(ui, ":open acme/web#7<Enter>");
	is_int(last_cmd.kind, GTH_CMD_OPEN_PR, ":open opens a PR by reference");
	is_str(last_cmd.item->pr->repo, "acme/web", "the one named");
	ok(screen_has(ui, 24, 80, "Welcome to Acme^M"), "a CRLF line ending is shown");
	is_int(role_of(ui, 24, 80, "^M"), GTH_ROLE_TOKEN_CONTROL, "as a control token");
	keys(ui, "q:open acme/nope#1<Enter>");
	ok(screen_has(ui, 24, 80, "acme/nope#1 is not in the queue"), "an unknown PR is reported");
	gth_ui_free(ui);
}

static void
test_tabs_option(void)
{
	struct gth_ui *ui = new_ui_tabs(NULL, false, true);

	keys(ui, "<Enter>");
	ok(screen_has(ui, 48, 160, "1 Diff  2 Files(3)") && !screen_has(ui, 48, 160, "3 Risk ─"),
		"ui.tabs opens PRs with the panels as tabs at 160 columns");
	keys(ui, "z");
	ok(screen_has(ui, 48, 160, "3 Risk ─"), "and z puts them beside the diff");
	gth_ui_free(ui);
}

static void
test_pr_view(void)
{
	struct gth_ui *ui = new_ui(NULL, false);

	keys(ui, "<Enter>");
	is_int(last_cmd.kind, GTH_CMD_OPEN_PR, "Enter asks the app to open the PR");
	golden(ui, "pr-160x48", 48, 160);
	keys(ui, "z");
	golden(ui, "pr-160x48-tabs", 48, 160);
	ok(!screen_has(ui, 48, 160, "3 Risk ─"), "z takes the panels from beside the diff");
	keys(ui, "3");
	ok(screen_has(ui, 48, 160, "needs 1 approval"), "and shows each as a tab, full width");
	keys(ui, "1z");
	ok(screen_has(ui, 48, 160, "3 Risk ─"), "z again puts them back beside the diff");
	keys(ui, "1");
	golden(ui, "pr-80x24-diff", 24, 80);
	keys(ui, "z");
	ok(screen_has(ui, 24, 80, "panels are tabs below 140 columns"),
		"below 140 columns z says why it does nothing");
	keys(ui, "2");
	golden(ui, "pr-80x24-files", 24, 80);
	keys(ui, "3");
	golden(ui, "pr-80x24-risk", 24, 80);
	keys(ui, "4");
	golden(ui, "pr-80x24-gates", 24, 80);
	keys(ui, "5");
	golden(ui, "pr-80x24-rationale", 24, 80);
	keys(ui, "G");
	ok(screen_has(ui, 24, 80, "Compare against expires + grace."),
		"the rationale scrolls to the commit messages");
	ok(screen_has(ui, 24, 80, "ci: make the flaky check non-fatal"), "all of them");
	keys(ui, "g");
	ok(screen_has(ui, 24, 80, "## Summary"), "and back to the top");
	keys(ui, "1}");
	ok(screen_has(ui, 24, 80, "file 2/3"), "} jumps to the next file");
	is_int(role_of(ui, 24, 80, "grace < now"), GTH_ROLE_INTRALINE_ADD,
		"the words added to a changed line are highlighted");
	is_int(role_of(ui, 24, 80, "if (s->expires + grace"), GTH_ROLE_DIFF_ADD,
		"the rest of the line keeps the addition colour");
	keys(ui, "]");
	ok(cursor_at(ui, 24, 80, "@@ -40,8 +40,9 @@"), "] jumps to the hunk");
	keys(ui, ">");
	golden(ui, "pr-80x24-annotation", 24, 80);
	keys(ui, "]");
	ok(cursor_at(ui, 24, 80, "@@ -120,4 +121,4 @@"), "] jumps to the second hunk");
	keys(ui, "v");
	is_int(last_cmd.kind, GTH_CMD_MARK_VIEWED, "v marks the file viewed");
	is_str(last_cmd.text, "src/auth/session.c", "the app learns which file");
	keys(ui, "gu");
	ok(screen_has(ui, 24, 80, "file 3/3"), "u skips the viewed file");
	keys(ui, "u");
	ok(screen_has(ui, 24, 80, "file 1/3"), "and wraps around to the first unviewed one");
	keys(ui, "U");
	ok(screen_has(ui, 24, 80, "file 3/3"), "U goes back to the previous unviewed one");
	keys(ui, "u");
	keys(ui, "W");
	is_int(last_cmd.kind, GTH_CMD_TOGGLE_WHITESPACE, "W asks for a whitespace-blind diff");
	keys(ui, "Y");
	is_int(last_cmd.kind, GTH_CMD_COPY, "Y copies");
	is_str(last_cmd.text, "0000000000000000000000000000000046666662", "the head SHA");
	keys(ui, "/freezero<Enter>");
	ok(cursor_at(ui, 24, 80, " 122 +        freezero("), "/ finds text in the diff");
	keys(ui, "q");
	is_int(last_cmd.kind, GTH_CMD_CLOSE_PR, "q closes the PR view");
	is_str(gth_ui_view_name(ui), "queue", "back in the queue");
	gth_ui_free(ui);
}

/* Opening a PR whose diff is still being fetched: a loading state and a progress bar. */
static void
test_loading(void)
{
	struct gth_ui *ui = new_ui(NULL, false);
	struct gth_cmd cmd;

	gth_ui_set_pr(ui, &queue.items[3], NULL);
	gth_ui_set_progress(ui, "fetching acme/infra", 45, 100);
	golden(ui, "pr-loading-80x24", 24, 80);
	ok(screen_has(ui, 24, 80, "Loading the diff..."), "the diff pane says it is loading");
	ok(gth_ui_key(ui, '}', &cmd) == 0 && screen_has(ui, 24, 80, "still loading"),
		"diff keys answer at once while it loads");
	keys(ui, "4");
	ok(screen_has(ui, 24, 80, "awaiting-approval plan"), "the gates are readable meanwhile");
	gth_ui_set_progress(ui, NULL, 0, 0);
	ok(!screen_has_quiet(ui, 24, 80, "fetching"), "the bar goes when the fetch ends");
	gth_ui_free(ui);
}

/*
 * The app reloads the open PR (W, a refresh) by handing the view a new copy
 * with no diff yet, and frees the old one: annotations the view had placed
 * outside the diff must not outlive it.
 */
static void
test_reload(void)
{
	struct gth_ui *ui = new_ui(NULL, false);
	struct gth_queue_item a = { gth_pr_dup(queue.items[0].pr),
		gth_assessment_dup(queue.items[0].assess) };
	struct gth_queue_item b = { gth_pr_dup(queue.items[0].pr),
		gth_assessment_dup(queue.items[0].assess) };

	gth_ui_set_pr(ui, &a, diffs[0]);
	keys(ui, "4");
	ok(screen_has(ui, 48, 160, "not in the diff"), "an annotation outside the diff is listed");
	free(b.pr->checks[0].annotations[1].message);
	b.pr->checks[0].annotations[1].message = xstrdup("still not in the diff");
	gth_ui_set_pr(ui, &b, NULL);
	gth_pr_free(a.pr);
	gth_assessment_free(a.assess);
	ok(!screen_has_quiet(ui, 48, 160, "annotations outside the diff"),
		"reloading: none listed from the freed copy");
	gth_ui_set_pr(ui, &b, diffs[0]);
	ok(screen_has(ui, 48, 160, "still not in the diff"), "the new copy's once its diff is back");
	gth_ui_free(ui);
	gth_pr_free(b.pr);
	gth_assessment_free(b.assess);
}

static void
test_resize(void)
{
	struct gth_ui *ui = new_ui(NULL, false);

	keys(ui, "<Enter>}]jjjjj");
	ok(cursor_at(ui, 48, 160, "43 +        if (s->expires + grace"), "at line 43 at 160 columns");
	ok(cursor_at(ui, 24, 80, "43 +        if (s->expires + grace"),
		"still at line 43 after shrinking to 80x24");
	golden(ui, "pr-resize-80x24", 24, 80);
	gth_ui_free(ui);
}

static void
test_prompt(void)
{
	struct gth_ui *ui = new_ui(NULL, false);

	/* The critical PR: required gates failing, so approval needs an override. */
	keys(ui, "a");
	is_str(gth_ui_view_name(ui), "prompt", "a opens the decision prompt from the queue");
	golden(ui, "prompt-approve-override", 24, 80);
	golden(ui, "prompt-approve-override-160x48", 48, 160);
	keys(ui, "1<Enter>");
	ok(screen_has(ui, 24, 80, "type why you approve anyway"),
		"confirming without an override asks for one");
	keys(ui, "flaky test, rerun passed locally<Esc><Enter>");
	golden(ui, "prompt-confirm", 24, 80);
	n_cmds = 0;
	keys(ui, "y");
	is_int(last_cmd.kind, GTH_CMD_SUBMIT_DECISION, "y submits");
	is_int(last_cmd.verdict, GTH_VERDICT_APPROVE, "an approval");
	is_str(last_cmd.reason, templates[0].text, "with the template's reason");
	is_str(last_cmd.override, "flaky test, rerun passed locally", "and the typed override");
	is_str(last_cmd.item->pr->repo, "acme/api", "for the PR under the cursor");

	/* Quick triage: a green low-risk PR in 4 keys plus confirmation. */
	keys(ui, "Gk");
	n_cmds = 0;
	keys(ui, "a1<Enter>");
	is_str(gth_ui_view_name(ui), "prompt", "still asking for confirmation after a 1 <Enter>");
	keys(ui, "<Enter>");
	is_int(last_cmd.kind, GTH_CMD_SUBMIT_DECISION, "a 1 <Enter> <Enter> approves");
	is_str(last_cmd.item->pr->repo, "acme/web", "the low-risk PR");
	ok(last_cmd.override == NULL, "no override when the gates are green");

	/* Reject with a typed multi-line reason, and $EDITOR. */
	keys(ui, "rThe change is<Enter>out of scope<Left><Left><Left><Left><Left><Left><Left><Left>");
	keys(ui, "far x<Backspace><End>.<Home><Del>O<Up><C-e>");
	is_int(last_cmd.kind, GTH_CMD_EDIT_EXTERNAL, "<C-e> hands the reason to $EDITOR");
	is_str(last_cmd.text, "The change is\nOut far of scope.",
		"as typed so far, edited in the middle");
	gth_ui_set_reason(ui, "Edited in vim.\nSecond line.\n");
	is_str(gth_ui_draft(ui, NULL), "Edited in vim.\nSecond line.", "the edited text comes back");
	keys(ui, "<Esc><Esc>");
	is_str(gth_ui_view_name(ui), "queue", "Esc twice cancels");

	/* A refresh that drops the PR being decided from the queue closes the prompt. */
	{
		struct gth_queue small;

		gth_queue_init(&small);
		keys(ui, "ga");
		gth_ui_set_queue(ui, &small);
		is_str(gth_ui_view_name(ui), "queue", "the prompt closes when its PR leaves the queue");
		ok(screen_has(ui, 24, 80, "left the queue"), "and says why");
		gth_ui_set_queue(ui, &queue);
	}

	/* Escalation shows where it goes. */
	keys(ui, "ge");
	golden(ui, "prompt-escalate", 24, 80);
	keys(ui, "<Esc>");

	/* Delivery state afterwards. */
	gth_ui_set_delivery(ui, "acme/api#42", GTH_DELIVERY_FAILED, "HTTP 502 from the forge");
	ok(screen_has(ui, 24, 80, "[retrying]"), "the queue shows a failed delivery");
	ok(screen_has(ui, 24, 80, "HTTP 502"), "and why");
	gth_ui_set_delivery(ui, "acme/api#42", GTH_DELIVERY_POSTED, NULL);
	keys(ui, "g<Enter>");
	ok(screen_has(ui, 24, 80, "decision: posted to the forge"), "the PR view shows it posted");
	gth_ui_free(ui);
}

/* A short terminal, nine templates and a long reason: nothing overlaps. */
static void
test_prompt_crowded(void)
{
	static struct gth_ui_template many[9];
	static char names[9][16];
	struct gth_ui_options o;
	struct gth_ui *ui;

	for (int i = 0; i < 9; i++) {
		snprintf(names[i], sizeof(names[i]), "tpl%d", i + 1);
		many[i].name = names[i];
		many[i].verdict = GTH_VERDICT_APPROVE;
		many[i].text = "Reviewed.";
	}
	memset(&o, 0, sizeof(o));
	o.templates = many;
	o.n_templates = 9;
	o.now = fixed_now;
	ui = gth_ui_new(&o);
	gth_ui_set_queue(ui, &queue);
	keys(ui, "Gka9");
	is_str(gth_ui_draft(ui, NULL), "Reviewed.", "template 9 is picked even when not listed");
	keys(ui, "i<C-u>one<Enter>two<Enter>three<Enter>four<Enter>five<Enter>six<Enter>seven<Esc>");
	golden(ui, "prompt-crowded-80x24", 24, 80);
	gth_ui_free(ui);
}

static void
test_help(void)
{
	struct gth_keymap km;
	struct gth_cfg cfg;
	struct gth_err err;
	struct gth_ui *ui;
	static const char user[] =
		"[keymap \"queue\"]\n\tbind = A approve\n\tbind = a none\n"
		"[keymap \"pr\"]\n\tbind = <C-n> next-file\n";

	gth_keymap_init(&km);
	gth_cfg_init(&cfg);
	gth_cfg_load_string(&cfg, user, strlen(user), "test", &err);
	gth_keymap_apply_cfg(&km, &cfg, &err);
	gth_cfg_release(&cfg);
	ui = new_ui(&km, false);
	keys(ui, "a");
	is_str(gth_ui_view_name(ui), "queue", "a is unbound in the queue now");
	keys(ui, "?");
	is_str(gth_ui_view_name(ui), "help", "? opens help");
	golden(ui, "help-rebound-80x24", 24, 80);
	ok(screen_has(ui, 24, 80, "} <C-n>"), "the PR view's added key is listed");
	keys(ui, "G");
	ok(screen_has(ui, 24, 80, "Decision prompt"), "help scrolls to the prompt's keys");
	keys(ui, "q");
	keys(ui, "A");
	is_str(gth_ui_view_name(ui), "prompt", "A opens the prompt");
	gth_ui_free(ui);
	gth_keymap_release(&km);
}

static void
test_hostile(void)
{
	struct gth_ui *ui = new_ui(NULL, false);
	char *styled;

	keys(ui, "j<Enter>");
	golden(ui, "hostile-80x24", 24, 80);
	golden(ui, "hostile-160x48", 48, 160);
	keys(ui, "5");
	golden(ui, "hostile-rationale-80x24", 24, 80);
	styled = render(ui, 24, 80, true);
	ok(strstr(styled, "^[]0;pwned^G") != NULL, "the title's escape sequence is shown as text");
	ok(strchr(styled, 0x1b) == NULL && strchr(styled, 0x07) == NULL,
		"no escape or bell byte reaches the screen");
	ok(strstr(styled, "[U+2067]") != NULL, "the bidi isolate is a visible token");
	ok(strstr(styled, "untrusted text: 2 control, 2 bidi, 4 invisible, 1 mixed-script") != NULL,
		"the warning banner is up");
	free(styled);
	keys(ui, "1");
	is_int(role_of(ui, 24, 80, "[U+2067]"), GTH_ROLE_TOKEN_BIDI, "drawn in the bidi token colour");
	is_int(role_of(ui, 24, 80, "^[]0;pwned"), GTH_ROLE_TOKEN_CONTROL,
		"the escape in the control token colour");
	keys(ui, "5");
	is_int(role_of(ui, 24, 80, "p\xd0\xb0ypal"), GTH_ROLE_TOKEN_MIXED,
		"the Cyrillic-a 'paypal' is flagged as mixed-script");
	is_int(role_of(ui, 24, 80, "[U+200C]"), GTH_ROLE_TOKEN_INVISIBLE,
		"a zero-width non-joiner in the invisible token colour");
	gth_ui_free(ui);
}

static void
test_ascii(void)
{
	struct gth_ui *ui = new_ui(NULL, true);

	golden(ui, "queue-ascii-80x24", 24, 80);
	keys(ui, "<Enter>");
	golden(ui, "pr-ascii-80x24", 24, 80);
	gth_ui_free(ui);
}

/* A 310,000-line diff: moving to its end and drawing it stays a screen's work. */
static void
test_big_diff(void)
{
	struct gth_queue q;
	struct gth_pr *pr = mkpr("acme/mono", 900, "bot", "Regenerate fixtures", NOW - HOUR);
	struct gth_diff *d = gth_diff_new();
	struct gth_diff_file *f = gth_diff_add_file(d);
	struct gth_ui *ui;
	struct gth_cmd cmd;
	char line[64];

	f->new_path = xstrdup("fixtures/big.txt");
	f->first_line = d->n_lines;
	gth_diff_add_line(d, GTH_DIFF_HUNK, "@@ -0,0 +1,310000 @@", 20, 0, 1);
	for (uint32_t i = 1; i <= 310000; i++) {
		int n = snprintf(line, sizeof(line), "fixture line %u", i);

		gth_diff_add_line(d, GTH_DIFF_ADD, line, (size_t)n, 0, i);
	}
	f->n_lines = d->n_lines - f->first_line;
	f->loaded = true;
	gth_queue_init(&q);
	gth_queue_put(&q, pr);
	ui = new_ui(NULL, false);
	gth_ui_set_queue(ui, &q);
	gth_ui_set_pr(ui, &q.items[0], d);
	keys(ui, "G");
	ok(cursor_at(ui, 24, 80, "fixture line 310000"), "G shows the last of 310,000 lines");
	keys(ui, "<PgUp>");
	ok(cursor_at(ui, 24, 80, "fixture line 309980"), "page up from there");
	ok(gth_ui_key(ui, 'j', &cmd) == 0, "moving needs nothing from the app");
	gth_ui_free(ui);
	gth_queue_release(&q);
	gth_diff_free(d);
}

static void
test_status_forges(void)
{
	struct gth_ui *ui = new_ui(NULL, false);
	struct gth_ui_forge_status fs[3];
	struct gth_ui_status st;

	memset(&st, 0, sizeof(st));
	memset(fs, 0, sizeof(fs));
	fs[0] = (struct gth_ui_forge_status){ "github", 4812, 5000, 0, "alice" };
	fs[1] = (struct gth_ui_forge_status){ "gitlab", 1900, 2000, 0, "alice.r" };
	st.rate_remaining = -1;
	st.outbox_pending = 1;
	st.sync = GTH_SYNC_OK;
	st.synced_at = NOW - 120;
	st.forges = fs;
	st.n_forges = 2;
	gth_ui_set_status(ui, &st);
	/* Two forges: each one's budget, in full on a wide screen, in short at 80 columns. */
	golden(ui, "status-forges-160x48", 48, 160);
	golden(ui, "status-forges-80x24", 24, 80);
	/* A third forge with no budget known yet, and one nearly out. */
	fs[1].rate_remaining = 150;
	fs[1].rate_reset = NOW + 14 * 60;
	fs[2] = (struct gth_ui_forge_status){ "gitea", -1, 0, 0, NULL };
	st.n_forges = 3;
	gth_ui_set_status(ui, &st);
	ok(screen_has(ui, 48, 160, "rate github 4812/5000 · gitlab 150/2000 (resets in 14m) · gitea – "
		"│ outbox 1 │ alice@github alice.r@gitlab"), "three forges in full at 160 columns");
	ok(screen_has(ui, 24, 80, "github 4812 · gitlab 150 (14m) · gitea – │ outbox 1"),
		"in short at 80 columns");
	/* In the PR view the left half is longer: only the lowest budget is left. */
	keys(ui, "<Enter>");
	ok(screen_has(ui, 24, 80, "synced 2m │ gitlab 150/2000 (14m) │ outbox 1") &&
		!screen_has_quiet(ui, 24, 80, "github 4812"),
		"when the budgets do not fit, the lowest one shows with its forge's name");
	gth_ui_free(ui);
}

/* Several keys in the agent: the picker lists them, j/k/Enter pick one, Esc gives up. */
static void
test_keypick(void)
{
	struct gth_ui *ui = new_ui(NULL, false);
	static const struct gth_ui_key agent_keys[] = {
		{ "ssh-ed25519", "SHA256:ZsYMbm2bYxH0l0a1cFJ0xHkC6Hc3nVw8bT1z6bGQk5o", "reviewer@laptop" },
		{ "ecdsa-sha2-nistp256", "SHA256:Q2o0Jw1l3rX3u2xv4w5g6h7i8j9k0l1m2n3o4p5q6r8",
		  "yubikey \x1b[2J" },
	};

	keys(ui, "<Enter>");
	gth_ui_pick_key(ui, "acme/api#42", agent_keys, 2);
	is_str(gth_ui_view_name(ui), "keys", "the picker opens over the PR view");
	golden(ui, "keypick-80x24", 24, 80);
	golden(ui, "keypick-160x48", 48, 160);
	ok(screen_has(ui, 24, 80, "yubikey ^[[2J"), "an escape in a key's comment is shown as a token");
	keys(ui, "x");
	ok(strcmp(gth_ui_view_name(ui), "keys") == 0, "other keys leave the picker open");
	keys(ui, "jj");
	ok(screen_has(ui, 24, 80, "▶ 2 ecdsa-sha2-nistp256"), "j moves to the second key (and stops there)");
	n_cmds = 0;
	keys(ui, "<Enter>");
	ok(n_cmds == 1 && last_cmd.kind == GTH_CMD_PICK_KEY && last_cmd.flag &&
		last_cmd.file_index == 1, "Enter picks the key under the cursor");
	is_str(last_cmd.text, agent_keys[1].fp, "by its fingerprint");
	is_str(gth_ui_view_name(ui), "pr", "and the picker closes");
	ok(screen_has(ui, 24, 80, "acme/api#42: signing with SHA256:Q2o0"), "the message says which key signs");

	gth_ui_pick_key(ui, "acme/api#42", agent_keys, 2);
	keys(ui, "jk<Enter>");
	ok(last_cmd.kind == GTH_CMD_PICK_KEY && last_cmd.file_index == 0, "k moves back up");
	gth_ui_pick_key(ui, "acme/api#42", agent_keys, 2);
	keys(ui, "2");
	ok(last_cmd.kind == GTH_CMD_PICK_KEY && last_cmd.flag && last_cmd.file_index == 1,
		"a digit picks that key");
	gth_ui_pick_key(ui, "acme/api#42", agent_keys, 2);
	keys(ui, "<Esc>");
	ok(last_cmd.kind == GTH_CMD_PICK_KEY && !last_cmd.flag, "Esc gives up");
	ok(screen_has(ui, 24, 80, "no key picked, nothing recorded"), "and says nothing was recorded");
	gth_ui_free(ui);
}

int
main(void)
{
	top = getenv("top_srcdir");
	if (top == NULL)
		top = "..";
	build_queue();
	test_queue();
	test_status_forges();
	test_pr_view();
	test_tabs_option();
	test_loading();
	test_reload();
	test_resize();
	test_prompt();
	test_prompt_crowded();
	test_keypick();
	test_help();
	test_hostile();
	test_ascii();
	test_big_diff();
	gth_cmd_release(&last_cmd);
	for (size_t i = 0; i < sizeof(diffs) / sizeof(diffs[0]); i++)
		gth_diff_free(diffs[i]);
	gth_queue_release(&queue);
	return done_testing();
}
