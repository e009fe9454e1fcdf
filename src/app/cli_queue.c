/*
 * `gatehouse list` and `gatehouse show`: the queue and one PR for scripts and
 * for a quick look.  Everything the forge or the repository wrote is
 * sanitized before it is printed, in text and in JSON alike.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gatehouse/app/cli.h"
#include "gatehouse/app/services.h"
#include "gatehouse/base/buf.h"
#include "gatehouse/base/jsonw.h"
#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/policy/policy.h"

/* Sanitized single-line copy of untrusted text (owned); trailing blank lines dropped. */
static char *
clean(const char *s)
{
	size_t n;

	if (s == NULL)
		return xstrdup("");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return gth_sanitize_str(s, n, 0, NULL);
}

/* Sanitized multi-line copy. */
static char *
clean_ml(const char *s)
{
	return s != NULL ? gth_sanitize_str(s, strlen(s), GTH_SAN_KEEP_NEWLINES | GTH_SAN_KEEP_TABS,
	    NULL) : xstrdup("");
}

/* "3h", "2d", "45m": compact durations for columns. */
static void
fmt_span(char *buf, size_t n, long secs)
{
	long a = secs < 0 ? -secs : secs;

	if (a < 3600)
		snprintf(buf, n, "%ldm", a / 60);
	else if (a < 48 * 3600)
		snprintf(buf, n, "%ldh", a / 3600);
	else
		snprintf(buf, n, "%ldd", a / 86400);
}

static void
fmt_sla(char *buf, size_t n, const struct gth_assessment *a, time_t now)
{
	char span[24];

	if (a == NULL || a->sla_deadline == 0) {
		snprintf(buf, n, "%s", "-");
		return;
	}
	fmt_span(span, sizeof(span), (long)(a->sla_deadline - now));
	if (a->sla_deadline <= now)
		snprintf(buf, n, "-%s!", span);
	else
		snprintf(buf, n, "%s", span);
}

static void
fmt_gates(char *buf, size_t n, const struct gth_assessment *a)
{
	size_t c[GTH_GATE__COUNT];

	if (a == NULL) {
		snprintf(buf, n, "%s", "-");
		return;
	}
	gth_assessment_gate_counts(a, c);
	snprintf(buf, n, "%zu/%zu/%zu/%zu", c[GTH_GATE_PASS], c[GTH_GATE_FAIL],
	    c[GTH_GATE_PENDING] + c[GTH_GATE_AWAITING], c[GTH_GATE_MISSING]);
}

static void
iso_time(char *buf, size_t n, time_t t)
{
	struct tm tm;

	if (t == 0) {
		snprintf(buf, n, "%s", "");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
json_gates(struct gth_buf *b, const struct gth_assessment *a)
{
	size_t i;

	gth_buf_addc(b, '[');
	for (i = 0; a != NULL && i < a->n_gates; i++) {
		const struct gth_gate_verdict *g = &a->gates[i];
		bool first = true;
		char *summary = clean(g->summary);

		if (i > 0)
			gth_buf_addc(b, ',');
		gth_buf_addc(b, '{');
		gth_jsonw_key(b, &first, "name");
		gth_jsonw_str(b, g->name);
		gth_jsonw_key(b, &first, "state");
		gth_jsonw_str(b, gth_gate_state_name(g->state));
		gth_jsonw_key(b, &first, "required");
		gth_buf_adds(b, g->required ? "true" : "false");
		gth_jsonw_key(b, &first, "summary");
		gth_jsonw_str(b, g->summary != NULL ? summary : NULL);
		gth_jsonw_key(b, &first, "annotations");
		gth_buf_addf(b, "%ld", g->annotations);
		gth_jsonw_key(b, &first, "checks");
		gth_jsonw_strvec(b, &g->checks);
		gth_buf_addc(b, '}');
		free(summary);
	}
	gth_buf_addc(b, ']');
}

static void
json_risk(struct gth_buf *b, const struct gth_assessment *a, bool *first)
{
	size_t i;

	gth_jsonw_key(b, first, "risk");
	gth_jsonw_str(b, a != NULL ? gth_risk_name(a->risk) : NULL);
	gth_jsonw_key(b, first, "reasons");
	gth_buf_addc(b, '[');
	for (i = 0; a != NULL && i < a->n_reasons; i++) {
		bool f2 = true;
		char *what = clean(a->reasons[i].what);

		if (i > 0)
			gth_buf_addc(b, ',');
		gth_buf_addc(b, '{');
		gth_jsonw_key(b, &f2, "risk");
		gth_jsonw_str(b, gth_risk_name(a->reasons[i].risk));
		gth_jsonw_key(b, &f2, "rule");
		gth_jsonw_str(b, a->reasons[i].rule);
		gth_jsonw_key(b, &f2, "what");
		gth_jsonw_str(b, what);
		gth_buf_addc(b, '}');
		free(what);
	}
	gth_buf_addc(b, ']');
}

/* One PR as a JSON object (the stable shape documented in gatehouse(1)). */
static void
json_pr(struct gth_buf *b, const struct gth_pr *pr, const struct gth_assessment *a, time_t now,
	bool with_body)
{
	char *title = clean(pr->title), *author = clean(pr->author);
	struct gth_strvec labels = GTH_STRVEC_INIT;
	char when[32];
	bool first = true;
	size_t i;

	for (i = 0; i < pr->labels.n; i++)
		gth_strvec_push_take(&labels, clean(pr->labels.v[i]));
	gth_buf_addc(b, '{');
	gth_jsonw_key(b, &first, "forge");
	gth_jsonw_str(b, pr->forge);
	gth_jsonw_key(b, &first, "repo");
	gth_jsonw_str(b, pr->repo);
	gth_jsonw_key(b, &first, "number");
	gth_buf_addf(b, "%ld", pr->number);
	gth_jsonw_key(b, &first, "title");
	gth_jsonw_str(b, title);
	gth_jsonw_key(b, &first, "url");
	gth_jsonw_str(b, pr->url);
	gth_jsonw_key(b, &first, "author");
	gth_jsonw_str(b, author);
	gth_jsonw_key(b, &first, "agent");
	gth_buf_adds(b, pr->author_is_bot ? "true" : "false");
	gth_jsonw_key(b, &first, "draft");
	gth_buf_adds(b, pr->draft ? "true" : "false");
	gth_jsonw_key(b, &first, "head");
	gth_jsonw_str(b, pr->head_sha);
	gth_jsonw_key(b, &first, "base");
	gth_jsonw_str(b, pr->base_sha);
	gth_jsonw_key(b, &first, "base_ref");
	gth_jsonw_str(b, pr->base_ref);
	gth_jsonw_key(b, &first, "labels");
	gth_jsonw_strvec(b, &labels);
	gth_jsonw_key(b, &first, "additions");
	gth_buf_addf(b, "%ld", pr->additions);
	gth_jsonw_key(b, &first, "deletions");
	gth_buf_addf(b, "%ld", pr->deletions);
	gth_jsonw_key(b, &first, "changed_files");
	gth_buf_addf(b, "%ld", pr->changed_files);
	iso_time(when, sizeof(when), pr->ready_at);
	gth_jsonw_key(b, &first, "ready_at");
	gth_jsonw_str(b, when[0] ? when : NULL);
	json_risk(b, a, &first);
	gth_jsonw_key(b, &first, "gates");
	json_gates(b, a);
	iso_time(when, sizeof(when), a != NULL ? a->sla_deadline : 0);
	gth_jsonw_key(b, &first, "sla_deadline");
	gth_jsonw_str(b, when[0] ? when : NULL);
	gth_jsonw_key(b, &first, "sla_breached");
	gth_buf_adds(b, a != NULL && gth_policy_sla_breached(a, now) ? "true" : "false");
	gth_jsonw_key(b, &first, "approval_blocked");
	gth_buf_adds(b, a != NULL && a->gates_block_approval ? "true" : "false");
	if (a != NULL) {
		gth_jsonw_key(b, &first, "escalate_to");
		gth_buf_adds(b, "{\"users\":");
		gth_jsonw_strvec(b, &a->escalate_users);
		gth_buf_adds(b, ",\"teams\":");
		gth_jsonw_strvec(b, &a->escalate_teams);
		gth_buf_adds(b, ",\"labels\":");
		gth_jsonw_strvec(b, &a->escalate_labels);
		gth_buf_addc(b, '}');
		gth_jsonw_key(b, &first, "flags");
		gth_jsonw_strvec(b, &a->flags);
	}
	if (with_body) {
		char *body = clean_ml(pr->body);

		gth_jsonw_key(b, &first, "body");
		gth_jsonw_str(b, body);
		free(body);
	}
	gth_buf_addc(b, '}');
	gth_strvec_clear(&labels);
	free(title);
	free(author);
}

int
gth_cli_list(const struct gth_app_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gth_app_opts o = *opts;
	struct gth_app *app = NULL;
	struct gth_queue q;
	struct gth_err err;
	time_t now = time(NULL);
	size_t i;
	int c, r;

	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'h':
			gth_cli_usage(stdout, "list");
			return GTH_EXIT_OK;
		default:
			gth_cli_usage(stderr, "list");
			return GTH_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		gth_cli_usage(stderr, "list");
		return GTH_EXIT_USAGE;
	}
	gth_err_clear(&err);
	gth_queue_init(&q);
	r = gth_app_open(&o, GTH_APP_FORGES | GTH_APP_POLICY, &app, &err);
	if (r == 0)
		r = gth_svc_load_queue(app, &q, NULL, &err);
	if (r != 0 && q.n == 0) {
		gth_app_complain(&err, r);
		gth_app_free(app);
		return gth_app_exit_for(r);
	}
	if (r != 0)
		gth_app_complain(&err, r);	/* one forge failed; the others' PRs follow */
	if (o.json) {
		struct gth_buf b = GTH_BUF_INIT;

		gth_buf_addc(&b, '[');
		for (i = 0; i < q.n; i++) {
			if (i > 0)
				gth_buf_adds(&b, ",\n");
			json_pr(&b, q.items[i].pr, q.items[i].assess, now, false);
		}
		gth_buf_adds(&b, "]\n");
		fwrite(b.data, 1, b.len, stdout);
		gth_buf_release(&b);
	} else {
		if (q.n == 0)
			fprintf(stderr, "gatehouse: the checkpoint queue is empty\n");
		else
			printf("%-8s %-13s %-6s %-28s %-26s %-5s %s\n", "RISK", "GATES p/f/w/m", "SLA",
			    "PR", "AGENT", "AGE", "TITLE");
		for (i = 0; i < q.n; i++) {
			const struct gth_pr *pr = q.items[i].pr;
			const struct gth_assessment *a = q.items[i].assess;
			char gates[48], sla[32], age[24], *ref = gth_pr_ref(pr);
			char *title = clean(pr->title), *author = clean(pr->author);

			fmt_gates(gates, sizeof(gates), a);
			fmt_sla(sla, sizeof(sla), a, now);
			fmt_span(age, sizeof(age), (long)(now - (pr->ready_at ? pr->ready_at :
			    pr->created_at)));
			printf("%-8s %-13s %-6s %-28s %-26s %-5s %s\n",
			    a != NULL ? gth_risk_name(a->risk) : "?", gates, sla, ref, author, age,
			    title);
			free(ref);
			free(title);
			free(author);
		}
	}
	gth_queue_release(&q);
	gth_app_free(app);
	return r == 0 ? GTH_EXIT_OK : gth_app_exit_for(r);
}

static void
on_progress(const char *what, long done, long total, void *arg)
{
	bool *tty = arg;

	if (!*tty)
		return;
	if (total > 0)
		fprintf(stderr, "\r\033[K%s %ld/%ld", what, done, total);
	else
		fprintf(stderr, "\r\033[K%s", what);
}

static void
print_clean_list(const char *prefix, const struct gth_strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++) {
		char *v = clean(sv->v[i]);

		printf(" %s%s", prefix, v);
		free(v);
	}
}

static void
print_show(const struct gth_pr *pr, const struct gth_prepared *p, time_t now)
{
	const struct gth_assessment *a = p->assess;
	char *title = clean(pr->title), *author = clean(pr->author), *body;
	char *url = clean(pr->url), *head_ref = clean(pr->head_ref), *base_ref = clean(pr->base_ref);
	char sla[32], when[32];
	size_t i;

	printf("%s#%ld  %s\n", pr->repo, pr->number, title);
	printf("  url       %s\n", url);
	printf("  author    %s%s\n", author, pr->author_is_bot ? " (agent)" : "");
	printf("  head      %s  (%s)\n", pr->head_sha != NULL ? pr->head_sha : "?", head_ref);
	printf("  base      %s  (%s)\n", pr->base_sha != NULL ? pr->base_sha : "?", base_ref);
	if (p->diff != NULL)
		printf("  diff      %zu files, +%ld -%ld%s\n", p->diff->n_files, p->diff->additions,
		    p->diff->deletions, p->partial ? " (partial: from the files API)" : "");
	if (p->note[0] != '\0')
		printf("  note      %s\n", p->note);
	printf("  risk      %s\n", gth_risk_name(a->risk));
	for (i = 0; i < a->n_reasons; i++) {
		char *what = clean(a->reasons[i].what);

		char *rule = clean(a->reasons[i].rule);

		printf("            %s: %s (rule %s)\n", gth_risk_name(a->reasons[i].risk), what, rule);
		free(what);
		free(rule);
	}
	printf("  gates%s\n", a->gates_block_approval ?
	    "     (approval needs a typed override: a required gate fails or is missing)" : "");
	for (i = 0; i < a->n_gates; i++) {
		const struct gth_gate_verdict *g = &a->gates[i];
		char *summary = clean(g->summary);

		printf("            %-17s %-10s %s%s%s", gth_gate_state_name(g->state), g->name,
		    g->required ? "required" : "optional", g->summary ? "  " : "", summary);
		if (g->annotations > 0)
			printf("  (%ld annotations)", g->annotations);
		printf("\n");
		free(summary);
	}
	fmt_sla(sla, sizeof(sla), a, now);
	iso_time(when, sizeof(when), a->sla_deadline);
	if (a->sla_deadline != 0)
		printf("  sla       %ld h: %s%s (deadline %s)\n", a->sla_hours, sla,
		    a->sla_deadline <= now ? " overdue" : " left", when);
	else
		printf("  sla       none\n");
	printf("  labels   ");
	print_clean_list("", &pr->labels);
	/* Routes come from CODEOWNERS in the repository: untrusted like the rest. */
	printf("\n  escalate ");
	print_clean_list("", &a->escalate_users);
	print_clean_list("@", &a->escalate_teams);
	print_clean_list("label:", &a->escalate_labels);
	printf("\n");
	for (i = 0; i < a->flags.n; i++) {
		char *f = clean(a->flags.v[i]);

		printf("  flag      %s\n", f);
		free(f);
	}
	body = clean_ml(pr->body);
	printf("\n%s\n", body);
	free(body);
	free(title);
	free(author);
	free(url);
	free(head_ref);
	free(base_ref);
}

int
gth_cli_show(const struct gth_app_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "forge", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gth_app_opts o = *opts;
	struct gth_app *app = NULL;
	struct gth_forge *f = NULL;
	struct gth_pr *pr = NULL;
	struct gth_prepared prep;
	struct gth_err err;
	const char *forge_name = NULL;
	bool tty = isatty(STDERR_FILENO);
	char *repo = NULL;
	long number = 0;
	int c, r;

	memset(&prep, 0, sizeof(prep));
	while ((c = getopt_long(argc, argv, "jf:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'f':
			forge_name = optarg;
			break;
		case 'h':
			gth_cli_usage(stdout, "show");
			return GTH_EXIT_OK;
		default:
			gth_cli_usage(stderr, "show");
			return GTH_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || gth_parse_pr_ref(argv[optind], &repo, &number) != 0) {
		fprintf(stderr, "gatehouse: show takes one OWNER/REPO#N\n");
		gth_cli_usage(stderr, "show");
		return GTH_EXIT_USAGE;
	}
	gth_err_clear(&err);
	r = gth_app_open(&o, GTH_APP_FORGES | GTH_APP_POLICY, &app, &err);
	if (r == 0)
		r = gth_svc_get_pr(app, forge_name, repo, number, &f, &pr, NULL, &err);
	if (r == 0)
		r = gth_svc_prepare_pr(app, f, pr, false, on_progress, &tty, NULL, &prep, &err);
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (r != 0) {
		gth_app_complain(&err, r);
		goto out;
	}
	if (o.json) {
		struct gth_buf b = GTH_BUF_INIT;

		json_pr(&b, pr, prep.assess, time(NULL), true);
		gth_buf_addc(&b, '\n');
		fwrite(b.data, 1, b.len, stdout);
		gth_buf_release(&b);
	} else {
		print_show(pr, &prep, time(NULL));
	}
out:
	gth_prepared_release(&prep);
	gth_pr_free(pr);
	gth_app_free(app);
	free(repo);
	return r == 0 ? GTH_EXIT_OK : gth_app_exit_for(r);
}
