/*
 * Token sources: environment, a command run without a shell, a token file
 * (0600 accepted, 0644 refused with a message naming file and mode), and
 * `git credential fill` with a helper configured in a temporary HOME.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/auth.h"
#include "gatehouse/forge/forge.h"
#include "tap.h"

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char buf[4096];
	size_t n;

	if (fp == NULL)
		return xstrdup("");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return xstrdup(buf);
}

static void
spit(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			diag("write %s failed", path);
		close(fd);
	}
	chmod(path, mode);
}

int
main(void)
{
	const char *top = getenv("top_srcdir") != NULL ? getenv("top_srcdir") : ".";
	const char *tmp = tap_tmpdir();
	struct gth_auth_source src;
	struct gth_err err;
	char *tok = NULL, *path, *argvf, *cmd, *got, *pwned;
	int rc;

	unsetenv("GH_TOKEN");
	unsetenv("GITHUB_TOKEN");

	/* environment */
	memset(&src, 0, sizeof(src));
	rc = gth_auth_resolve(&src, &tok, &err);
	is_int(rc, -GTH_E_AUTH, "no source at all -> AUTH");
	ok(strstr(err.msg, "GH_TOKEN") != NULL, "the message says where a token may come from");
	setenv("GITHUB_TOKEN", "ghp_fromGithubToken0001", 1);
	rc = gth_auth_resolve(&src, &tok, &err);
	ok(rc == 0 && gth_str_eq(tok, "ghp_fromGithubToken0001"), "GITHUB_TOKEN by default");
	gth_free_secret(tok);
	setenv("GH_TOKEN", "ghp_fromGhToken0002", 1);
	rc = gth_auth_resolve(&src, &tok, &err);
	ok(rc == 0 && gth_str_eq(tok, "ghp_fromGhToken0002"), "GH_TOKEN first");
	gth_free_secret(tok);
	setenv("CORP_GHE_TOKEN", "ghp_corp0003xxxx", 1);
	src.env = "CORP_GHE_TOKEN";
	rc = gth_auth_resolve(&src, &tok, &err);
	ok(rc == 0 && gth_str_eq(tok, "ghp_corp0003xxxx"), "a configured variable per forge");
	gth_free_secret(tok);
	src.env = "UNSET_TOKEN_VAR";
	rc = gth_auth_resolve(&src, &tok, &err);
	ok(rc == -GTH_E_AUTH && strstr(err.msg, "$UNSET_TOKEN_VAR is not set") != NULL,
	    "an unset configured variable is named: %s", err.msg);

	/* command, no shell */
	memset(&src, 0, sizeof(src));
	argvf = xasprintf("%s/argv", tmp);
	pwned = xasprintf("%s/pwned", tmp);
	setenv("TOKEN_CMD_ARGV", argvf, 1);
	cmd = xasprintf("%s/tests/forge/token-cmd.sh 'two words' ; touch %s $(id)", top, pwned);
	src.command = cmd;
	rc = gth_auth_resolve(&src, &tok, &err);
	ok(rc == 0 && gth_str_eq(tok, "ghp_fromCommand0123456789"), "token from the command's stdout");
	gth_free_secret(tok);
	got = slurp(argvf);
	{
		char *want = xasprintf("two words\n;\ntouch\n%s\n$(id)\n", pwned);

		is_str(got, want, "argv split without a shell: quotes kept together, ; and $() literal");
		free(want);
	}
	ok(access(pwned, F_OK) != 0, "`; touch` was not run");
	ok(strstr(got, "ghp_") == NULL, "the token is not in the command's argv");
	free(got);
	free(cmd);
	cmd = xasprintf("%s/tests/forge/token-cmd.sh fail", top);
	src.command = cmd;
	rc = gth_auth_resolve(&src, &tok, &err);
	ok(rc == -GTH_E_AUTH && strstr(err.msg, "exited with status 3") != NULL,
	    "a failing command is reported: %s", err.msg);
	free(cmd);
	cmd = xasprintf("%s/tests/forge/token-cmd.sh empty", top);
	src.command = cmd;
	rc = gth_auth_resolve(&src, &tok, &err);
	ok(rc == -GTH_E_AUTH && strstr(err.msg, "printed no token") != NULL, "an empty answer is refused");
	free(cmd);
	src.command = "/nonexistent/gh auth token";
	rc = gth_auth_resolve(&src, &tok, &err);
	is_int(rc, -GTH_E_AUTH, "a missing program -> AUTH (exit 127)");
	src.command = "gh 'unbalanced";
	rc = gth_auth_resolve(&src, &tok, &err);
	is_int(rc, -GTH_E_CONFIG, "unbalanced quotes -> CONFIG");

	/* token file */
	memset(&src, 0, sizeof(src));
	path = xasprintf("%s/token", tmp);
	spit(path, "ghp_fromFile0004\n", 0600);
	src.file = path;
	rc = gth_auth_resolve(&src, &tok, &err);
	ok(rc == 0 && gth_str_eq(tok, "ghp_fromFile0004"), "a 0600 token file is read (first line)");
	gth_free_secret(tok);
	spit(path, "ghp_fromFile0004\n", 0644);
	rc = gth_auth_resolve(&src, &tok, &err);
	is_int(rc, -GTH_E_PERM, "a 0644 token file is refused");
	ok(strstr(err.msg, path) != NULL && strstr(err.msg, "0644") != NULL &&
	    strstr(err.msg, "ghp_") == NULL, "message names the file and the mode: %s", err.msg);
	spit(path, "ghp_fromFile0004\n", 0640);
	ok(gth_auth_resolve(&src, &tok, &err) == -GTH_E_PERM, "group-readable (0640) refused too");

	/* through the forge constructor */
	{
		struct gth_forge_config cfg;
		struct gth_forge *f = NULL;

		memset(&cfg, 0, sizeof(cfg));
		cfg.name = "corp";
		cfg.kind = GTH_FORGE_GITHUB;
		cfg.api_url = "https://ghe.example.com/api/v3";
		cfg.token_file = path;
		rc = gth_forge_new(&cfg, &f, &err);
		ok(rc == -GTH_E_PERM && strncmp(err.msg, "forge corp: token file", 22) == 0,
		    "gth_forge_new refuses it, naming the forge: %s", err.msg);
		cfg.token_file = NULL;
		rc = gth_forge_new(&cfg, &f, &err);
		ok(rc == 0 && gth_str_eq(gth_forge_token(f), "ghp_fromGhToken0002"),
		    "gth_forge_new takes GH_TOKEN");
		gth_forge_free(f);
		cfg.api_url = "http://ghe.example.com/api/v3";
		rc = gth_forge_new(&cfg, &f, &err);
		ok(rc == -GTH_E_CONFIG && strstr(err.msg, "plain http") != NULL,
		    "a token is never sent over plain http to another host: %s", err.msg);
		cfg.api_url = "http://127.0.0.1:9/api/v3";
		rc = gth_forge_new(&cfg, &f, &err);
		ok(rc == 0, "plain http to loopback (the test forge) is allowed");
		gth_forge_free(f);
		cfg.kind = GTH_FORGE_GITLAB;
		cfg.api_url = "http://gitlab.example/api/v4";
		rc = gth_forge_new(&cfg, &f, &err);
		ok(rc == -GTH_E_CONFIG && strstr(err.msg, "plain http") != NULL,
		    "the GitLab backend refuses plain http to another host too: %s", err.msg);
	}

	/* git credential fill */
	{
		char *home = xasprintf("%s/home", tmp), *gc, *in;

		mkdir(home, 0700);
		in = xasprintf("%s/helper-in", tmp);
		gc = xasprintf("%s/.gitconfig", home);
		{
			char *text = xasprintf("[credential]\n\thelper = \"!f() { cat > %s; "
			    "echo username=x-access-token; echo password=ghp_fromHelper0005; }; f\"\n", in);

			spit(gc, text, 0600);
			free(text);
		}
		setenv("HOME", home, 1);
		setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
		unsetenv("XDG_CONFIG_HOME");
		unsetenv("GH_TOKEN");
		unsetenv("GITHUB_TOKEN");
		memset(&src, 0, sizeof(src));
		src.credential_helper = true;
		src.host = "ghe.example.com";
		rc = gth_auth_resolve(&src, &tok, &err);
		ok(rc == 0 && gth_str_eq(tok, "ghp_fromHelper0005"), "token from git credential fill: %s",
		    rc == 0 ? "ok" : err.msg);
		gth_free_secret(tok);
		got = slurp(in);
		ok(strstr(got, "protocol=https\n") != NULL && strstr(got, "host=ghe.example.com\n") != NULL,
		    "the helper was asked for https://ghe.example.com on stdin");
		free(got);
		free(home);
		free(gc);
		free(in);
	}
	free(path);
	free(argvf);
	free(pwned);
	return done_testing();
}
