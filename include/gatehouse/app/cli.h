/*
 * Subcommands.  Each parses its own options (after the global ones main()
 * took), prints to stdout/stderr and returns an exit status (enum gth_exit).
 */
#ifndef GATEHOUSE_APP_CLI_H
#define GATEHOUSE_APP_CLI_H

#include <stdio.h>

#include "gatehouse/app/app.h"

int gth_cli_list(const struct gth_app_opts *opts, int argc, char **argv);
int gth_cli_show(const struct gth_app_opts *opts, int argc, char **argv);
int gth_cli_decide(const struct gth_app_opts *opts, int argc, char **argv);
int gth_cli_verify(const struct gth_app_opts *opts, int argc, char **argv);
int gth_cli_sync(const struct gth_app_opts *opts, int argc, char **argv);
int gth_cli_log(const struct gth_app_opts *opts, int argc, char **argv);
int gth_cli_doctor(const struct gth_app_opts *opts, int argc, char **argv);
/* The console (no subcommand). */
int gth_cli_console(const struct gth_app_opts *opts, int argc, char **argv);

/* Usage of one subcommand (NULL = the whole program) to f. */
void gth_cli_usage(FILE *f, const char *cmd);

#endif
