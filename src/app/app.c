/*
 * The application object: configuration, policy, forge clients, state
 * directories, outbox and audit log, opened as a command needs them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gatehouse/app/services.h"
#include "gatehouse/base/log.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/config.h"
#include "gatehouse/decide/audit.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/git/mirror.h"
#include "gatehouse/policy/policy.h"

#include "app_internal.h"

enum gth_exit
gth_app_exit_for(int code)
{
	switch (code) {
	case 0:
		return GTH_EXIT_OK;
	case -GTH_E_CONFIG:
	case -GTH_E_POLICY:
		return GTH_EXIT_CONFIG;
	case -GTH_E_NET:
	case -GTH_E_TIMEOUT:
	case -GTH_E_HTTP:
	case -GTH_E_RATELIMIT:
	case -GTH_E_NOTFOUND:
	case -GTH_E_PROTO:
	case -GTH_E_PARSE:
	case -GTH_E_TOOBIG:
		return GTH_EXIT_FORGE;
	case -GTH_E_AUTH:
		return GTH_EXIT_AUTH;
	case -GTH_E_STALE:
		return GTH_EXIT_STALE;
	case -GTH_E_AGAIN:
		return GTH_EXIT_PENDING;	/* e.g. another process is delivering */
	case -GTH_E_AGENT:
	case -GTH_E_NOKEY:
	case -GTH_E_CONFLICT:
	case -GTH_E_REFUSED:
	case -GTH_E_SIG:
		return GTH_EXIT_SIGN;
	case -GTH_E_VERIFY:
	case -GTH_E_CORRUPT:
		return GTH_EXIT_VERIFY;
	default:
		return GTH_EXIT_FAIL;
	}
}

void
gth_app_complain(const struct gth_err *err, int code)
{
	fprintf(stderr, "gatehouse: %s\n", gth_err_text(err, code));
}

/* "https://ghe.corp:8443/x" -> "ghe.corp:8443". */
static char *
host_of(const char *url)
{
	const char *p = strstr(url, "://"), *end;

	p = p != NULL ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	return xstrndup(p, (size_t)(end - p));
}

static void
forge_config_from(const struct gth_config_forge *cf, const char *cache_dir,
	struct gth_forge_config *fc)
{
	memset(fc, 0, sizeof(*fc));
	fc->name = xstrdup(cf->name);
	fc->kind = cf->kind;
	fc->api_url = cf->url != NULL ? xstrdup(cf->url) : NULL;
	fc->graphql_url = cf->graphql_url != NULL ? xstrdup(cf->graphql_url) : NULL;
	fc->web_url = cf->web_url != NULL ? xstrdup(cf->web_url) : NULL;
	fc->token_env = cf->token_env != NULL ? xstrdup(cf->token_env) : NULL;
	fc->token_command = cf->token_command != NULL ? xstrdup(cf->token_command) : NULL;
	fc->token_file = cf->token_file != NULL ? xstrdup(cf->token_file) : NULL;
	fc->credential_helper = cf->credential_helper;
	fc->ca_bundle = cf->ca_bundle != NULL ? xstrdup(cf->ca_bundle) : NULL;
	gth_strvec_extend(&fc->queries, &cf->queries);
	gth_strvec_extend(&fc->agents, &cf->agents);
	fc->cache_dir = xasprintf("%s", cache_dir);
}

static int
open_forges(struct gth_app *app, struct gth_err *err)
{
	size_t i;
	int r;

	if (app->cfg->n_forges == 0)
		return gth_err_set(err, -GTH_E_CONFIG, "%s: no [forge] is configured; see "
		    "gatehouse(1), CONFIGURATION", app->cfg->path);
	if ((r = gth_forge_global_init(err)) != 0)
		return r;
	app->forges = xcalloc(app->cfg->n_forges, sizeof(*app->forges));
	app->logins = xcalloc(app->cfg->n_forges, sizeof(*app->logins));
	app->hosts = xcalloc(app->cfg->n_forges, sizeof(*app->hosts));
	for (i = 0; i < app->cfg->n_forges; i++) {
		const struct gth_config_forge *cf = &app->cfg->forges[i];
		struct gth_forge_config fc;
		struct gth_err ferr;

		forge_config_from(cf, app->cache_dir, &fc);
		gth_err_clear(&ferr);
		r = gth_forge_new(&fc, &app->forges[app->n_forges], &ferr);
		gth_forge_config_release(&fc);
		if (r != 0)
			return gth_err_set(err, r, "forge \"%s\" (%s): %s", cf->name,
			    cf->origin != NULL ? cf->origin : app->cfg->path, gth_err_text(&ferr, r));
		app->hosts[app->n_forges] = host_of(cf->web_url != NULL ? cf->web_url :
		    cf->url != NULL ? cf->url : "github.com");
		app->n_forges++;
	}
	/*
	 * libgit2's trust store is process-wide: the first forge's CA bundle
	 * (the usual case is one enterprise CA) serves every mirror.
	 */
	if ((r = gth_git_init(app->cfg->forges[0].ca_bundle, NULL, err)) != 0)
		return r;
	app->git_inited = true;
	return 0;
}

int
gth_app_open(const struct gth_app_opts *opts, unsigned what, struct gth_app **out,
	struct gth_err *err)
{
	struct gth_app *app = xcalloc(1, sizeof(*app));
	int r;

	*out = NULL;
	pthread_mutex_init(&app->login_lock, NULL);
	app->opts = *opts;
	memset(&app->opts.overrides, 0, sizeof(app->opts.overrides));
	r = gth_config_load(opts->config_path, &opts->overrides, &app->cfg, err);
	if (r == -GTH_E_NOTFOUND)
		r = -GTH_E_CONFIG;	/* a config named on the command line that is not there */
	if (r != 0)
		goto out;
	app->cache_dir = xstrdup(app->cfg->cache_dir);
	app->state_dir = xstrdup(app->cfg->state_dir);
	if ((what & GTH_APP_POLICY) != 0) {
		r = gth_policy_load((const char *const *)app->cfg->policy_paths.v,
		    app->cfg->policy_paths.n, &app->policy, err);
		if (r != 0)
			goto out;
	}
	if ((what & GTH_APP_FORGES) != 0 && (r = open_forges(app, err)) != 0)
		goto out;
	if ((what & GTH_APP_OUTBOX) != 0 && (r = gth_app_open_outbox(app, err)) != 0)
		goto out;
	*out = app;
	app = NULL;
out:
	gth_app_free(app);
	return r;
}

/* mkdir -p with 0700 for what we create: state holds unsent decisions. */
static int
mkdirs(const char *path, struct gth_err *err)
{
	char *p = xstrdup(path), *s;
	int r = 0;

	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				r = gth_err_set(err, -GTH_E_IO, "cannot create %s: %s", p,
				    strerror(errno));
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return r;
}

int
gth_app_open_outbox(struct gth_app *app, struct gth_err *err)
{
	char *audit_path = NULL, *outbox_dir = NULL;
	size_t pending = 0;
	int r;

	if (app->outbox != NULL)
		return 0;
	if ((r = mkdirs(app->state_dir, err)) != 0)
		return r;
	audit_path = xasprintf("%s/audit.jsonl", app->state_dir);
	outbox_dir = xasprintf("%s/outbox", app->state_dir);
	r = gth_audit_open(audit_path, app->cfg->audit_syslog, &app->audit, err);
	if (r == 0)
		r = gth_outbox_open(outbox_dir, app->audit, &app->outbox, err);
	if (r == 0)
		gth_outbox_set_settle(app->outbox, (app->cfg->outbox_settle_ms + 999) / 1000);
	/* Anything a crash left half-delivered goes back to be retried. */
	if (r == 0)
		r = gth_outbox_recover(app->outbox, &pending, err);
	free(audit_path);
	free(outbox_dir);
	return r;
}

void
gth_app_free(struct gth_app *app)
{
	size_t i;

	if (app == NULL)
		return;
	gth_outbox_close(app->outbox);
	gth_audit_close(app->audit);
	for (i = 0; i < app->n_forges; i++) {
		gth_forge_free(app->forges[i]);
		if (app->readers != NULL)
			gth_forge_free(app->readers[i]);
	}
	free(app->readers);
	if (app->forges != NULL && app->cfg != NULL) {
		for (i = 0; i < app->cfg->n_forges; i++) {
			free(app->logins[i]);
			free(app->hosts[i]);
		}
	}
	free(app->forges);
	free(app->logins);
	free(app->hosts);
	if (app->git_inited)
		gth_git_shutdown();
	gth_policy_free(app->policy);
	gth_config_free(app->cfg);
	free(app->cache_dir);
	free(app->state_dir);
	pthread_mutex_destroy(&app->login_lock);
	free(app);
}

struct gth_forge *
gth_app_forge(const struct gth_app *app, const char *name)
{
	size_t i;

	for (i = 0; i < app->n_forges; i++)
		if (name == NULL || strcmp(gth_forge_name(app->forges[i]), name) == 0)
			return app->forges[i];
	return NULL;
}

size_t
gth_app_forge_index(const struct gth_app *app, const struct gth_forge *f)
{
	size_t i;

	for (i = 0; i < app->n_forges; i++)
		if (app->forges[i] == f || (app->readers != NULL && app->readers[i] == f))
			return i;
	return 0;
}

void
gth_app_open_readers(struct gth_app *app)
{
	size_t i;

	if (app->readers != NULL || app->n_forges == 0)
		return;
	app->readers = xcalloc(app->n_forges, sizeof(*app->readers));
	for (i = 0; i < app->n_forges; i++)
		app->readers[i] = gth_forge_twin(app->forges[i]);
}

struct gth_forge *
gth_app_reader(const struct gth_app *app, const struct gth_forge *f)
{
	size_t i = gth_app_forge_index(app, f);

	return app->readers != NULL ? app->readers[i] : (struct gth_forge *)f;
}

int
gth_app_login(struct gth_app *app, struct gth_forge *f, const char **login, volatile int *cancel,
	struct gth_err *err)
{
	size_t i = gth_app_forge_index(app, f);
	const struct gth_config_forge *cf = &app->cfg->forges[i];
	char *who = NULL;
	int r;

	pthread_mutex_lock(&app->login_lock);
	*login = app->logins[i];
	pthread_mutex_unlock(&app->login_lock);
	if (*login != NULL)
		return 0;
	/* Asked without the lock: the other lane may ask too, and the first answer stays. */
	if ((r = gth_forge_whoami(f, &who, cancel, err)) != 0)
		return r;
	if (cf->user != NULL && strcmp(cf->user, who) != 0) {
		r = gth_err_set(err, -GTH_E_AUTH, "forge \"%s\": the token belongs to %s, "
		    "not to %s as configured", cf->name, who, cf->user);
		free(who);
		return r;
	}
	pthread_mutex_lock(&app->login_lock);
	if (app->logins[i] == NULL) {
		app->logins[i] = who;
		who = NULL;
	}
	*login = app->logins[i];
	pthread_mutex_unlock(&app->login_lock);
	free(who);
	return 0;
}

struct gth_forge *
app_forge_for_host(struct gth_app *app, const char *host)
{
	size_t i;

	for (i = 0; host != NULL && i < app->n_forges; i++)
		if (strcmp(app->hosts[i], host) == 0)
			return app->forges[i];
	return NULL;
}

const char *
app_sign_key(const struct gth_app *app)
{
	return app->cfg->sign_key_from_git ? NULL : app->cfg->sign_key;
}

const char *
app_git_signingkey(const struct gth_app *app)
{
	return app->cfg->git_signing_key;
}

const char *
app_git_gpg_format(const struct gth_app *app)
{
	return app->cfg->git_gpg_format;
}

const char *
app_allowed_signers(const struct gth_app *app)
{
	return app->cfg->allowed_signers;
}
