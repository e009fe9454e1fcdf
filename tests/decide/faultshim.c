/*
 * LD_PRELOAD shim for test_faults.sh: fsync and fdatasync fail with EIO,
 * the way a disk that lost a write reports it.
 *
 *	GTH_FAULT_FSYNC=n       call n (1-based, fsync and fdatasync counted
 *	                        together) and every later one fail
 *	GTH_FAULT_FSYNC_ONCE=1  only call n fails
 *	GTH_FAULT_FSYNC_LOG=f   append "fsync <n> <path> ok|EIO" per call to f
 *
 * A failing call does not sync anything, as after a real EIO the data may
 * never reach the disk.
 *
 * malloc, calloc and realloc (every library's, not only xmalloc's) fail
 * once the program calls gth_faultshim_arm():
 *	GTH_FAULT_MALLOC=n      call n after arming returns NULL with ENOMEM, once
 *	GTH_FAULT_MALLOC_LOG=f  at exit, write the number of calls made after arming to f
 *
 * Built by the test script with cc -shared -fPIC.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int fsync(int fd);
int fdatasync(int fd);
void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void gth_faultshim_arm(void);

/* glibc's own allocator, under the names it exports for wrappers like this. */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);

static int armed;
static unsigned long malloc_calls, malloc_fail_at;
static const char *malloc_log;

static void
report_calls(void)
{
	int fd;

	if (malloc_log == NULL || (fd = open(malloc_log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return;
	dprintf(fd, "%lu\n", malloc_calls);
	close(fd);
}

void
gth_faultshim_arm(void)
{
	const char *n = getenv("GTH_FAULT_MALLOC");

	malloc_fail_at = n != NULL ? strtoul(n, NULL, 10) : 0;
	malloc_log = getenv("GTH_FAULT_MALLOC_LOG");
	if (malloc_log != NULL)
		atexit(report_calls);
	armed = 1;
}

static int
malloc_fails(void)
{
	if (!armed)
		return 0;
	malloc_calls++;
	if (malloc_calls != malloc_fail_at)
		return 0;
	errno = ENOMEM;
	return 1;
}

void *
malloc(size_t n)
{
	return malloc_fails() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	return malloc_fails() ? NULL : __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	return malloc_fails() ? NULL : __libc_realloc(p, n);
}

static unsigned long calls;

static int
should_fail(int fd)
{
	const char *n = getenv("GTH_FAULT_FSYNC"), *once = getenv("GTH_FAULT_FSYNC_ONCE");
	const char *logpath = getenv("GTH_FAULT_FSYNC_LOG");
	unsigned long at = 0;
	int fail;

	calls++;
	if (n != NULL)
		at = strtoul(n, NULL, 10);
	fail = at > 0 && (once != NULL ? calls == at : calls >= at);
	if (logpath != NULL) {
		char proc[64], path[PATH_MAX];
		ssize_t l;
		int lfd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		l = readlink(proc, path, sizeof(path) - 1);
		path[l < 0 ? 0 : l] = '\0';
		if (lfd >= 0) {
			dprintf(lfd, "fsync %lu %s %s\n", calls, path, fail ? "EIO" : "ok");
			close(lfd);
		}
	}
	return fail;
}

int
fsync(int fd)
{
	if (should_fail(fd)) {
		errno = EIO;
		return -1;
	}
	return ((int (*)(int))dlsym(RTLD_NEXT, "fsync"))(fd);
}

int
fdatasync(int fd)
{
	if (should_fail(fd)) {
		errno = EIO;
		return -1;
	}
	return ((int (*)(int))dlsym(RTLD_NEXT, "fdatasync"))(fd);
}
