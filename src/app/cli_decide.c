/*
 * `gatehouse decide`, `sync`, `verify` and `log`: decisions without the
 * console, and checking them afterwards.
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
#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/audit.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/decide/verify.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/sign/allowed.h"

#include "app_internal.h"

static void
on_waiting(void *arg)
{
	(void)arg;
	fprintf(stderr, "gatehouse: waiting for the ssh-agent (confirm the signature or touch "
	    "your security key)...\n");
}

/* Several keys and none configured: ask on the terminal, as ssh-keygen would. */
static int
ask_key(void *arg, const char *const *fps, const char *const *comments, size_t n, size_t *index)
{
	char line[32];
	long pick;
	size_t i;

	(void)arg;
	if (!isatty(STDIN_FILENO))
		return -1;
	fprintf(stderr, "gatehouse: the ssh-agent holds %zu keys; sign with which?\n", n);
	for (i = 0; i < n; i++) {
		char *c = gth_sanitize_str(comments[i], strlen(comments[i]), 0, NULL);

		fprintf(stderr, "  %zu  %s  %s\n", i + 1, fps[i], c);
		free(c);
	}
	fprintf(stderr, "key [1-%zu] (set sign.key to skip this question): ", n);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return -1;
	line[strcspn(line, "\n")] = '\0';
	if (gth_parse_long(line, 1, (long)n, &pick) != 0)
		return -1;
	*index = (size_t)pick - 1;
	return 0;
}

int
gth_cli_decide(const struct gth_app_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "approve", no_argument, NULL, 'a' },
		{ "reject", no_argument, NULL, 'r' },
		{ "escalate", no_argument, NULL, 'e' },
		{ "message", required_argument, NULL, 'm' },
		{ "override", required_argument, NULL, 'o' },
		{ "head", required_argument, NULL, 'H' },
		{ "forge", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gth_decision_request req;
	struct gth_decision_outcome outcome;
	struct gth_prepared prep;
	struct gth_app *app = NULL;
	struct gth_forge *f = NULL;
	struct gth_pr *pr = NULL;
	struct gth_err err;
	const char *forge_name = NULL;
	int verdicts = 0, c, r, rc;
	char *repo = NULL, *head = NULL;
	long number = 0;

	memset(&req, 0, sizeof(req));
	memset(&prep, 0, sizeof(prep));
	req.choose_key = ask_key;
	while ((c = getopt_long(argc, argv, "arem:o:H:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			req.verdict = GTH_VERDICT_APPROVE;
			verdicts++;
			break;
		case 'r':
			req.verdict = GTH_VERDICT_REJECT;
			verdicts++;
			break;
		case 'e':
			req.verdict = GTH_VERDICT_ESCALATE;
			verdicts++;
			break;
		case 'm':
			req.reason = optarg;
			break;
		case 'o':
			req.override = optarg;
			break;
		case 'H':
			req.head_read = optarg;
			break;
		case 'f':
			forge_name = optarg;
			break;
		case 'h':
			gth_cli_usage(stdout, "decide");
			return GTH_EXIT_OK;
		default:
			gth_cli_usage(stderr, "decide");
			return GTH_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || gth_parse_pr_ref(argv[optind], &repo, &number) != 0 ||
	    verdicts != 1 || req.reason == NULL || *req.reason == '\0') {
		fprintf(stderr, "gatehouse: decide takes one OWNER/REPO#N, exactly one of "
		    "--approve, --reject, --escalate, and -m REASON\n");
		gth_cli_usage(stderr, "decide");
		free(repo);
		return GTH_EXIT_USAGE;
	}
	gth_err_clear(&err);
	r = gth_app_open(opts, GTH_APP_FORGES | GTH_APP_POLICY | GTH_APP_OUTBOX, &app, &err);
	if (r == 0)
		r = gth_svc_get_pr(app, forge_name, repo, number, &f, &pr, NULL, &err);
	/*
	 * Without --head, the reviewer read the head as it is now.  A copy:
	 * preparing the PR refreshes (and frees) pr->head_sha.
	 */
	if (r == 0 && req.head_read == NULL && pr->head_sha != NULL)
		req.head_read = head = xstrdup(pr->head_sha);
	if (r == 0)
		r = gth_svc_prepare_pr(app, f, pr, false, NULL, NULL, NULL, &prep, &err);
	if (r == 0)
		r = gth_svc_decide(app, f, pr, prep.assess, &req, on_waiting, NULL, NULL, &outcome,
		    &err);
	if (r != 0) {
		gth_app_complain(&err, r);
		/* After the policy loaded, POLICY means it refuses this decision. */
		rc = r == -GTH_E_POLICY && app != NULL ? GTH_EXIT_REFUSED : gth_app_exit_for(r);
	} else if (outcome.delivered) {
		printf("%s %s#%ld: decision %s recorded, signed and %s\n",
		    gth_verdict_name(req.verdict), repo, number, outcome.id, outcome.detail);
		rc = GTH_EXIT_OK;
	} else {
		printf("%s %s#%ld: decision %s recorded and signed, not delivered: %s\n",
		    gth_verdict_name(req.verdict), repo, number, outcome.id, outcome.detail);
		rc = outcome.dead ? GTH_EXIT_FORGE : GTH_EXIT_PENDING;
	}
	gth_prepared_release(&prep);
	gth_pr_free(pr);
	gth_app_free(app);
	free(head);
	free(repo);
	return rc;
}

static const char *
state_name(enum gth_outbox_state s)
{
	switch (s) {
	case GTH_OUTBOX_NEW:
		return "pending";
	case GTH_OUTBOX_CUR:
		return "retry";
	case GTH_OUTBOX_DONE:
		return "delivered";
	case GTH_OUTBOX_DEAD:
		return "dead";
	}
	return "?";
}

int
gth_cli_sync(const struct gth_app_opts *opts, int argc, char **argv)
{
	struct gth_outbox_report rep;
	struct gth_outbox_item *dead = NULL;
	struct gth_app *app = NULL;
	struct gth_err err;
	size_t i, n_dead = 0;
	int r, rc;

	if (argc > 1) {
		gth_cli_usage(strcmp(argv[1], "--help") == 0 ? stdout : stderr, "sync");
		return strcmp(argv[1], "--help") == 0 ? GTH_EXIT_OK : GTH_EXIT_USAGE;
	}
	memset(&rep, 0, sizeof(rep));
	gth_err_clear(&err);
	r = gth_app_open(opts, GTH_APP_FORGES | GTH_APP_OUTBOX, &app, &err);
	if (r == 0)
		r = gth_svc_deliver(app, NULL, &rep, &err);
	if (r != 0) {
		gth_app_complain(&err, r);
		rc = gth_app_exit_for(r);
		goto out;
	}
	for (i = 0; i < rep.n; i++)
		printf("%-9s %s%s%s\n", state_name(rep.v[i].state), rep.v[i].id,
		    rep.v[i].msg[0] ? "  " : "", rep.v[i].msg);
	if (gth_outbox_list(app->outbox, GTH_OUTBOX_DEAD, &dead, &n_dead, NULL) == 0) {
		for (i = 0; i < n_dead; i++)
			fprintf(stderr, "gatehouse: decision %s was refused by the forge and is kept "
			    "in dead/: %s\n", dead[i].id, dead[i].error != NULL ? dead[i].error : "");
		gth_outbox_items_free(dead, n_dead);
	}
	printf("%zu delivered, %zu to retry, %zu dead\n", rep.delivered, rep.retry, rep.dead);
	rc = rep.retry > 0 ? GTH_EXIT_PENDING : rep.dead > 0 ? GTH_EXIT_FORGE : GTH_EXIT_OK;
out:
	gth_outbox_report_release(&rep);
	gth_app_free(app);
	return rc;
}

static void
print_checks(const struct gth_verify_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		const struct gth_decision_check *c = &rep->v[i];
		const char *verdict = c->d != NULL ? gth_verdict_name(c->d->verdict) : "?";
		char *author = c->author != NULL ? gth_sanitize_str(c->author, strlen(c->author), 0,
		    NULL) : NULL;

		printf("%s %s %s", c->problem == NULL ? "good" : "BAD ",
		    c->d != NULL ? c->d->id : "(unreadable)", verdict);
		if (c->d != NULL)
			printf(" %s#%ld@%.12s by %s", c->d->repo, c->d->number,
			    c->d->head != NULL ? c->d->head : "?", c->d->reviewer);
		printf(" key %s", c->fp[0] ? c->fp : "?");
		if (c->principals != NULL)
			printf(" signer %s", c->principals);
		if (author != NULL)
			printf(" (review %lld by %s)", c->review_id, author);
		if (c->problem != NULL) {
			char *p = gth_sanitize_str(c->problem, strlen(c->problem), 0, NULL);

			printf(": %s", p);
			free(p);
		}
		printf("\n");
		free(author);
	}
}

int
gth_cli_verify(const struct gth_app_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "allowed-signers", required_argument, NULL, 's' },
		{ "forge", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gth_verify_report rep;
	struct gth_allowed *allowed = NULL;
	struct gth_app *app = NULL;
	struct gth_review *reviews = NULL;
	struct gth_err err;
	const char *signers = NULL, *forge_name = NULL, *target;
	char *repo = NULL;
	size_t n_reviews = 0;
	long number = 0;
	int c, r, rc;

	memset(&rep, 0, sizeof(rep));
	while ((c = getopt_long(argc, argv, "s:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			signers = optarg;
			break;
		case 'f':
			forge_name = optarg;
			break;
		case 'h':
			gth_cli_usage(stdout, "verify");
			return GTH_EXIT_OK;
		default:
			gth_cli_usage(stderr, "verify");
			return GTH_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		gth_cli_usage(stderr, "verify");
		return GTH_EXIT_USAGE;
	}
	target = argv[optind];
	gth_err_clear(&err);
	/* A file needs no forge; a PR reference does. */
	r = gth_parse_pr_ref(target, &repo, &number) == 0 && access(target, F_OK) != 0 ?
	    gth_app_open(opts, GTH_APP_FORGES, &app, &err) : gth_app_open(opts, 0, &app, &err);
	if (r != 0)
		goto fail;
	if (signers == NULL)
		signers = app_allowed_signers(app);
	if (signers == NULL) {
		r = gth_err_set(&err, -GTH_E_CONFIG, "no allowed signers file: pass "
		    "--allowed-signers, or set sign.allowed-signers or git's "
		    "gpg.ssh.allowedSignersFile");
		goto fail;
	}
	if ((r = gth_allowed_load(signers, &allowed, &err)) != 0)
		goto fail;
	if (app->n_forges > 0) {
		struct gth_forge *f = gth_app_forge(app, forge_name);

		if (f == NULL) {
			r = gth_err_set(&err, -GTH_E_CONFIG, "no forge named \"%s\"", forge_name);
			goto fail;
		}
		r = gth_forge_list_reviews(f, repo, number, &reviews, &n_reviews, NULL, &err);
		if (r != 0)
			goto fail;
		gth_verify_reviews(reviews, n_reviews, repo, number, allowed, time(NULL), &rep);
		if (rep.n == 0) {
			printf("%s#%ld has no gatehouse decisions among its %zu reviews\n", repo,
			    number, n_reviews);
			rc = GTH_EXIT_VERIFY;
			goto out;
		}
	} else {
		FILE *fp = fopen(target, "rb");
		char *text = NULL;
		size_t len = 0;

		if (fp == NULL) {
			r = gth_err_set(&err, -GTH_E_IO, "cannot read %s", target);
			goto fail;
		}
		text = xmalloc(GTH_OUTBOX_ENTRY_MAX + 1);
		len = fread(text, 1, GTH_OUTBOX_ENTRY_MAX + 1, fp);
		fclose(fp);
		if (len > GTH_OUTBOX_ENTRY_MAX) {
			free(text);
			r = gth_err_set(&err, -GTH_E_TOOBIG, "%s is larger than any decision", target);
			goto fail;
		}
		text[len] = '\0';
		r = gth_verify_text(text, len, allowed, time(NULL), &rep, &err);
		free(text);
		if (r != 0)
			goto fail;
	}
	print_checks(&rep);
	rc = gth_verify_report_ok(&rep) ? GTH_EXIT_OK : GTH_EXIT_VERIFY;
	goto out;
fail:
	gth_app_complain(&err, r);
	rc = gth_app_exit_for(r);
out:
	if (reviews != NULL)
		gth_forge_reviews_free(reviews, n_reviews);
	gth_verify_report_release(&rep);
	gth_allowed_free(allowed);
	gth_app_free(app);
	free(repo);
	return rc;
}

int
gth_cli_log(const struct gth_app_opts *opts, int argc, char **argv)
{
	struct gth_audit_report rep;
	struct gth_app *app = NULL;
	struct gth_err err;
	bool verify = false;
	char *path = NULL;
	int r, rc = GTH_EXIT_OK;

	if (argc == 2 && strcmp(argv[1], "--verify") == 0) {
		verify = true;
	} else if (argc != 1) {
		gth_cli_usage(argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr, "log");
		return argc == 2 && strcmp(argv[1], "--help") == 0 ? GTH_EXIT_OK : GTH_EXIT_USAGE;
	}
	gth_err_clear(&err);
	if ((r = gth_app_open(opts, 0, &app, &err)) != 0) {
		gth_app_complain(&err, r);
		return gth_app_exit_for(r);
	}
	path = xasprintf("%s/audit.jsonl", app->state_dir);
	if (verify && access(path, F_OK) != 0) {
		printf("%s: no audit log yet\n", path);
	} else if (verify) {
		memset(&rep, 0, sizeof(rep));
		r = gth_audit_verify(path, &rep);
		if (r == 0) {
			printf("%s: %ld entries, chain intact\n", path, rep.lines);
		} else if (r == -GTH_E_IO) {
			fprintf(stderr, "gatehouse: cannot read %s\n", path);
			rc = GTH_EXIT_FAIL;
		} else {
			fprintf(stderr, "gatehouse: %s:%ld: %s\n", path, rep.bad_line, rep.msg);
			rc = GTH_EXIT_VERIFY;
		}
	} else {
		FILE *fp = fopen(path, "r");
		char line[4096];

		if (fp == NULL) {
			printf("%s: no audit log yet\n", path);
		} else {
			/* The log holds sanitized text only; print it as it is. */
			while (fgets(line, sizeof(line), fp) != NULL)
				fputs(line, stdout);
			fclose(fp);
		}
	}
	free(path);
	gth_app_free(app);
	return rc;
}
