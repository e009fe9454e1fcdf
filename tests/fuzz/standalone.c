/*
 * Runs a libFuzzer target as a plain regression test: every file named on
 * the command line (or every file of every directory named there) goes
 * through LLVMFuzzerTestOneInput once, in name order, with a TAP line each.
 * A target reports a broken invariant by aborting, which fails the test.
 *
 * With no arguments it reads FUZZ_DIRS (a ':'-separated list of directories
 * relative to $srcdir, set at build time): the shared hostile corpus and the
 * target's own corpus under tests/fuzz/corpus/.
 *
 * The real fuzzers are the same target files linked with libFuzzer instead
 * of this file (from a configured build directory B):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *	    -I include -I tests -I B tests/fuzz/fuzz_rationale.c \
 *	    src/model/rationale.c src/base/{sanitize,utf8,xalloc,buf}.c -o fuzz_rationale
 *	mkdir -p work && cp -r tests/fixtures/hostile/. tests/fuzz/corpus/rationale/. work/
 *	./fuzz_rationale -max_total_time=600 -max_len=8192 work
 *
 * (fuzz_sanitize needs only the src/base files.)  Keep the inputs that add
 * coverage with "-merge=1 -use_counters=0 tests/fuzz/corpus/<target> work",
 * and add every crash input there once it is fixed.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FUZZ_DIRS
#define FUZZ_DIRS ""
#endif

static int n_tests;

static int
run_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	size_t len = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) != 0) {
		printf("not ok %d - %s: cannot read\n", ++n_tests, path);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		abort();
	while (len < (size_t)st.st_size &&
	    (r = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)r;
	close(fd);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	printf("ok %d - %s\n", ++n_tests, path);
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int fail = 0;
	DIR *d;

	if (stat(path, &st) != 0) {
		printf("not ok %d - %s: missing\n", ++n_tests, path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	if ((d = opendir(path)) == NULL)
		return 1;
	while ((de = readdir(d)) != NULL) {
		char *full;
		size_t fl;

		if (de->d_name[0] == '.')
			continue;
		fl = strlen(path) + strlen(de->d_name) + 2;
		full = malloc(fl);
		names = realloc(names, (n + 1) * sizeof(*names));
		if (full == NULL || names == NULL)
			abort();
		snprintf(full, fl, "%s/%s", path, de->d_name);
		names[n++] = full;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			fail |= run_file(names[i]);
		free(names[i]);
	}
	free(names);
	return fail;
}

int
main(int argc, char **argv)
{
	int i, fail = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			fail |= run_path(argv[i]);
	} else {
		const char *srcdir = getenv("srcdir");
		char dirs[] = FUZZ_DIRS, *p = dirs, *colon, path[4096];

		do {
			if ((colon = strchr(p, ':')) != NULL)
				*colon = '\0';
			if (*p != '\0') {
				snprintf(path, sizeof(path), "%s/%s", srcdir ? srcdir : ".", p);
				fail |= run_path(path);
			}
			p = colon + 1;
		} while (colon != NULL);
	}
	printf("1..%d\n", n_tests);
	return fail;
}
