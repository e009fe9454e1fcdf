/* Durable writes and renames (fsync file, rename, fsync directory). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/fsutil.h"

void (*gth_fs_step_hook)(const char *step);

int
gth_fs_write_all(int fd, const void *p, size_t n, struct gth_err *err)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return gth_err_set(err, -GTH_E_IO, "write: %s",
				w < 0 ? strerror(errno) : "no progress");
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
gth_fs_fsync_dir(const char *path, struct gth_err *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return gth_err_set(err, -GTH_E_IO, "open %s: %s", path, strerror(errno));
	if (fsync(fd) != 0)
		r = gth_err_set(err, -GTH_E_IO, "fsync %s: %s", path, strerror(errno));
	close(fd);
	return r;
}

int
gth_fs_mkdirs(const char *path, struct gth_err *err)
{
	char *p = xstrdup(path), *s;
	int r = 0;

	for (s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				r = gth_err_set(err, -GTH_E_IO, "mkdir %s: %s", p, strerror(errno));
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return r;
}

static char *
dir_of(const char *path)
{
	char *c = xstrdup(path), *d = xstrdup(dirname(c));

	free(c);
	return d;
}

int
gth_fs_write_atomic(const char *path, const void *data, size_t n, struct gth_err *err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid()), *dir = dir_of(path);
	int fd, r;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = gth_err_set(err, -GTH_E_IO, "create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if ((r = gth_fs_write_all(fd, data, n, err)) == 0 && fsync(fd) != 0)
		r = gth_err_set(err, -GTH_E_IO, "fsync %s: %s", tmp, strerror(errno));
	if (close(fd) != 0 && r == 0)
		r = gth_err_set(err, -GTH_E_IO, "close %s: %s", tmp, strerror(errno));
	if (r != 0) {
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		r = gth_err_set(err, -GTH_E_IO, "rename %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	r = gth_fs_fsync_dir(dir, err);
out:
	free(tmp);
	free(dir);
	return r;
}

int
gth_fs_rename_durable(const char *from, const char *to, struct gth_err *err)
{
	char *d1 = dir_of(from), *d2 = dir_of(to);
	int r;

	if (rename(from, to) != 0) {
		r = gth_err_set(err, -GTH_E_IO, "rename %s: %s", from, strerror(errno));
		goto out;
	}
	/* The destination's entry first: it is the one that must survive. */
	if ((r = gth_fs_fsync_dir(d2, err)) == 0 && strcmp(d1, d2) != 0)
		r = gth_fs_fsync_dir(d1, err);
out:
	free(d1);
	free(d2);
	return r;
}

int
gth_fs_read_file(const char *path, size_t max, char **out, size_t *len, struct gth_err *err)
{
	struct gth_buf b = GTH_BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int fd, r = 0;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return gth_err_set(err, errno == ENOENT ? -GTH_E_NOTFOUND : -GTH_E_IO,
			"open %s: %s", path, strerror(errno));
	gth_buf_init(&b, max);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = gth_err_set(err, -GTH_E_IO, "read %s: %s", path, strerror(errno));
			break;
		}
		if ((r = gth_buf_add(&b, chunk, (size_t)n)) != 0) {
			gth_err_set(err, r, "%s is too large", path);
			break;
		}
	}
	close(fd);
	if (r != 0) {
		gth_buf_release(&b);
		return r;
	}
	*out = gth_buf_take(&b, len);
	return 0;
}
