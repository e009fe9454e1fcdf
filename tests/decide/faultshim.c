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
 * never reach the disk.  Built by the test script with cc -shared -fPIC.
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
