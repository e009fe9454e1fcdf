/*
 * Where a forge's token comes from (src/forge/auth.c).  Used by
 * gth_forge_new(); exposed for tests and `gatehouse doctor`.
 */
#ifndef GATEHOUSE_FORGE_AUTH_H
#define GATEHOUSE_FORGE_AUTH_H

#include <stdbool.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"

struct gth_auth_source {
	const char *command;	/* run without a shell; first line of stdout */
	const char *file;	/* first line; refused if mode & 077 */
	const char *env;	/* NULL = GH_TOKEN then GITHUB_TOKEN */
	bool credential_helper;	/* `git credential fill` for host */
	const char *host;
};

/*
 * Resolve the token, trying command, file, env, credential helper in that
 * order (the first configured source decides, except that an unset env
 * falls through to the credential helper).  *token is an owned secret: free
 * with gth_free_secret().  Errors name the source, never the token.
 */
int gth_auth_resolve(const struct gth_auth_source *src, char **token, struct gth_err *err);

/* Split a command line into argv words (blanks, '...', "...", \x); no expansion of any kind. */
int gth_auth_split_command(const char *cmd, struct gth_strvec *argv);

#endif
