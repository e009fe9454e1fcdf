/* TAP output for the unit tests. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static int planned = -1;
static int count;
static int failed;
static char tmpdir[256];

void
plan(int n)
{
	planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

void
skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

static void
vreport(bool pass, const char *file, int line, const char *fmt, va_list ap)
{
	count++;
	printf("%s %d - ", pass ? "ok" : "not ok", count);
	vprintf(fmt, ap);
	printf("\n");
	if (!pass) {
		failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
}

bool
ok_at(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cond, file, line, fmt, ap);
	va_end(ap);
	return cond;
}

bool
is_int_at(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool pass = got == want;

	va_start(ap, fmt);
	vreport(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return pass;
}

static void
print_quoted(const char *label, const char *s)
{
	printf("#   %s", label);
	if (s == NULL) {
		printf("(null)\n");
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			printf("\\n\n#         ");
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("\"\n");
}

bool
is_str_at(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool pass = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;

	va_start(ap, fmt);
	vreport(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass) {
		print_quoted("got:  ", got);
		print_quoted("want: ", want);
	}
	return pass;
}

void
skip(int n, const char *why)
{
	while (n-- > 0) {
		count++;
		printf("ok %d # SKIP %s\n", count, why);
	}
	fflush(stdout);
}

void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void
remove_tmpdir(void)
{
	char cmd[400];

	if (tmpdir[0] == '\0' || getenv("TAP_KEEP") != NULL)
		return;
	/* The path is ours (mkdtemp), so quoting it is safe. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

const char *
tap_tmpdir(void)
{
	const char *base;

	if (tmpdir[0] != '\0')
		return tmpdir;
	base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/gth-test-XXXXXX", base != NULL ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	atexit(remove_tmpdir);
	return tmpdir;
}

int
done_testing(void)
{
	if (planned < 0)
		printf("1..%d\n", count);
	else if (planned != count)
		printf("# planned %d tests but ran %d\n", planned, count);
	fflush(stdout);
	return failed > 0 || (planned >= 0 && planned != count) ? 1 : 0;
}
