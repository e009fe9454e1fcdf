/*
 * Small string helpers and a string list.
 *
 * Number parsing here replaces atoi() & co. (banned): every parser reports
 * junk, overflow and empty input as -GTH_E_PARSE.
 */
#ifndef GATEHOUSE_BASE_STR_H
#define GATEHOUSE_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>

bool gth_str_has_prefix(const char *s, const char *prefix);
bool gth_str_has_suffix(const char *s, const char *suffix);
/* NULL-safe equality. */
bool gth_str_eq(const char *a, const char *b);

/* Copy src into dst (size n > 0), truncating; returns strlen(src) as strlcpy does. */
size_t gth_strlcpy(char *dst, const char *src, size_t n);

/* Parse all of s as a base-10 integer in [min, max]. */
int gth_parse_long(const char *s, long min, long max, long *out);
/* Parse "5", "5s", "250ms", "2m", "1h" into milliseconds. */
int gth_parse_duration_ms(const char *s, long *out);
/* Parse "true/false/yes/no/on/off/1/0" (case-insensitive). */
int gth_parse_bool(const char *s, bool *out);

/* Split "owner/repo#123" into a newly allocated repo and the number. */
int gth_parse_pr_ref(const char *s, char **repo, long *number);

/*
 * A NUL-terminated copy of the len bytes at s in which each NUL byte becomes the caret token
 * "^@" (as the sanitizer shows the other C0 controls): forge text with an embedded NUL is
 * neither cut short there nor hides what follows.  Never NULL; the caller frees it.
 */
char *gth_str_dup_nul_visible(const char *s, size_t len);

/* A list of owned strings. */
struct gth_strvec {
	char **v;
	size_t n;
	size_t cap;
};

#define GTH_STRVEC_INIT { NULL, 0, 0 }

/* Append a copy of s. */
void gth_strvec_push(struct gth_strvec *sv, const char *s);
/* Append s, taking ownership. */
void gth_strvec_push_take(struct gth_strvec *sv, char *s);
bool gth_strvec_has(const struct gth_strvec *sv, const char *s);
void gth_strvec_clear(struct gth_strvec *sv);
/* Deep copy of src appended to dst. */
void gth_strvec_extend(struct gth_strvec *dst, const struct gth_strvec *src);

#endif
