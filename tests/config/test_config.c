/*
 * The main configuration: XDG defaults, every section, -c overrides, git's
 * signing settings as a fallback, and file:line errors for mistakes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/config.h"
#include "tap.h"

static char *home;

static char *
write_file(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", tap_tmpdir(), rel);
	char *dir = xstrdup(path), *p;
	FILE *f;

	/* mkdir -p the parent */
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	free(dir);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

static struct gth_config *
load_text(const char *text, const struct gth_strvec *ov, struct gth_err *err, int *r)
{
	char *path = write_file("cfg/config", text);
	struct gth_config *c = NULL;

	*r = gth_config_load(path, ov, &c, err);
	free(path);
	return c;
}

static void
test_defaults(void)
{
	struct gth_config *c = NULL;
	struct gth_err err;
	char *want;
	const struct gth_config_forge *f;

	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_CACHE_HOME");
	setenv("XDG_STATE_HOME", "relative/state", 1);
	is_int(gth_config_load(NULL, NULL, &c, &err), 0, "no config file: defaults");
	ok(!c->file_found, "file reported as not found");
	want = xasprintf("%s/.config/gatehouse/config", home);
	is_str(c->path, want, "config path defaults to ~/.config/gatehouse/config");
	free(want);
	want = xasprintf("%s/.cache/gatehouse", home);
	is_str(c->cache_dir, want, "cache dir defaults to ~/.cache/gatehouse");
	free(want);
	want = xasprintf("%s/.local/state/gatehouse", home);
	is_str(c->state_dir, want, "a relative XDG_STATE_HOME is ignored, as XDG says");
	free(want);
	is_int(c->refresh_ms, 5 * 60 * 1000, "queue refresh defaults to 5 minutes");
	is_int(c->policy_paths.n, 2, "two policy paths");
	is_str(c->policy_paths.v[0], "/etc/gatehouse/policy", "host policy first");
	want = xasprintf("%s/.config/gatehouse/policy", home);
	is_str(c->policy_paths.v[1], want, "then the user's policy");
	free(want);
	f = gth_config_forge(c, NULL);
	ok(f != NULL && strcmp(f->name, "github") == 0, "github.com is the default forge");
	is_str(f->url, "https://api.github.com", "default REST base");
	is_str(f->graphql_url, "https://api.github.com/graphql", "default GraphQL URL");
	is_str(f->web_url, "https://github.com", "default web URL");
	ok(f->token_env == NULL,
	    "github token env left to the forge default (GH_TOKEN, GITHUB_TOKEN)");
	is_int(f->queries.n, 2, "two default queries");
	is_str(f->queries.v[0], "is:pr is:open archived:false label:needs-checkpoint",
	    "default checkpoint-label query");
	is_str(f->queries.v[1], "is:pr is:open archived:false review-requested:@me",
	    "default review-requested query");
	gth_config_free(c);

	setenv("XDG_CONFIG_HOME", tap_tmpdir(), 1);
	setenv("XDG_CACHE_HOME", "/var/cache/x", 1);
	free(write_file("gatehouse/config", "[queue]\n\trefresh = 2m\n"));
	is_int(gth_config_load(NULL, NULL, &c, &err), 0, "config found through XDG_CONFIG_HOME");
	ok(c->file_found, "file reported as found");
	is_int(c->refresh_ms, 120000, "value read from $XDG_CONFIG_HOME/gatehouse/config");
	is_str(c->cache_dir, "/var/cache/x/gatehouse", "cache dir follows XDG_CACHE_HOME");
	gth_config_free(c);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("XDG_STATE_HOME");

	c = NULL;
	is_int(gth_config_load("/nonexistent/config", NULL, &c, &err), -GTH_E_NOTFOUND,
	    "an explicitly named config file must exist");
	ok(c == NULL, "nothing returned");
}

static const char full[] =
	"[forge \"corp\"]\n"
	"\tkind = github\n"
	"\turl = https://ghe.corp.example/api/v3/\n"
	"\ttoken-file = ~/.config/gatehouse/corp.token\n"
	"\tca-bundle = /etc/ssl/corp-ca.pem\n"
	"\tquery = is:pr is:open org:acme\n"
	"\tquery = is:pr is:open label:agent\n"
	"\tuser = alice\n"
	"\tagent = acme-bot\n"
	"[forge \"gitlab\"]\n"
	"\turl = https://gitlab.corp.example/api/v4\n"
	"\ttoken-command = glab auth token\n"
	"\tcredential-helper\n"
	"[forge \"codeberg\"]\n"
	"\tkind = gitea\n"
	"\turl = https://codeberg.org/api/v1\n"
	"\ttoken-env = CODEBERG_TOKEN\n"
	"[queue]\n"
	"\trefresh = 90s\n"
	"[sign]\n"
	"\tkey = ~/.ssh/id_ed25519.pub\n"
	"\tallowed-signers = ~/.config/gatehouse/allowed_signers\n"
	"[ui]\n"
	"\ttheme = high-contrast\n"
	"\tascii = yes\n"
	"\ttabs = true\n"
	"\tmouse = false\n"
	"[template \"flaky\"]\n"
	"\tverdict = reject\n"
	"\ttext = Tests are flaky; please stabilise them.\n"
	"[keymap \"queue\"]\n"
	"\tbind = a approve\n"
	"\tbind = x none\n"
	"[color]\n"
	"\tstatus = white blue\n"
	"[audit]\n"
	"\tsyslog = on\n"
	"[core]\n"
	"\tcache-dir = /srv/gh-cache\n"
	"\tstate-dir = ~/state\n";

static void
test_full(void)
{
	struct gth_config *c;
	struct gth_err err;
	const struct gth_config_forge *f;
	char *want;
	size_t i, binds = 0;
	int r;

	c = load_text(full, NULL, &err, &r);
	if (!is_int(r, 0, "full config loads"))
		diag("%s", err.msg);
	if (c == NULL)
		return;
	is_int(c->n_forges, 3, "three forges, in file order");
	f = gth_config_forge(c, "corp");
	is_str(f->url, "https://ghe.corp.example/api/v3", "GHES URL, trailing slash dropped");
	is_str(f->graphql_url, "https://ghe.corp.example/api/graphql", "GHES GraphQL derived");
	is_str(f->web_url, "https://ghe.corp.example", "GHES web URL derived");
	want = xasprintf("%s/.config/gatehouse/corp.token", home);
	is_str(f->token_file, want, "token-file: ~ expanded");
	free(want);
	is_str(f->ca_bundle, "/etc/ssl/corp-ca.pem", "ca-bundle");
	is_int(f->queries.n, 2, "configured queries replace the defaults");
	is_str(f->queries.v[1], "is:pr is:open label:agent", "queries keep their order");
	is_str(f->user, "alice", "expected login");
	ok(gth_strvec_has(&f->agents, "acme-bot"), "extra agent login");
	f = gth_config_forge(c, "gitlab");
	is_int(f->kind, GTH_FORGE_GITLAB, "forge named gitlab needs no kind");
	is_str(f->web_url, "https://gitlab.corp.example", "GitLab web URL derived");
	is_str(f->graphql_url, "https://gitlab.corp.example/api/graphql", "GitLab GraphQL derived");
	is_str(f->token_command, "glab auth token", "token-command kept raw for the forge layer");
	ok(f->credential_helper, "bare credential-helper is true");
	is_str(f->token_env, "GITLAB_TOKEN", "GitLab token env default");
	f = gth_config_forge(c, "codeberg");
	is_int(f->kind, GTH_FORGE_GITEA, "gitea kind");
	is_str(f->token_env, "CODEBERG_TOKEN", "configured token env");
	is_str(f->web_url, "https://codeberg.org", "Gitea web URL derived");
	ok(gth_config_forge(c, "nope") == NULL, "unknown forge name");
	is_int(c->refresh_ms, 90000, "refresh 90s");
	want = xasprintf("%s/.ssh/id_ed25519.pub", home);
	is_str(c->sign_key, want, "sign key path, ~ expanded");
	free(want);
	is_int(c->sign_key_kind, GTH_SIGN_KEY_PATH, "sign key is a path");
	ok(!c->sign_key_from_git, "sign key from our config, not git's");
	is_str(c->theme, "high-contrast", "theme");
	ok(c->ascii && !c->mouse, "ascii on, mouse off");
	ok(c->tabs, "panels as tabs on wide screens");
	ok(c->audit_syslog, "syslog on");
	is_str(c->cache_dir, "/srv/gh-cache", "cache-dir");
	want = xasprintf("%s/state", home);
	is_str(c->state_dir, want, "state-dir, ~ expanded");
	free(want);
	for (i = 0; i < c->raw.n; i++)
		if (strcmp(c->raw.v[i].section, "keymap") == 0)
			binds++;
	is_int(binds, 2, "keymap bindings kept raw, in order, for the UI");
	is_str(gth_cfg_get_str(&c->raw, "template", "flaky", "verdict", NULL), "reject",
	    "templates kept raw for the UI");
	gth_config_free(c);
}

static void
test_overrides(void)
{
	struct gth_strvec ov = GTH_STRVEC_INIT;
	struct gth_config *c;
	struct gth_err err;
	const struct gth_config_forge *f;
	int r;

	gth_strvec_push(&ov, "forge.corp.url=https://ghe2.corp.example/api/v3");
	gth_strvec_push(&ov, "queue.refresh=10m");
	gth_strvec_push(&ov, "ui.mouse");
	gth_strvec_push(&ov, "sign.key=SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
	c = load_text(full, &ov, &err, &r);
	is_int(r, 0, "config with -c overrides loads");
	f = gth_config_forge(c, "corp");
	is_str(f->url, "https://ghe2.corp.example/api/v3", "-c overrides the file");
	is_str(f->graphql_url, "https://ghe2.corp.example/api/graphql",
	    "derived URLs follow the override");
	is_int(c->refresh_ms, 600000, "-c queue.refresh");
	ok(c->mouse, "-c ui.mouse (bare) turns it on");
	is_int(c->sign_key_kind, GTH_SIGN_KEY_FINGERPRINT, "-c sign.key fingerprint");
	gth_config_free(c);
	gth_strvec_clear(&ov);

	gth_strvec_push(&ov, "queue.refresh=1s");
	c = load_text("", &ov, &err, &r);
	is_int(r, -GTH_E_CONFIG, "bad -c value refused");
	is_str(err.msg, "-c queue.refresh: \"1s\" is not a duration from 30s to 24h (e.g. 5m)",
	    "error names the -c key once");
	gth_strvec_clear(&ov);
	gth_strvec_push(&ov, "novalue");
	c = load_text("", &ov, &err, &r);
	is_int(r, -GTH_E_CONFIG, "malformed -c refused");
	gth_strvec_clear(&ov);

	c = load_text("", NULL, &err, &r);
	is_int(c != NULL ? c->outbox_settle_ms : -1, 60000, "core.outbox-settle defaults to 60s");
	gth_config_free(c);
	gth_strvec_push(&ov, "core.outbox-settle=0");
	c = load_text("", &ov, &err, &r);
	is_int(c != NULL ? c->outbox_settle_ms : -1, 0, "-c core.outbox-settle=0");
	gth_config_free(c);
	gth_strvec_clear(&ov);
	gth_strvec_push(&ov, "core.outbox-settle=2d");
	c = load_text("", &ov, &err, &r);
	is_str(err.msg, "-c core.outbox-settle: \"2d\" is not a duration from 0 to 24h (e.g. 60s)",
	    "a bad core.outbox-settle is refused");
	gth_strvec_clear(&ov);
}

static void
test_sign_keys(void)
{
	static const struct {
		const char *value;
		enum gth_sign_key_kind kind;
	} keys[] = {
		{ "SHA256:Xa1b2c3", GTH_SIGN_KEY_FINGERPRINT },
		{ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOp alice@host", GTH_SIGN_KEY_LITERAL },
		{ "ecdsa-sha2-nistp256 AAAAE2VjZHNh", GTH_SIGN_KEY_LITERAL },
		{ "sk-ssh-ed25519@openssh.com AAAAGnNr", GTH_SIGN_KEY_LITERAL },
		{ "/keys/id.pub", GTH_SIGN_KEY_PATH },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *text = xasprintf("[sign]\n\tkey = %s\n", keys[i].value);
		struct gth_config *c;
		struct gth_err err;
		int r;

		c = load_text(text, NULL, &err, &r);
		is_int(r, 0, "sign.key %s loads", keys[i].value);
		if (c != NULL) {
			is_int(c->sign_key_kind, keys[i].kind, "sign.key %s kind", keys[i].value);
			is_str(c->sign_key, keys[i].value, "sign.key kept as written");
		}
		gth_config_free(c);
		free(text);
	}
}

static void
test_git_fallback(void)
{
	struct gth_config *c;
	struct gth_err err;
	char *want;
	int r;

	free(write_file("home/.gitconfig", "[gpg]\n\tformat = ssh\n"
	    "[user]\n\tsigningkey = ~/.ssh/git_signing.pub\n"
	    "[gpg \"ssh\"]\n\tallowedSignersFile = ~/.ssh/allowed_signers\n"));
	c = load_text("[ui]\n\tascii = no\n", NULL, &err, &r);
	is_int(r, 0, "config without a signing key loads");
	is_str(c->git_gpg_format, "ssh", "git's gpg.format exposed");
	is_str(c->git_signing_key, "~/.ssh/git_signing.pub", "git's user.signingkey exposed");
	want = xasprintf("%s/.ssh/git_signing.pub", home);
	is_str(c->sign_key, want, "git's SSH signing key used as the fallback");
	free(want);
	ok(c->sign_key_from_git, "and marked as coming from git");
	want = xasprintf("%s/.ssh/allowed_signers", home);
	is_str(c->allowed_signers, want, "git's allowedSignersFile used as the fallback");
	free(want);
	gth_config_free(c);

	c = load_text("[sign]\n\tkey = SHA256:mine\n", NULL, &err, &r);
	is_str(c->sign_key, "SHA256:mine", "our own sign.key wins over git's");
	ok(c->git_signing_key == NULL, "git is not consulted when sign.key is set");
	gth_config_free(c);

	free(write_file("home/.gitconfig", "[user]\n\tsigningkey = 0xDEADBEEF\n"));
	c = load_text("", NULL, &err, &r);
	ok(c->sign_key == NULL, "a GPG signing key is not a fallback");
	is_str(c->git_signing_key, "0xDEADBEEF", "but is exposed");
	gth_config_free(c);
}

static void
test_errors(void)
{
	static const struct {
		const char *text;
		const char *err;	/* after "<path>:" */
	} bad[] = {
		{ "[forge \"github\"]\n\tca-bundel = /x\n",
		  "2: unknown key forge.ca-bundel (known: kind, url, graphql-url, web-url, "
		  "token-env, token-command, token-file, credential-helper, ca-bundle, query, "
		  "agent, user)" },
		{ "[forge \"github\"]\n\turl = http://api.github.com\n",
		  "2: forge.url: \"http://api.github.com\" must be an https:// URL "
		  "(TLS is never off; plain http only for 127.0.0.1/localhost)" },
		{ "[forge \"github\"]\n\tkind = bitbucket\n",
		  "2: forge.kind: \"bitbucket\" is not github, gitlab or gitea" },
		{ "[forge \"corp\"]\n\turl = https://x.example/api/v3\n",
		  "2: forge corp needs kind = github, gitlab or gitea" },
		{ "[forge \"gitea\"]\n\ttoken-env = T\n",
		  "2: forge gitea (gitea) needs url = https://HOST/api/v1" },
		{ "[forge \"gitea\"]\n\ttoken-env\n", "2: forge.token-env needs a value" },
		{ "\n[queue]\n\trefresh = soon\n",
		  "3: queue.refresh: \"soon\" is not a duration from 30s to 24h (e.g. 5m)" },
		{ "[ui]\n\tascii = perhaps\n", "2: ui.ascii: \"perhaps\" is not a boolean" },
		{ "[ui]\n\ttheme = ../../etc/passwd\n",
		  "2: ui.theme: \"../../etc/passwd\" is not a theme name "
		  "(default, light, high-contrast, mono, or a file name in themes/)" },
		{ "[template \"x\"]\n\tverdict = merge\n",
		  "2: template.verdict: \"merge\" is not approve, reject, escalate or any" },
		{ "[keymap \"queue\"]\n\tbnd = a approve\n",
		  "2: unknown key keymap.bnd (known: bind)" },
		{ "[sign]\n\tkeys = x\n",
		  "2: unknown key sign.keys (known: key, allowed-signers)" },
		{ "[queue \"x\"]\n\trefresh = 5m\n",
		  "2: [queue \"x\"]: this section takes no name" },
		{ "[signing]\n\tkey = x\n",
		  "2: unknown section [signing] (known: core, forge, queue, sign, ui, template, "
		  "keymap, color, audit)" },
		{ "[ui]\n\tascii = yes\n[bad\n", "3: missing ']' in section header" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gth_config *c;
		struct gth_err err;
		char *want = xasprintf("%s/cfg/config:%s", tap_tmpdir(), bad[i].err);
		int r;

		c = load_text(bad[i].text, NULL, &err, &r);
		is_int(r, -GTH_E_CONFIG, "bad config %zu refused", i);
		is_str(err.msg, want, "bad config %zu: file:line error", i);
		ok(c == NULL, "bad config %zu: nothing returned", i);
		free(want);
	}
}

int
main(void)
{
	home = xasprintf("%s/home", tap_tmpdir());
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	test_defaults();
	test_full();
	test_overrides();
	test_sign_keys();
	test_git_fallback();
	test_errors();
	free(home);
	return done_testing();
}
