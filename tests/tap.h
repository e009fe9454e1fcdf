/*
 * Minimal TAP producer for the unit tests (read by automake's tap-driver).
 *
 *	plan(3) or no plan and done_testing();
 *	ok(cond, "what a user would notice");
 *	is_int(got, want, "..."); is_str(got, want, "...");
 *
 * Failures print the got/want values as TAP diagnostics.
 */
#ifndef GATEHOUSE_TESTS_TAP_H
#define GATEHOUSE_TESTS_TAP_H

#include <stdbool.h>

void plan(int n);
void skip_all(const char *why);
bool ok_at(bool cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool is_int_at(long long got, long long want, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
bool is_str_at(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void skip(int n, const char *why);
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan if none was given; return the exit status (non-zero if anything failed). */
int done_testing(void);
/* A fresh temporary directory for this test (removed at exit unless TAP_KEEP is set). */
const char *tap_tmpdir(void);

#define ok(cond, ...) ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) is_int_at((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) is_str_at((got), (want), __FILE__, __LINE__, __VA_ARGS__)

#endif
