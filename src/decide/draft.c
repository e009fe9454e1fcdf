/* Reason drafts saved atomically per PR; the signal path only sets a flag. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/draft.h"
#include "gatehouse/decide/fsutil.h"

static volatile sig_atomic_t flush_flag;

void
gth_draft_note_signal(void)
{
	flush_flag = 1;
}

bool
gth_draft_flush_requested(void)
{
	if (!flush_flag)
		return false;
	flush_flag = 0;
	return true;
}

/* A path component must not climb out of the drafts directory. */
static bool
safe_part(const char *s, bool allow_slash)
{
	const char *p = s;

	if (s == NULL || *s == '\0' || strlen(s) > 200)
		return false;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/') {
			if (!allow_slash)
				return false;
			p++;
			if (*p == '\0')
				return false;
		}
	}
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static int
draft_path(const char *state_dir, const char *forge, const char *repo, long number,
	char **dir, char **file, struct gth_err *err)
{
	if (!safe_part(forge, false) || !safe_part(repo, true) || number <= 0)
		return gth_err_set(err, -GTH_E_INVAL, "draft: bad forge, repository or number");
	*dir = xasprintf("%s/drafts/%s/%s", state_dir, forge, repo);
	*file = xasprintf("%s/%ld", *dir, number);
	return 0;
}

int
gth_draft_save(const char *state_dir, const char *forge, const char *repo, long number,
	const char *text, struct gth_err *err)
{
	char *dir = NULL, *file = NULL;
	int r;

	if (strlen(text) > GTH_DRAFT_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "draft too long");
	if ((r = draft_path(state_dir, forge, repo, number, &dir, &file, err)) != 0)
		return r;
	if ((r = gth_fs_mkdirs(dir, err)) == 0)
		r = gth_fs_write_atomic(file, text, strlen(text), err);
	free(dir);
	free(file);
	return r;
}

int
gth_draft_load(const char *state_dir, const char *forge, const char *repo, long number,
	char **text, struct gth_err *err)
{
	char *dir = NULL, *file = NULL;
	size_t len;
	int r;

	*text = NULL;
	if ((r = draft_path(state_dir, forge, repo, number, &dir, &file, err)) != 0)
		return r;
	r = gth_fs_read_file(file, GTH_DRAFT_MAX, text, &len, err);
	free(dir);
	free(file);
	return r;
}

int
gth_draft_remove(const char *state_dir, const char *forge, const char *repo, long number,
	struct gth_err *err)
{
	char *dir = NULL, *file = NULL;
	int r;

	if ((r = draft_path(state_dir, forge, repo, number, &dir, &file, err)) != 0)
		return r;
	if (unlink(file) != 0 && errno != ENOENT)
		r = gth_err_set(err, -GTH_E_IO, "draft: %s", strerror(errno));
	else
		r = gth_fs_fsync_dir(dir, NULL) == -GTH_E_IO && errno != ENOENT ? -GTH_E_IO : 0;
	free(dir);
	free(file);
	return r;
}
