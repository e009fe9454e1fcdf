/*
 * `gatehouse doctor`: is everything a checkpoint needs in place?  One line
 * per check, "ok" or "FAIL" with what to do; the exit status is the first
 * failure's.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gatehouse/base/buf.h"

#include "gatehouse/app/cli.h"
#include "gatehouse/app/services.h"
#include "gatehouse/config/config.h"
#include "gatehouse/decide/audit.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/policy/policy.h"
#include "gatehouse/sign/agent.h"
#include "gatehouse/sign/signer.h"

#include "app_internal.h"

static int worst;

static void
report(int r, const struct gth_err *err, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
report(int r, const struct gth_err *err, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("%-4s %-10s ", r == 0 ? "ok" : "FAIL", what);
	if (r == 0) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	} else {
		printf("%s", gth_err_text(err, r));
		if (worst == 0)
			worst = r;
	}
	printf("\n");
}

static void
check_agent(struct gth_app *app)
{
	struct gth_agent *agent = NULL;
	struct gth_agent_identities ids;
	struct gth_err err;
	size_t idx = 0;
	int r;

	memset(&ids, 0, sizeof(ids));
	gth_err_clear(&err);
	r = gth_agent_open(NULL, &agent, &err);
	if (r == 0)
		r = gth_agent_list(agent, &ids, &err);
	report(r, &err, "agent", "%zu key(s) in the ssh-agent", ids.n);
	if (r == 0) {
		r = gth_sign_choose_key(&ids, app_sign_key(app), app_git_signingkey(app),
		    app_git_gpg_format(app), &idx, &err);
		report(r, &err, "key", "decisions are signed with %s (%s)", ids.v[idx].fp,
		    ids.v[idx].type);
	}
	gth_agent_identities_release(&ids);
	gth_agent_close(agent);
}

int
gth_cli_doctor(const struct gth_app_opts *opts, int argc, char **argv)
{
	struct gth_app *app = NULL;
	struct gth_audit_report arep;
	struct gth_err err;
	char hash[65];
	size_t i;
	int r;

	if (argc > 1) {
		gth_cli_usage(strcmp(argv[1], "--help") == 0 ? stdout : stderr, "doctor");
		return strcmp(argv[1], "--help") == 0 ? GTH_EXIT_OK : GTH_EXIT_USAGE;
	}
	worst = 0;
	gth_err_clear(&err);
	r = gth_app_open(opts, GTH_APP_POLICY, &app, &err);
	if (r != 0) {
		report(r, &err, "config", "%s", "");
		return gth_app_exit_for(r);
	}
	report(0, NULL, "config", "%s%s", app->cfg->path, app->cfg->file_found ? "" :
	    " (not found: defaults)");
	gth_policy_hash(app->policy, hash);
	{
		struct gth_buf from = GTH_BUF_INIT;

		for (i = 0; i < app->cfg->policy_paths.n; i++)
			if (access(app->cfg->policy_paths.v[i], F_OK) == 0)
				gth_buf_addf(&from, "%s%s", from.len ? " and " : "",
				    app->cfg->policy_paths.v[i]);
		report(0, NULL, "policy", "sha256 %.16s... from %s", hash,
		    from.len ? from.data : "the built-in default");
		gth_buf_release(&from);
	}
	for (i = 0; i < gth_policy_flags(app->policy)->n; i++)
		printf("     policy     note: %s\n", gth_policy_flags(app->policy)->v[i]);

	/* Forges: token, login, rate budget. */
	gth_err_clear(&err);
	r = gth_forge_global_init(&err);
	for (i = 0; r == 0 && i < app->cfg->n_forges; i++) {
		struct gth_app_opts o = *opts;
		struct gth_app *one = NULL;
		const char *login = NULL;
		struct gth_rate rate;

		(void)o;
		gth_err_clear(&err);
		r = gth_app_open(opts, GTH_APP_FORGES, &one, &err);
		if (r != 0) {
			report(r, &err, "forge", "%s", "");
			break;
		}
		r = gth_app_login(one, one->forges[i], &login, NULL, &err);
		if (r == 0 && gth_forge_rate_budget(one->forges[i], NULL, &rate) == 0)
			report(0, NULL, "forge", "%s: signed in as %s, %ld/%ld requests left",
			    gth_forge_name(one->forges[i]), login, rate.remaining, rate.limit);
		else
			report(r, &err, "forge", "%s: signed in as %s",
			    gth_forge_name(one->forges[i]), login != NULL ? login : "?");
		gth_app_free(one);
		r = 0;
	}
	check_agent(app);
	report(app->cfg->allowed_signers != NULL ? 0 : -GTH_E_CONFIG,
	    &(struct gth_err){ .msg = "no allowed_signers file: `gatehouse verify` needs "
	    "sign.allowed-signers or git's gpg.ssh.allowedSignersFile" },
	    "signers", "%s", app->cfg->allowed_signers != NULL ? app->cfg->allowed_signers : "");

	gth_err_clear(&err);
	r = gth_app_open_outbox(app, &err);
	if (r == 0) {
		struct gth_outbox_item *items = NULL;
		size_t n_new = 0, n_cur = 0, n_dead = 0;

		if (gth_outbox_list(app->outbox, GTH_OUTBOX_NEW, &items, &n_new, NULL) == 0)
			gth_outbox_items_free(items, n_new);
		if (gth_outbox_list(app->outbox, GTH_OUTBOX_CUR, &items, &n_cur, NULL) == 0)
			gth_outbox_items_free(items, n_cur);
		if (gth_outbox_list(app->outbox, GTH_OUTBOX_DEAD, &items, &n_dead, NULL) == 0)
			gth_outbox_items_free(items, n_dead);
		report(0, NULL, "outbox", "%s/outbox: %zu pending, %zu retrying, %zu dead%s",
		    app->state_dir, n_new, n_cur, n_dead, n_dead > 0 ? " (see gatehouse sync)" : "");
	} else {
		report(r, &err, "outbox", "%s", "");
	}
	{
		char *path = NULL;

		memset(&arep, 0, sizeof(arep));
		if (asprintf(&path, "%s/audit.jsonl", app->state_dir) > 0) {
			r = gth_audit_verify(path, &arep);
			gth_err_set(&err, r, "%s:%ld: %s", path, arep.bad_line, arep.msg);
			report(r, &err, "audit", "%s: %ld entries, chain intact", path, arep.lines);
			free(path);
		}
	}
	gth_app_free(app);
	gth_forge_global_cleanup();
	return gth_app_exit_for(worst);
}
