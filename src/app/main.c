/*
 * gatehouse: the reviewer's console for the human checkpoint on pull
 * requests opened by coding agents.  Global options, then a subcommand;
 * without one, the console opens.
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/app/app.h"
#include "gatehouse/app/cli.h"
#include "gatehouse/base/log.h"
#include "gatehouse/base/str.h"

static const struct {
	const char *name;
	int (*fn)(const struct gth_app_opts *, int, char **);
} commands[] = {
	{ "list", gth_cli_list },
	{ "show", gth_cli_show },
	{ "decide", gth_cli_decide },
	{ "verify", gth_cli_verify },
	{ "sync", gth_cli_sync },
	{ "log", gth_cli_log },
	{ "doctor", gth_cli_doctor },
};

static const struct {
	const char *cmd;
	const char *text;
} usages[] = {
	{ NULL,
	  "usage: gatehouse [-c KEY=VALUE]... [--config FILE] [COMMAND [ARGS]]\n"
	  "\n"
	  "Without a command, open the checkpoint console.\n"
	  "\n"
	  "Commands:\n"
	  "  list [--json]                         print the checkpoint queue\n"
	  "  show OWNER/REPO#N [--json]            one PR: risk, reasons, gates, SLA, rationale\n"
	  "  decide OWNER/REPO#N --approve|--reject|--escalate -m REASON [--override TEXT]\n"
	  "                                        record, sign and post a decision\n"
	  "  verify OWNER/REPO#N | FILE [--allowed-signers FILE]\n"
	  "                                        check posted decisions and their signatures\n"
	  "  sync                                  deliver what the outbox holds\n"
	  "  log [--verify]                        print (or verify) the audit log\n"
	  "  doctor                                check config, policy, forges, agent, state\n"
	  "\n"
	  "Options:\n"
	  "  -c KEY=VALUE      override a config value (section.key or section.sub.key)\n"
	  "  --config FILE     read FILE instead of $XDG_CONFIG_HOME/gatehouse/config\n"
	  "  -h, --help        this help; COMMAND --help for a command's own\n"
	  "  --version         print the version\n"
	  "\n"
	  "See gatehouse(1).\n" },
	{ "list", "usage: gatehouse list [--json]\n" },
	{ "show", "usage: gatehouse show [--forge NAME] [--json] OWNER/REPO#N\n" },
	{ "decide",
	  "usage: gatehouse decide OWNER/REPO#N (--approve | --reject | --escalate) -m REASON\n"
	  "                        [--override TEXT] [--head SHA] [--forge NAME]\n" },
	{ "verify",
	  "usage: gatehouse verify [--allowed-signers FILE] [--forge NAME] (OWNER/REPO#N | FILE)\n" },
	{ "sync", "usage: gatehouse sync\n" },
	{ "log", "usage: gatehouse log [--verify]\n" },
	{ "doctor", "usage: gatehouse doctor\n" },
};

void
gth_cli_usage(FILE *f, const char *cmd)
{
	size_t i;

	for (i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
		if (gth_str_eq(usages[i].cmd, cmd))
			fputs(usages[i].text, f);
}

int
main(int argc, char **argv)
{
	struct gth_app_opts opts;
	int i, rc = GTH_EXIT_USAGE;
	size_t k;

	setlocale(LC_ALL, "");
	/* A forge or agent that hangs up is an error to report, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	gth_log_open_from_env();
	memset(&opts, 0, sizeof(opts));
	/* Global options come before the command, as in git. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--version") == 0) {
			printf("gatehouse %s\n", PACKAGE_VERSION);
			rc = GTH_EXIT_OK;
			goto out;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			gth_cli_usage(stdout, NULL);
			rc = GTH_EXIT_OK;
			goto out;
		} else if (strcmp(a, "-c") == 0 && i + 1 < argc) {
			gth_strvec_push(&opts.overrides, argv[++i]);
		} else if (strncmp(a, "-c", 2) == 0 && a[2] != '\0') {
			gth_strvec_push(&opts.overrides, a + 2);
		} else if (strcmp(a, "--config") == 0 && i + 1 < argc) {
			opts.config_path = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			opts.config_path = a + 9;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			fprintf(stderr, "gatehouse: %s needs a value (%s)\n", a,
			    a[1] == 'c' ? "KEY=VALUE" : "FILE");
			goto out;
		} else {
			fprintf(stderr, "gatehouse: unknown option %s\n", a);
			gth_cli_usage(stderr, NULL);
			goto out;
		}
	}
	if (i == argc) {
		rc = gth_cli_console(&opts, 1, argv + argc - 1);
		goto out;
	}
	if (strcmp(argv[i], "help") == 0) {
		const char *topic = i + 1 < argc ? argv[i + 1] : NULL;

		for (k = 0; topic != NULL && k < sizeof(commands) / sizeof(commands[0]); k++)
			if (strcmp(topic, commands[k].name) == 0)
				break;
		if (topic != NULL && k == sizeof(commands) / sizeof(commands[0])) {
			fprintf(stderr, "gatehouse: no command '%s'; see gatehouse --help\n", topic);
			goto out;
		}
		gth_cli_usage(stdout, topic);
		rc = GTH_EXIT_OK;
		goto out;
	}
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		if (strcmp(argv[i], commands[k].name) == 0) {
			/* getopt_long in the command sees argv[0] = the command name. */
			rc = commands[k].fn(&opts, argc - i, argv + i);
			goto out;
		}
	}
	fprintf(stderr, "gatehouse: '%s' is not a command; see gatehouse --help\n", argv[i]);
out:
	gth_strvec_clear(&opts.overrides);
	gth_log_close();
	return rc;
}
