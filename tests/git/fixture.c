/* Fixture helpers for the git/ tests. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "gatehouse/base/xalloc.h"

const char *
fx_srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s != NULL && s[0] != '\0' ? s : ".";
}

int
fx_run(const char *const *argv)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
fx_make(const char *dir)
{
	char *script = xasprintf("%s/tests/git/mkfixtures.sh", fx_srcdir());
	const char *argv[] = { "sh", script, dir, NULL };
	int rc = fx_run(argv);

	free(script);
	return rc;
}
