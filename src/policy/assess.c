/*
 * Applying a policy to one PR: risk with reasons, gate verdicts, SLA,
 * escalation route, flags for the reviewer; and the queue order.
 *
 * Pure: the PR, its diff and CODEOWNERS come in, an assessment goes out.
 * The class is a maximum, so adding a rule can only raise it; that is what
 * makes repository rules safe to take.  Reasons are capped per rule so that
 * a 5,000-file PR does not bury the one line the reviewer needs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/match.h"
#include "gatehouse/policy/policy.h"
#include "internal.h"

/* Paths named per rule before "and N more". */
#define REASONS_PER_RULE 8

struct touched {
	const char **v;
	size_t n, cap;
	long lines;
	long files;
};

static void
collect_paths(const struct gth_pr *pr, const struct gth_diff *diff, struct touched *t)
{
	size_t i;

	if (diff != NULL) {
		for (i = 0; i < diff->n_files; i++) {
			const struct gth_diff_file *f = &diff->files[i];

			if (f->new_path != NULL)
				GTH_PUSH(t->v, t->n, t->cap) = f->new_path;
			/* A rename away from a guarded path touches that path too. */
			if (f->old_path != NULL && !gth_str_eq(f->old_path, f->new_path))
				GTH_PUSH(t->v, t->n, t->cap) = f->old_path;
		}
		t->lines = diff->additions + diff->deletions;
		t->files = (long)diff->n_files;
	} else {
		for (i = 0; i < pr->n_files; i++) {
			const struct gth_file_change *f = &pr->files[i];

			if (f->path != NULL)
				GTH_PUSH(t->v, t->n, t->cap) = f->path;
			if (f->old_path != NULL && !gth_str_eq(f->old_path, f->path))
				GTH_PUSH(t->v, t->n, t->cap) = f->old_path;
		}
		t->files = (long)pr->n_files;
		t->lines = 0;
	}
	/* The forge's totals cover files it did not list. */
	if (pr->additions + pr->deletions > t->lines)
		t->lines = pr->additions + pr->deletions;
	if (pr->changed_files > t->files)
		t->files = pr->changed_files;
}

static void
reason(struct gth_assessment *a, const struct pol_rule *ru, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
reason(struct gth_assessment *a, const struct pol_rule *ru, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	gth_assessment_add_reason(a, ru->risk, ru->name, what);
	free(what);
}

static bool
any_glob(struct gth_glob *const *g, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (gth_glob_match(g[i], path))
			return true;
	return false;
}

/* Condition kinds, for rules that need all of theirs ([rule] match = all). */
#define K_PATH		0x01
#define K_MANIFEST	0x02
#define K_LABEL		0x04
#define K_TASK		0x08
#define K_AUTHOR	0x10
#define K_LINES		0x20
#define K_FILES		0x40

/* Path conditions: one reason per matching path, up to a cap.  Returns the kinds matched. */
static unsigned
match_paths(struct gth_assessment *a, const struct gth_policy *p, const struct pol_rule *ru,
	const struct touched *t)
{
	size_t i, hits = 0;
	unsigned kinds = 0;

	for (i = 0; i < t->n; i++) {
		bool by_glob = any_glob(ru->paths, ru->n_paths, t->v[i]);
		bool by_manifest = ru->manifest && pol_is_manifest(p, t->v[i]);

		if (!by_glob && !by_manifest)
			continue;
		kinds |= (by_glob ? K_PATH : 0) | (by_manifest ? K_MANIFEST : 0);
		if (++hits > REASONS_PER_RULE)
			continue;
		if (!by_glob)
			reason(a, ru, "dependency manifest %s", t->v[i]);
		else if (ru->guardrail)
			reason(a, ru, "guardrail file %s", t->v[i]);
		else
			reason(a, ru, "%s", t->v[i]);
	}
	if (hits > REASONS_PER_RULE)
		reason(a, ru, "and %zu more files", hits - REASONS_PER_RULE);
	return kinds;
}

static bool
has_label(const struct gth_pr *pr, const char *label)
{
	size_t i;

	/* Labels are case-insensitive on every supported forge. */
	for (i = 0; i < pr->labels.n; i++)
		if (strcasecmp(pr->labels.v[i], label) == 0)
			return true;
	return false;
}

static unsigned
rule_kinds(const struct pol_rule *ru)
{
	return (ru->n_paths > 0 ? K_PATH : 0) | (ru->manifest ? K_MANIFEST : 0) |
	    (ru->labels.n > 0 ? K_LABEL : 0) | (ru->task_types.n > 0 ? K_TASK : 0) |
	    (ru->authors.n > 0 ? K_AUTHOR : 0) | (ru->min_lines > 0 ? K_LINES : 0) |
	    (ru->min_files > 0 ? K_FILES : 0);
}

/*
 * Reasons go to a scratch assessment first: a match = all rule only counts
 * when every kind of condition it states has matched.
 */
static void
match_rule(struct gth_assessment *a, const struct gth_policy *p, const struct pol_rule *ru,
	const struct gth_pr *pr, const struct touched *t)
{
	struct gth_assessment *tmp = gth_assessment_new();
	unsigned kinds;
	size_t i;

	kinds = match_paths(tmp, p, ru, t);
	for (i = 0; i < ru->labels.n; i++) {
		if (has_label(pr, ru->labels.v[i])) {
			reason(tmp, ru, "label %s", ru->labels.v[i]);
			kinds |= K_LABEL;
		}
	}
	for (i = 0; i < ru->task_types.n; i++) {
		if (pr->task != NULL && gth_str_eq(pr->task->task_type, ru->task_types.v[i])) {
			reason(tmp, ru, "task type %s", ru->task_types.v[i]);
			kinds |= K_TASK;
		}
	}
	for (i = 0; i < ru->authors.n; i++) {
		if (pol_author_match(ru->authors.v[i], pr->author)) {
			reason(tmp, ru, "author %s", pr->author);
			kinds |= K_AUTHOR;
			break;
		}
	}
	if (ru->min_lines > 0 && t->lines >= ru->min_lines) {
		reason(tmp, ru, "%ld lines changed (at least %ld)", t->lines, ru->min_lines);
		kinds |= K_LINES;
	}
	if (ru->min_files > 0 && t->files >= ru->min_files) {
		reason(tmp, ru, "%ld files changed (at least %ld)", t->files, ru->min_files);
		kinds |= K_FILES;
	}
	if (!ru->match_all || kinds == rule_kinds(ru))
		for (i = 0; i < tmp->n_reasons; i++)
			gth_assessment_add_reason(a, tmp->reasons[i].risk, tmp->reasons[i].rule,
			    tmp->reasons[i].what);
	gth_assessment_free(tmp);
}

static int
state_rank(enum gth_gate_state s)
{
	switch (s) {
	case GTH_GATE_FAIL:
		return 6;
	case GTH_GATE_MISSING:
		/* A check branch protection requires that never reported. */
		return 5;
	case GTH_GATE_AWAITING:
		return 4;
	case GTH_GATE_PENDING:
		return 3;
	case GTH_GATE_PASS:
		return 2;
	case GTH_GATE_SKIPPED:
		return 1;
	default:
		return 0;
	}
}

/* Fold one check into a gate: the worst state decides, and its summary is shown. */
static void
gate_add_check(struct gth_gate_verdict *g, const struct gth_check *c, bool *first)
{
	gth_strvec_push(&g->checks, c->name);
	g->annotations += c->annotations_count;
	if (c->required)
		g->required = true;
	if (*first || state_rank(c->state) > state_rank(g->state)) {
		g->state = c->state;
		free(g->summary);
		g->summary = c->summary != NULL ? xstrdup(c->summary) : NULL;
	}
	*first = false;
}

static void
eval_gates(struct gth_assessment *a, const struct gth_policy *p, const struct gth_pr *pr)
{
	const struct gth_strvec *req = &p->classes[a->risk].gates;
	bool *used = xcalloc(pr->n_checks + 1, sizeof(bool));
	size_t i, j, k;

	/* Defined gates, in policy order; listed when required or when a check matches. */
	for (i = 0; i < p->n_gates; i++) {
		const struct pol_gate *pg = &p->gates[i];
		bool required = gth_strvec_has(req, pg->name), first = true;
		struct gth_gate_verdict *g = NULL;

		for (j = 0; j < pr->n_checks; j++) {
			if (pr->checks[j].name == NULL ||
			    !any_glob(pg->checks, pg->n_checks, pr->checks[j].name))
				continue;
			if (g == NULL)
				g = gth_assessment_add_gate(a, pg->name);
			gate_add_check(g, &pr->checks[j], &first);
			used[j] = true;
		}
		if (g == NULL && required)
			g = gth_assessment_add_gate(a, pg->name);
		if (g == NULL)
			continue;
		if (required)
			g->required = true;
		if (first)
			g->state = GTH_GATE_MISSING;
	}
	/* Required gates the policy does not define stand for a check of the same name. */
	for (k = 0; k < req->n; k++) {
		struct gth_gate_verdict *g;
		bool first = true, defined = false;

		for (i = 0; i < p->n_gates; i++)
			if (strcmp(p->gates[i].name, req->v[k]) == 0)
				defined = true;
		if (defined)
			continue;
		g = gth_assessment_add_gate(a, req->v[k]);
		g->required = true;
		for (j = 0; j < pr->n_checks; j++) {
			if (!gth_str_eq(pr->checks[j].name, req->v[k]))
				continue;
			gate_add_check(g, &pr->checks[j], &first);
			used[j] = true;
		}
		if (first)
			g->state = GTH_GATE_MISSING;
	}
	/* Every other check is a gate of its own, required when the branch requires it. */
	for (j = 0; j < pr->n_checks; j++) {
		struct gth_gate_verdict *g;
		bool first = true;

		if (used[j] || pr->checks[j].name == NULL)
			continue;
		g = NULL;
		for (i = 0; i < a->n_gates; i++)
			if (strcmp(a->gates[i].name, pr->checks[j].name) == 0)
				g = &a->gates[i];
		if (g == NULL)
			g = gth_assessment_add_gate(a, pr->checks[j].name);
		else
			first = g->checks.n == 0;
		gate_add_check(g, &pr->checks[j], &first);
	}
	free(used);
	for (i = 0; i < a->n_gates; i++)
		if (a->gates[i].required && (a->gates[i].state == GTH_GATE_FAIL ||
		    a->gates[i].state == GTH_GATE_MISSING))
			a->gates_block_approval = true;
}

static int
gate_order(const struct gth_gate_verdict *g)
{
	if (g->required && (g->state == GTH_GATE_FAIL || g->state == GTH_GATE_MISSING))
		return 0;
	switch (g->state) {
	case GTH_GATE_FAIL:
		return 1;
	case GTH_GATE_AWAITING:
		return 2;
	case GTH_GATE_PENDING:
		return 3;
	case GTH_GATE_PASS:
		return 4;
	default:
		return 5;
	}
}

static void
sort_gates(struct gth_assessment *a)
{
	size_t i, j;

	/* Insertion sort: few gates, and equal keys keep policy order. */
	for (i = 1; i < a->n_gates; i++) {
		struct gth_gate_verdict tmp = a->gates[i];
		int key = gate_order(&tmp);

		for (j = i; j > 0 && gate_order(&a->gates[j - 1]) > key; j--)
			a->gates[j] = a->gates[j - 1];
		a->gates[j] = tmp;
	}
}

static void
push_unique(struct gth_strvec *sv, const char *s)
{
	if (!gth_strvec_has(sv, s))
		gth_strvec_push(sv, s);
}

static void
route(struct gth_assessment *a, const struct gth_policy *p, const struct touched *t,
	const struct gth_codeowners *co)
{
	const struct pol_class *c = &p->classes[a->risk];
	size_t i, j;

	for (i = 0; i < c->users.n; i++)
		push_unique(&a->escalate_users, c->users.v[i]);
	for (i = 0; i < c->teams.n; i++)
		push_unique(&a->escalate_teams, c->teams.v[i]);
	for (i = 0; i < c->labels.n; i++)
		push_unique(&a->escalate_labels, c->labels.v[i]);
	if (co == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		const struct gth_strvec *owners = gth_codeowners_for_path(co, t->v[i]);

		for (j = 0; owners != NULL && j < owners->n; j++) {
			const char *o = owners->v[j];

			if (o[0] == '@' && strchr(o, '/') != NULL)
				push_unique(&a->escalate_teams, o + 1);
			else
				push_unique(&a->escalate_users, o[0] == '@' ? o + 1 : o);
		}
	}
}

static bool
is_agent(const struct gth_policy *p, const struct gth_pr *pr)
{
	size_t i;

	for (i = 0; i < p->agents.n; i++)
		if (pol_author_match(p->agents.v[i], pr->author))
			return true;
	return false;
}

static void
add_flags(struct gth_assessment *a, const struct gth_policy *p, const struct gth_pr *pr,
	const struct gth_diff *diff, const char *reviewer)
{
	size_t i, awaiting = 0;

	for (i = 0; i < p->flags.n; i++)
		gth_strvec_push(&a->flags, p->flags.v[i]);
	for (i = 0; i < pr->n_checks; i++)
		if (pr->checks[i].state == GTH_GATE_AWAITING)
			awaiting++;
	if (awaiting > 0)
		gth_strvec_push_take(&a->flags, xasprintf("%zu workflow%s waiting for approval to "
		    "run: the checks have not run", awaiting, awaiting == 1 ? " is" : "s are"));
	if (reviewer != NULL && pr->task_requester != NULL &&
	    strcasecmp(reviewer, pr->task_requester) == 0) {
		if (is_agent(p, pr) || pr->author_is_bot)
			gth_strvec_push_take(&a->flags, xasprintf("you started this agent's task "
			    "(%s): your approval may not count", pr->author != NULL ? pr->author :
			    "agent"));
		else
			gth_strvec_push(&a->flags, "you requested this change: your approval may "
			    "not count");
	}
	if (diff == NULL && pr->n_files == 0)
		gth_strvec_push(&a->flags, "changed files not loaded: path rules were not "
		    "applied, the class may be too low");
	else if (diff == NULL && !pr->files_complete)
		gth_strvec_push_take(&a->flags, xasprintf("the forge listed %zu of %ld changed "
		    "files: path rules may have missed some", pr->n_files, pr->changed_files));
}

void
gth_policy_assess(const struct gth_policy *p, const struct gth_pr *pr,
	const struct gth_diff *diff, const struct gth_codeowners *codeowners,
	const char *reviewer_login, time_t now, struct gth_assessment **out)
{
	struct gth_assessment *a = gth_assessment_new();
	struct touched t = { NULL, 0, 0, 0, 0 };
	time_t start;
	size_t i;

	(void)now;
	collect_paths(pr, diff, &t);
	a->risk = p->default_class;
	for (i = 0; i < p->n_rules; i++)
		match_rule(a, p, &p->rules[i], pr, &t);
	if (a->n_reasons == 0)
		gth_assessment_add_reason(a, p->default_class, "default", "no rule matched");
	for (i = 0; i < a->n_reasons; i++)
		if (a->reasons[i].risk > a->risk)
			a->risk = a->reasons[i].risk;

	eval_gates(a, p, pr);
	sort_gates(a);

	a->sla_hours = p->classes[a->risk].sla_hours;
	a->approvals_needed = (int)p->classes[a->risk].approvals;
	start = pr->ready_at != 0 ? pr->ready_at : pr->created_at;
	a->sla_deadline = start != 0 ? start + (time_t)a->sla_hours * 3600 : 0;

	route(a, p, &t, codeowners);
	add_flags(a, p, pr, diff, reviewer_login);
	memcpy(a->policy_hash, p->hash, sizeof(a->policy_hash));
	free(t.v);
	*out = a;
}

bool
gth_policy_sla_breached(const struct gth_assessment *a, time_t now)
{
	return a != NULL && a->sla_deadline != 0 && now > a->sla_deadline;
}

struct sort_key {
	struct gth_queue_item item;
	size_t index;
	time_t now;
};

static time_t
item_age_start(const struct gth_queue_item *it)
{
	return it->pr->ready_at != 0 ? it->pr->ready_at : it->pr->created_at;
}

static int
cmp_items(const void *va, const void *vb)
{
	const struct sort_key *x = va, *y = vb;
	const struct gth_assessment *a = x->item.assess, *b = y->item.assess;
	time_t ta, tb;

	if ((a == NULL) != (b == NULL))
		return a == NULL ? 1 : -1;
	if (a != NULL) {
		bool ba = gth_policy_sla_breached(a, x->now);
		bool bb = gth_policy_sla_breached(b, y->now);

		if (ba != bb)
			return ba ? -1 : 1;
		if (a->risk != b->risk)
			return a->risk > b->risk ? -1 : 1;
	}
	ta = item_age_start(&x->item);
	tb = item_age_start(&y->item);
	if (ta != tb)
		return ta < tb ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void
gth_policy_sort_queue(struct gth_queue *q, time_t now)
{
	struct sort_key *k;
	size_t i;

	if (q->n < 2)
		return;
	k = xreallocarray(NULL, q->n, sizeof(*k));
	for (i = 0; i < q->n; i++) {
		k[i].item = q->items[i];
		k[i].index = i;
		k[i].now = now;
	}
	qsort(k, q->n, sizeof(*k), cmp_items);
	for (i = 0; i < q->n; i++)
		q->items[i] = k[i].item;
	free(k);
}

int
gth_policy_approve_allowed(const struct gth_policy *p, const struct gth_assessment *a,
	const char *override_text, struct gth_err *err)
{
	struct gth_buf blocking = GTH_BUF_INIT;
	long chars = 0;
	size_t i;
	int r;

	if (!a->gates_block_approval)
		return 0;
	for (; override_text != NULL && *override_text != '\0'; override_text++)
		if (*override_text != ' ' && *override_text != '\t' && *override_text != '\n' &&
		    *override_text != '\r')
			chars++;
	if (chars >= p->override_min_chars)
		return 0;
	for (i = 0; i < a->n_gates; i++) {
		const struct gth_gate_verdict *g = &a->gates[i];

		if (!g->required || (g->state != GTH_GATE_FAIL && g->state != GTH_GATE_MISSING))
			continue;
		gth_buf_addf(&blocking, "%s%s %s", blocking.len > 0 ? ", " : "", g->name,
		    g->state == GTH_GATE_FAIL ? "failed" : "is missing");
	}
	r = gth_err_set(err, -GTH_E_POLICY, "required gate %s: approving needs a typed override "
	    "of at least %ld characters saying why", gth_buf_str(&blocking),
	    p->override_min_chars);
	gth_buf_release(&blocking);
	return r;
}

static bool
word_in(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcasecmp(w, *list) == 0)
			return true;
	return false;
}

int
gth_policy_check_state(enum gth_check_kind kind, const char *status, const char *conclusion,
	enum gth_gate_state *out)
{
	static const char *const pass[] = { "success", "neutral", NULL };
	/* A stale run (GitHub gave up on it) is not a pass and will not become one. */
	static const char *const fail[] = { "failure", "timed_out", "cancelled", "startup_failure",
		"error", "stale", NULL };
	static const char *const pending[] = { "queued", "in_progress", "pending", "requested",
		"expected", NULL };
	static const char *const awaiting[] = { "action_required", "waiting", NULL };
	const char *w;

	*out = GTH_GATE_PENDING;
	if (kind == GTH_CHECK_STATUS) {
		w = status;
		if (w == NULL)
			return -GTH_E_PARSE;
		if (strcasecmp(w, "success") == 0)
			*out = GTH_GATE_PASS;
		else if (strcasecmp(w, "failure") == 0 || strcasecmp(w, "error") == 0)
			*out = GTH_GATE_FAIL;
		else if (strcasecmp(w, "pending") != 0 && strcasecmp(w, "expected") != 0)
			return -GTH_E_PARSE;
		return 0;
	}
	/* A completed run is judged by its conclusion; otherwise by its status. */
	w = conclusion != NULL && *conclusion != '\0' ? conclusion : status;
	if (w == NULL)
		return -GTH_E_PARSE;
	if (word_in(w, pass))
		*out = GTH_GATE_PASS;
	else if (word_in(w, fail))
		*out = GTH_GATE_FAIL;
	else if (strcasecmp(w, "skipped") == 0)
		*out = GTH_GATE_SKIPPED;
	else if (word_in(w, awaiting))
		*out = GTH_GATE_AWAITING;
	else if (word_in(w, pending))
		*out = GTH_GATE_PENDING;
	else
		return -GTH_E_PARSE;
	return 0;
}
