/* Shared by the git/ tests: build the fixture repositories and run commands. */
#ifndef GATEHOUSE_TESTS_GIT_FIXTURE_H
#define GATEHOUSE_TESTS_GIT_FIXTURE_H

/* Run argv (argv[0] searched in PATH), wait; returns the exit status or -1. */
int fx_run(const char *const *argv);
/* Run tests/git/mkfixtures.sh into dir; returns 0 on success. */
int fx_make(const char *dir);
/* $top_srcdir or "." */
const char *fx_srcdir(void);

#endif
