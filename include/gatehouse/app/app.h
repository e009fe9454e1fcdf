/*
 * The application: owns configuration, policy, forges, the queue, the
 * outbox and the audit log, and wires the services to the command line and
 * to the console.  Only main.c and the subcommands use this header.
 */
#ifndef GATEHOUSE_APP_APP_H
#define GATEHOUSE_APP_APP_H

#include <stdbool.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"

/* Exit codes (documented in gatehouse(1), EXIT STATUS). */
enum gth_exit {
	GTH_EXIT_OK = 0,
	GTH_EXIT_FAIL = 1,	/* anything not below */
	GTH_EXIT_USAGE = 2,	/* bad command line */
	GTH_EXIT_CONFIG = 3,	/* config or policy file malformed */
	GTH_EXIT_FORGE = 4,	/* forge unreachable, or answered with an error */
	GTH_EXIT_AUTH = 5,	/* token missing or refused */
	GTH_EXIT_STALE = 6,	/* the PR head moved: decision refused */
	GTH_EXIT_SIGN = 7,	/* ssh-agent or key problem */
	GTH_EXIT_VERIFY = 8,	/* a signature or the audit log does not verify */
	GTH_EXIT_PENDING = 9,	/* recorded, but not yet delivered to the forge */
	GTH_EXIT_REFUSED = 10,	/* the policy refuses the decision (gates, no override) */
};

/* Options common to every subcommand. */
struct gth_app_opts {
	const char *config_path;	/* --config, or NULL for the XDG default */
	struct gth_strvec overrides;	/* -c key=value, in order */
	bool json;			/* --json where the subcommand has it */
	bool quiet;
};

/* Map an error code to an exit status. */
enum gth_exit gth_app_exit_for(int code);

/* Print "gatehouse: <detail>" to stderr for err/code. */
void gth_app_complain(const struct gth_err *err, int code);

#endif
