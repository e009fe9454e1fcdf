/*
 * The main configuration file: validation, defaults, XDG paths, git fallbacks.
 *
 * Entries come from cfg.h in file order, overrides last, so "later wins"
 * for single-valued keys falls out of a plain loop.  Derived values
 * (GraphQL and web URLs, default queries, directories) are filled in after
 * every entry is read, so that `-c forge.github.url=...` also moves them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/config.h"

/* The GitHub search API allows 30 requests a minute: do not refresh faster than this. */
#define REFRESH_MIN_MS (30L * 1000)
#define REFRESH_MAX_MS (24L * 3600 * 1000)
#define REFRESH_DEFAULT_MS (5L * 60 * 1000)
/* How long a lost review post may take to show in the forge's list (decide/outbox.h). */
#define OUTBOX_SETTLE_DEFAULT_MS (60L * 1000)
#define OUTBOX_SETTLE_MAX_MS (24L * 3600 * 1000)

const char *const gth_config_default_github_queries[] = {
	"is:pr is:open archived:false label:needs-checkpoint",
	"is:pr is:open archived:false review-requested:@me",
	NULL,
};

const char *
gth_config_forge_kind_name(enum gth_forge_kind k)
{
	switch (k) {
	case GTH_FORGE_GITHUB:
		return "github";
	case GTH_FORGE_GITLAB:
		return "gitlab";
	case GTH_FORGE_GITEA:
		return "gitea";
	}
	return "?";
}

static int
kind_parse(const char *s, enum gth_forge_kind *out)
{
	if (gth_str_eq(s, "github"))
		*out = GTH_FORGE_GITHUB;
	else if (gth_str_eq(s, "gitlab"))
		*out = GTH_FORGE_GITLAB;
	else if (gth_str_eq(s, "gitea") || gth_str_eq(s, "forgejo"))
		*out = GTH_FORGE_GITEA;
	else
		return -GTH_E_PARSE;
	return 0;
}

static void
forge_release(struct gth_config_forge *f)
{
	free(f->name);
	free(f->url);
	free(f->graphql_url);
	free(f->web_url);
	free(f->token_env);
	free(f->token_command);
	free(f->token_file);
	free(f->ca_bundle);
	gth_strvec_clear(&f->queries);
	gth_strvec_clear(&f->agents);
	free(f->user);
	free(f->origin);
}

void
gth_config_free(struct gth_config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_forges; i++)
		forge_release(&c->forges[i]);
	free(c->forges);
	free(c->path);
	free(c->sign_key);
	free(c->allowed_signers);
	free(c->git_gpg_format);
	free(c->git_signing_key);
	free(c->git_allowed_signers);
	free(c->theme);
	free(c->config_dir);
	free(c->cache_dir);
	free(c->state_dir);
	gth_strvec_clear(&c->policy_paths);
	gth_cfg_release(&c->raw);
	free(c);
}

/* An absolute $VAR, or $HOME/fallback; XDG says relative values are to be ignored. */
static char *
xdg_dir(const char *var, const char *fallback)
{
	const char *v = getenv(var), *home = getenv("HOME");

	if (v != NULL && v[0] == '/')
		return xstrdup(v);
	return xasprintf("%s/%s", home != NULL && home[0] == '/' ? home : "/", fallback);
}

/* "~/x" -> "$HOME/x"; anything else is copied. */
static char *
expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && path[1] == '/' && home != NULL && home[0] == '/')
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v != NULL ? xstrdup(v) : NULL;
}

static void
set_path(char **dst, const char *v)
{
	free(*dst);
	*dst = expand_home(v);
}

static int
unknown_key(const struct gth_cfg_entry *e, const char *known, struct gth_err *err)
{
	return gth_cfg_error(err, e, "unknown key %s.%s (known: %s)", e->section, e->key, known);
}

/* A forge URL must be https, except on the loopback interface (test servers). */
static int
check_url(const struct gth_cfg_entry *e, struct gth_err *err)
{
	const char *v = e->value;
	static const char *const loopback[] = { "http://127.0.0.1", "http://localhost",
		"http://[::1]", NULL };
	size_t i;

	if (gth_str_has_prefix(v, "https://") && v[8] != '\0' && v[8] != '/')
		return 0;
	for (i = 0; loopback[i] != NULL; i++) {
		size_t n = strlen(loopback[i]);

		if (strncmp(v, loopback[i], n) == 0 && (v[n] == '\0' || v[n] == ':' ||
		    v[n] == '/'))
			return 0;
	}
	return gth_cfg_error(err, e, "%s.%s: \"%s\" must be an https:// URL (TLS is never off; "
	    "plain http only for 127.0.0.1/localhost)", e->section, e->key, v);
}

static struct gth_config_forge *
forge_for(struct gth_config *c, const struct gth_cfg_entry *e)
{
	struct gth_config_forge *f;
	size_t i;

	for (i = 0; i < c->n_forges; i++)
		if (strcmp(c->forges[i].name, e->subsection) == 0)
			return &c->forges[i];
	f = &GTH_PUSH(c->forges, c->n_forges, c->cap_forges);
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(e->subsection);
	/* A forge named after its kind needs no kind = line. */
	if (kind_parse(e->subsection, &f->kind) < 0)
		f->kind = (enum gth_forge_kind)-1;
	f->origin = e->line > 0 ? xasprintf("%s:%d", e->origin, e->line) :
	    xasprintf("-c forge.%s", e->subsection);
	return f;
}

static int
load_forge(struct gth_config *c, const struct gth_cfg_entry *e, struct gth_err *err)
{
	struct gth_config_forge *f;
	const char *k = e->key;
	int r;

	if (e->subsection == NULL || e->subsection[0] == '\0')
		return gth_cfg_error(err, e, "[forge] needs a name: [forge \"github\"]");
	f = forge_for(c, e);
	if (strcmp(k, "credential-helper") == 0)
		return gth_cfg_entry_bool(e, &f->credential_helper, err);
	if ((r = gth_cfg_entry_need(e, err)) < 0)
		return r;
	if (strcmp(k, "kind") == 0) {
		if (kind_parse(e->value, &f->kind) < 0)
			return gth_cfg_error(err, e, "forge.kind: \"%s\" is not github, gitlab or "
			    "gitea", e->value);
	} else if (strcmp(k, "url") == 0 || strcmp(k, "graphql-url") == 0 ||
	    strcmp(k, "web-url") == 0) {
		char **dst = k[0] == 'u' ? &f->url : k[0] == 'g' ? &f->graphql_url : &f->web_url;
		size_t n;

		if ((r = check_url(e, err)) < 0)
			return r;
		set_str(dst, e->value);
		n = strlen(*dst);
		while (n > 0 && (*dst)[n - 1] == '/')
			(*dst)[--n] = '\0';
	} else if (strcmp(k, "token-env") == 0) {
		set_str(&f->token_env, e->value);
	} else if (strcmp(k, "token-command") == 0) {
		set_str(&f->token_command, e->value);
	} else if (strcmp(k, "token-file") == 0) {
		set_path(&f->token_file, e->value);
	} else if (strcmp(k, "ca-bundle") == 0) {
		set_path(&f->ca_bundle, e->value);
	} else if (strcmp(k, "query") == 0) {
		gth_strvec_push(&f->queries, e->value);
	} else if (strcmp(k, "agent") == 0) {
		gth_strvec_push(&f->agents, e->value);
	} else if (strcmp(k, "user") == 0) {
		set_str(&f->user, e->value);
	} else {
		return unknown_key(e, "kind, url, graphql-url, web-url, token-env, token-command, "
		    "token-file, credential-helper, ca-bundle, query, agent, user", err);
	}
	return 0;
}

static enum gth_sign_key_kind
sign_key_kind(const char *v)
{
	if (gth_str_has_prefix(v, "SHA256:"))
		return GTH_SIGN_KEY_FINGERPRINT;
	if (gth_str_has_prefix(v, "ssh-") || gth_str_has_prefix(v, "ecdsa-sha2-") ||
	    gth_str_has_prefix(v, "sk-ssh-") || gth_str_has_prefix(v, "sk-ecdsa-") ||
	    gth_str_has_prefix(v, "key::"))
		return GTH_SIGN_KEY_LITERAL;
	return GTH_SIGN_KEY_PATH;
}

static void
set_sign_key(struct gth_config *c, const char *v)
{
	/* git writes literal keys as "key::ssh-ed25519 ..." in user.signingkey. */
	if (gth_str_has_prefix(v, "key::"))
		v += 5;
	c->sign_key_kind = sign_key_kind(v);
	if (c->sign_key_kind == GTH_SIGN_KEY_PATH)
		set_path(&c->sign_key, v);
	else
		set_str(&c->sign_key, v);
}

static int
valid_theme_name(const char *s)
{
	const char *p;

	if (s[0] == '.' || strlen(s) > 60)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

static int
load_entry(struct gth_config *c, const struct gth_cfg_entry *e, struct gth_err *err)
{
	const char *s = e->section, *k = e->key;
	int r;

	if (strcmp(s, "forge") == 0)
		return load_forge(c, e, err);
	/* Sections read by ui/: only their key names are ours to check. */
	if (strcmp(s, "keymap") == 0) {
		if (e->subsection == NULL)
			return gth_cfg_error(err, e,
			    "[keymap] needs a map name: [keymap \"queue\"]");
		if (strcmp(k, "bind") != 0)
			return unknown_key(e, "bind", err);
		return gth_cfg_entry_need(e, err);
	}
	if (strcmp(s, "template") == 0) {
		if (e->subsection == NULL)
			return gth_cfg_error(err, e,
			    "[template] needs a name: [template \"NAME\"]");
		if (strcmp(k, "verdict") == 0) {
			if ((r = gth_cfg_entry_need(e, err)) < 0)
				return r;
			if (!gth_str_eq(e->value, "approve") && !gth_str_eq(e->value, "reject") &&
			    !gth_str_eq(e->value, "escalate") && !gth_str_eq(e->value, "any"))
				return gth_cfg_error(err, e, "template.verdict: \"%s\" is not "
				    "approve, reject, escalate or any", e->value);
			return 0;
		}
		if (strcmp(k, "text") == 0)
			return gth_cfg_entry_need(e, err);
		return unknown_key(e, "verdict, text", err);
	}
	if (strcmp(s, "color") == 0)
		return 0;
	if (e->subsection != NULL)
		return gth_cfg_error(err, e, "[%s \"%s\"]: this section takes no name", s,
		    e->subsection);
	if (strcmp(s, "queue") == 0) {
		if (strcmp(k, "refresh") != 0)
			return unknown_key(e, "refresh", err);
		if ((r = gth_cfg_entry_need(e, err)) < 0)
			return r;
		if (gth_parse_duration_ms(e->value, &c->refresh_ms) < 0 ||
		    c->refresh_ms < REFRESH_MIN_MS || c->refresh_ms > REFRESH_MAX_MS)
			return gth_cfg_error(err, e, "queue.refresh: \"%s\" is not a duration from "
			    "30s to 24h (e.g. 5m)", e->value);
		return 0;
	}
	if (strcmp(s, "sign") == 0) {
		if (strcmp(k, "key") != 0 && strcmp(k, "allowed-signers") != 0)
			return unknown_key(e, "key, allowed-signers", err);
		if ((r = gth_cfg_entry_need(e, err)) < 0)
			return r;
		if (strcmp(k, "key") == 0)
			set_sign_key(c, e->value);
		else
			set_path(&c->allowed_signers, e->value);
		return 0;
	}
	if (strcmp(s, "ui") == 0) {
		if (strcmp(k, "ascii") == 0)
			return gth_cfg_entry_bool(e, &c->ascii, err);
		if (strcmp(k, "mouse") == 0)
			return gth_cfg_entry_bool(e, &c->mouse, err);
		if (strcmp(k, "tabs") == 0)
			return gth_cfg_entry_bool(e, &c->tabs, err);
		if (strcmp(k, "theme") != 0)
			return unknown_key(e, "theme, ascii, tabs, mouse", err);
		if ((r = gth_cfg_entry_need(e, err)) < 0)
			return r;
		if (!valid_theme_name(e->value))
			return gth_cfg_error(err, e, "ui.theme: \"%s\" is not a theme name (default, "
			    "light, high-contrast, mono, or a file name in themes/)", e->value);
		set_str(&c->theme, e->value);
		return 0;
	}
	if (strcmp(s, "audit") == 0) {
		if (strcmp(k, "syslog") != 0)
			return unknown_key(e, "syslog", err);
		return gth_cfg_entry_bool(e, &c->audit_syslog, err);
	}
	if (strcmp(s, "core") == 0) {
		if (strcmp(k, "cache-dir") != 0 && strcmp(k, "state-dir") != 0 &&
		    strcmp(k, "outbox-settle") != 0)
			return unknown_key(e, "cache-dir, state-dir, outbox-settle", err);
		if ((r = gth_cfg_entry_need(e, err)) < 0)
			return r;
		if (k[0] == 'o') {
			if (gth_parse_duration_ms(e->value, &c->outbox_settle_ms) < 0 ||
			    c->outbox_settle_ms > OUTBOX_SETTLE_MAX_MS)
				return gth_cfg_error(err, e, "core.outbox-settle: \"%s\" is not a "
				    "duration from 0 to 24h (e.g. 60s)", e->value);
			return 0;
		}
		set_path(k[0] == 'c' ? &c->cache_dir : &c->state_dir, e->value);
		return 0;
	}
	return gth_cfg_error(err, e, "unknown section [%s] (known: core, forge, queue, sign, ui, "
	    "template, keymap, color, audit)", s);
}

/* Strip suffix from url if present; returns a new string or NULL. */
static char *
strip_suffix(const char *url, const char *suffix)
{
	size_t n = strlen(url), m = strlen(suffix);

	if (n > m && strcmp(url + n - m, suffix) == 0)
		return xstrndup(url, n - m);
	return NULL;
}

static int
finish_forge(struct gth_config_forge *f, struct gth_err *err)
{
	char *base;

	if ((int)f->kind < 0)
		return gth_err_set(err, -GTH_E_CONFIG, "%s: forge %s needs kind = github, gitlab "
		    "or gitea", f->origin, f->name);
	switch (f->kind) {
	case GTH_FORGE_GITHUB:
		if (f->url == NULL)
			f->url = xstrdup("https://api.github.com");
		if (strcmp(f->url, "https://api.github.com") == 0) {
			if (f->graphql_url == NULL)
				f->graphql_url = xstrdup("https://api.github.com/graphql");
			if (f->web_url == NULL)
				f->web_url = xstrdup("https://github.com");
		} else if ((base = strip_suffix(f->url, "/api/v3")) != NULL) {
			/* GitHub Enterprise Server. */
			if (f->graphql_url == NULL)
				f->graphql_url = xasprintf("%s/api/graphql", base);
			if (f->web_url == NULL)
				f->web_url = xstrdup(base);
			free(base);
		} else if (f->graphql_url == NULL) {
			f->graphql_url = xasprintf("%s/graphql", f->url);
		}
		if (f->queries.n == 0) {
			size_t i;

			for (i = 0; gth_config_default_github_queries[i] != NULL; i++)
				gth_strvec_push(&f->queries, gth_config_default_github_queries[i]);
		}
		break;
	case GTH_FORGE_GITLAB:
		if (f->url == NULL)
			f->url = xstrdup("https://gitlab.com/api/v4");
		if ((base = strip_suffix(f->url, "/api/v4")) != NULL) {
			if (f->graphql_url == NULL)
				f->graphql_url = xasprintf("%s/api/graphql", base);
			if (f->web_url == NULL)
				f->web_url = xstrdup(base);
			free(base);
		}
		if (f->token_env == NULL)
			f->token_env = xstrdup("GITLAB_TOKEN");
		break;
	case GTH_FORGE_GITEA:
		if (f->url == NULL)
			return gth_err_set(err, -GTH_E_CONFIG, "%s: forge %s (gitea) needs url = "
			    "https://HOST/api/v1", f->origin, f->name);
		if (f->web_url == NULL && (base = strip_suffix(f->url, "/api/v1")) != NULL)
			f->web_url = base;
		if (f->token_env == NULL)
			f->token_env = xstrdup("GITEA_TOKEN");
		break;
	}
	return 0;
}

static void
git_fallbacks(struct gth_config *c)
{
	git_config *gc = NULL, *snap = NULL;
	git_buf b = { NULL, 0, 0 };
	static int initialized;

	if (!initialized) {
		git_libgit2_init();
		initialized = 1;
	}
	if (git_config_open_default(&gc) < 0)
		return;
	if (git_config_snapshot(&snap, gc) < 0)
		goto out;
	if (git_config_get_string_buf(&b, snap, "gpg.format") == 0)
		c->git_gpg_format = xstrdup(b.ptr);
	git_buf_dispose(&b);
	if (git_config_get_string_buf(&b, snap, "user.signingkey") == 0)
		c->git_signing_key = xstrdup(b.ptr);
	git_buf_dispose(&b);
	if (git_config_get_path(&b, snap, "gpg.ssh.allowedSignersFile") == 0)
		c->git_allowed_signers = xstrdup(b.ptr);
	git_buf_dispose(&b);
out:
	git_config_free(snap);
	git_config_free(gc);
	git_error_clear();
}

static int
finish(struct gth_config *c, struct gth_err *err)
{
	size_t i;
	int r;

	/* No forge configured: github.com with the token from GH_TOKEN/GITHUB_TOKEN. */
	if (c->n_forges == 0) {
		struct gth_config_forge *f = &GTH_PUSH(c->forges, c->n_forges, c->cap_forges);

		memset(f, 0, sizeof(*f));
		f->name = xstrdup("github");
		f->kind = GTH_FORGE_GITHUB;
		f->origin = xstrdup("default");
	}
	for (i = 0; i < c->n_forges; i++)
		if ((r = finish_forge(&c->forges[i], err)) < 0)
			return r;
	if (c->cache_dir == NULL) {
		char *d = xdg_dir("XDG_CACHE_HOME", ".cache");

		c->cache_dir = xasprintf("%s/gatehouse", d);
		free(d);
	}
	if (c->state_dir == NULL) {
		char *d = xdg_dir("XDG_STATE_HOME", ".local/state");

		c->state_dir = xasprintf("%s/gatehouse", d);
		free(d);
	}
	gth_strvec_push(&c->policy_paths, "/etc/gatehouse/policy");
	gth_strvec_push_take(&c->policy_paths, xasprintf("%s/policy", c->config_dir));
	/* Only an SSH signing setup in git is a usable fallback. */
	if (c->sign_key == NULL) {
		git_fallbacks(c);
		if (c->git_signing_key != NULL && gth_str_eq(c->git_gpg_format, "ssh")) {
			set_sign_key(c, c->git_signing_key);
			c->sign_key_from_git = true;
		}
		if (c->allowed_signers == NULL && c->git_allowed_signers != NULL)
			set_path(&c->allowed_signers, c->git_allowed_signers);
	}
	return 0;
}

int
gth_config_load(const char *path_or_NULL, const struct gth_strvec *overrides,
	struct gth_config **out, struct gth_err *err)
{
	struct gth_config *c = xcalloc(1, sizeof(*c));
	char *xdg = xdg_dir("XDG_CONFIG_HOME", ".config");
	size_t i;
	int r;

	*out = NULL;
	gth_cfg_init(&c->raw);
	c->refresh_ms = REFRESH_DEFAULT_MS;
	c->outbox_settle_ms = OUTBOX_SETTLE_DEFAULT_MS;
	c->config_dir = xasprintf("%s/gatehouse", xdg);
	free(xdg);
	c->path = path_or_NULL != NULL ? xstrdup(path_or_NULL) :
	    xasprintf("%s/config", c->config_dir);
	r = gth_cfg_load_file(&c->raw, c->path, err);
	if (r == -GTH_E_NOTFOUND && path_or_NULL == NULL)
		r = 0;
	else if (r == 0)
		c->file_found = true;
	if (r < 0)
		goto out;
	for (i = 0; overrides != NULL && i < overrides->n; i++)
		if ((r = gth_cfg_add_override(&c->raw, overrides->v[i], err)) < 0)
			goto out;
	for (i = 0; i < c->raw.n; i++)
		if ((r = load_entry(c, &c->raw.v[i], err)) < 0)
			goto out;
	r = finish(c, err);
out:
	if (r < 0) {
		if (err != NULL && r != -GTH_E_NOTFOUND && r != -GTH_E_PERM && r != -GTH_E_IO)
			err->code = -GTH_E_CONFIG;
		gth_config_free(c);
		return r == -GTH_E_NOTFOUND || r == -GTH_E_PERM || r == -GTH_E_IO ? r :
		    -GTH_E_CONFIG;
	}
	*out = c;
	return 0;
}

const struct gth_config_forge *
gth_config_forge(const struct gth_config *c, const char *name)
{
	size_t i;

	if (c->n_forges == 0)
		return NULL;
	if (name == NULL)
		return &c->forges[0];
	for (i = 0; i < c->n_forges; i++)
		if (strcmp(c->forges[i].name, name) == 0)
			return &c->forges[i];
	return NULL;
}
