/* Allocation wrappers that abort cleanly, and secret zeroing. */
#include "config.h"

#include <errno.h>
#if defined(HAVE_MALLOC_TRIM) || defined(HAVE_MALLINFO2)
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gatehouse/base/xalloc.h"

static void (*fatal_hook)(void);
static unsigned long fail_countdown;

void
gth_xalloc_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void
gth_xalloc_fail_after(unsigned long n)
{
	fail_countdown = n;
}

static void __attribute__((noreturn))
out_of_memory(size_t n)
{
	static const char msg[] = "gatehouse: out of memory\n";

	if (fatal_hook != NULL)
		fatal_hook();
	(void)n;
	/* write(2), not stdio: stdio may need memory we do not have. */
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to report to */
	}
	abort();
}

static void *
checked(void *p, size_t n)
{
	if (fail_countdown > 0 && --fail_countdown == 0) {
		free(p);
		out_of_memory(n);
	}
	if (p == NULL)
		out_of_memory(n);
	return p;
}

void *
xmalloc(size_t n)
{
	return checked(malloc(n ? n : 1), n);
}

void *
xcalloc(size_t nmemb, size_t size)
{
	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	return checked(calloc(nmemb, size), nmemb * size);
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	if (nmemb * size == 0)
		nmemb = size = 1;
	return checked(realloc(p, nmemb * size), nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = xmalloc(len + 1);

	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	int len;
	char *s;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		out_of_memory(0);
	s = xmalloc((size_t)len + 1);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
gth_grow(void *pp, size_t *cap, size_t need, size_t elsize)
{
	void **p = pp;
	size_t ncap;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			out_of_memory(SIZE_MAX);
		ncap *= 2;
	}
	*p = xreallocarray(*p, ncap, elsize);
	*cap = ncap;
}

void
gth_explicit_bzero(void *p, size_t n)
{
	if (p == NULL || n == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, n);
#else
	{
		volatile unsigned char *v = p;

		while (n--)
			*v++ = 0;
	}
#endif
}

void
gth_xalloc_trim(void)
{
#ifdef HAVE_MALLOC_TRIM
	(void)malloc_trim(0);
#endif
}

long long
gth_xalloc_in_use(void)
{
#ifdef HAVE_MALLINFO2
	struct mallinfo2 mi = mallinfo2();

	return (long long)mi.uordblks + (long long)mi.hblkhd;
#else
	return -1;
#endif
}

void
gth_freezero(void *p, size_t n)
{
	if (p == NULL)
		return;
	gth_explicit_bzero(p, n);
	free(p);
}

void
gth_free_secret(char *s)
{
	if (s == NULL)
		return;
	gth_freezero(s, strlen(s));
}
