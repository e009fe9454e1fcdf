/*
 * Allocation that cannot fail.
 *
 * Out of memory is not recoverable in an interactive console: x*() run the
 * registered fatal hook (app/ uses it to restore the terminal and flush the
 * outbox state), print one line to stderr and abort.  Nothing below app/
 * exits on its own.
 */
#ifndef GATEHOUSE_BASE_XALLOC_H
#define GATEHOUSE_BASE_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
/* reallocarray semantics: overflow of nmemb * size is fatal. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* Copy at most n bytes of s and NUL-terminate. */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * Grow *p (an array of elsize-byte elements with capacity *cap) so that it
 * holds at least need elements.  Doubles; fatal on overflow.
 */
void gth_grow(void *pp, size_t *cap, size_t need, size_t elsize);

/* Append one element: GTH_PUSH(arr, n, cap) = value; */
#define GTH_PUSH(arr, n, cap) \
	(*(gth_grow(&(arr), &(cap), (n) + 1, sizeof(*(arr))), &(arr)[(n)++]))

/* Zero n bytes of p in a way the compiler may not elide, then free(p). p may be NULL. */
void gth_freezero(void *p, size_t n);
/* Zero a NUL-terminated secret string and free it; s may be NULL. */
void gth_free_secret(char *s);
/* Zero n bytes in a way the compiler may not elide. */
void gth_explicit_bzero(void *p, size_t n);

/*
 * Give the heap's free pages back to the system (glibc's malloc_trim; a
 * no-op elsewhere): after a burst of short-lived allocations, so that what
 * they left free does not stay resident under what comes next.
 */
void gth_xalloc_trim(void);

/*
 * Bytes the allocator has handed out and not had back (glibc's mallinfo2:
 * in the heaps and in their own mappings), or -1 where unknown.  What a leak
 * grows, where resident memory also counts the allocator's free pages.
 */
long long gth_xalloc_in_use(void);

/* Called before aborting on out of memory; the hook must not allocate. */
void gth_xalloc_set_fatal_hook(void (*hook)(void));

/* Test hook: make allocation number n (1-based, counting from now) fail; 0 disables. */
void gth_xalloc_fail_after(unsigned long n);

#endif
