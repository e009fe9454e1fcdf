/* Hash-chained, fsync'd, append-only audit log. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "jsondump.h"
#include "gatehouse/base/sha256.h"
#include "gatehouse/base/buf.h"
#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/audit.h"
#include "gatehouse/decide/fsutil.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct gth_audit {
	char *path;
	char *head_path;
	int fd;
	bool syslog;
};

int
gth_audit_open(const char *path, bool syslog_mirror, struct gth_audit **out,
	struct gth_err *err)
{
	struct gth_audit *a;
	int fd;

	*out = NULL;
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return gth_err_set(err, -GTH_E_IO, "cannot open the audit log %s: %s", path,
			strerror(errno));
	a = xcalloc(1, sizeof(*a));
	a->path = xstrdup(path);
	a->head_path = xasprintf("%s.head", path);
	a->fd = fd;
	a->syslog = syslog_mirror;
	if (syslog_mirror)
		openlog("gatehouse", LOG_PID, LOG_AUTHPRIV);
	*out = a;
	return 0;
}

void
gth_audit_close(struct gth_audit *a)
{
	if (a == NULL)
		return;
	close(a->fd);
	if (a->syslog)
		closelog();
	free(a->path);
	free(a->head_path);
	free(a);
}

/* The last line of the file (without newline) into out; empty file gives seq 0. */
static int
last_line(int fd, struct gth_buf *out, struct gth_err *err)
{
	struct stat st;
	off_t start;
	char *chunk;
	ssize_t n;
	size_t want, i;

	if (fstat(fd, &st) != 0)
		return gth_err_set(err, -GTH_E_IO, "audit log: %s", strerror(errno));
	if (st.st_size == 0)
		return 0;
	want = st.st_size > GTH_AUDIT_LINE_MAX + 1 ? GTH_AUDIT_LINE_MAX + 1 : (size_t)st.st_size;
	start = st.st_size - (off_t)want;
	chunk = xmalloc(want);
	n = pread(fd, chunk, want, start);
	if (n != (ssize_t)want) {
		free(chunk);
		return gth_err_set(err, -GTH_E_IO, "audit log: short read");
	}
	if (chunk[want - 1] != '\n') {
		free(chunk);
		return gth_err_set(err, -GTH_E_CORRUPT, "audit log ends in a partial line: run "
			"gatehouse log --verify");
	}
	for (i = want - 1; i > 0 && chunk[i - 1] != '\n'; i--)
		;
	if (i == 0 && start != 0) {
		free(chunk);
		return gth_err_set(err, -GTH_E_CORRUPT, "audit log: last line too long");
	}
	gth_buf_add(out, chunk + i, want - 1 - i);
	free(chunk);
	return 0;
}

static json_t *
jclean(const char *s)
{
	char *c = gth_sanitize_str(s, strlen(s), GTH_SAN_NO_MIXED, NULL);
	json_t *j = json_string(c);

	free(c);
	return j;
}

int
gth_audit_append(struct gth_audit *a, const char *event, const struct gth_decision *d,
	const char *id, const char *detail, struct gth_err *err)
{
	struct gth_buf last = GTH_BUF_INIT, line = GTH_BUF_INIT;
	json_t *o = NULL, *seqj;
	int bad = 0;
	char prev[65], at[32], *s = NULL, *head = NULL;
	long seq = 0;
	time_t now = time(NULL);
	struct tm tm;
	int r;

	if (flock(a->fd, LOCK_EX) != 0)
		return gth_err_set(err, -GTH_E_IO, "audit log lock: %s", strerror(errno));
	if ((r = last_line(a->fd, &last, err)) != 0)
		goto out;
	if (last.len == 0) {
		memcpy(prev, ZERO_HASH, 65);
	} else {
		json_t *lo = json_loadb(last.data, last.len, 0, NULL);

		seqj = lo ? json_object_get(lo, "seq") : NULL;
		if (!json_is_integer(seqj)) {
			json_decref(lo);
			r = gth_err_set(err, -GTH_E_CORRUPT, "audit log: last line unreadable: run "
				"gatehouse log --verify");
			goto out;
		}
		seq = (long)json_integer_value(seqj);
		json_decref(lo);
		gth_sha256_hex(last.data, last.len, prev);
	}
	gmtime_r(&now, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_object();
	bad |= json_object_set_new(o, "seq", json_integer(seq + 1));
	bad |= json_object_set_new(o, "prev", json_string(prev));
	bad |= json_object_set_new(o, "at", json_string(at));
	bad |= json_object_set_new(o, "event", jclean(event));
	if (d != NULL) {
		bad |= json_object_set_new(o, "id", json_string(d->id));
		if (d->repo != NULL)
			bad |= json_object_set_new(o, "repo", jclean(d->repo));
		bad |= json_object_set_new(o, "number", json_integer(d->number));
		bad |= json_object_set_new(o, "verdict", json_string(gth_verdict_name(d->verdict)));
		if (d->head != NULL)
			bad |= json_object_set_new(o, "head", jclean(d->head));
		if (d->reviewer != NULL)
			bad |= json_object_set_new(o, "reviewer", jclean(d->reviewer));
	} else if (id != NULL) {
		bad |= json_object_set_new(o, "id", jclean(id));
	}
	if (detail != NULL)
		bad |= json_object_set_new(o, "detail", jclean(detail));
	/*
	 * Out of memory makes jansson drop a member silently: a line without
	 * seq or prev would break the chain for good, so write nothing instead.
	 */
	if (o == NULL || bad != 0) {
		r = gth_err_set(err, -GTH_E_NOMEM, "audit entry could not be built");
		goto out;
	}
	s = gth_decide_json_dump(o, JSON_SORT_KEYS | JSON_COMPACT);
	if (s == NULL) {
		r = gth_err_set(err, -GTH_E_NOMEM, "audit entry could not be encoded");
		goto out;
	}
	if (strlen(s) > GTH_AUDIT_LINE_MAX) {
		r = gth_err_set(err, -GTH_E_TOOBIG, "audit entry too large");
		goto out;
	}
	gth_buf_adds(&line, s);
	gth_buf_addc(&line, '\n');
	if ((r = gth_fs_write_all(a->fd, line.data, line.len, err)) != 0)
		goto out;
	if (fsync(a->fd) != 0) {
		r = gth_err_set(err, -GTH_E_IO, "audit log fsync failed: %s", strerror(errno));
		goto out;
	}
	gth_sha256_hex(s, strlen(s), prev);
	head = xasprintf("%ld %s\n", seq + 1, prev);
	if ((r = gth_fs_write_atomic(a->head_path, head, strlen(head), err)) != 0)
		goto out;
	if (a->syslog)
		syslog(LOG_AUTHPRIV | LOG_INFO, "audit %s", s);
	r = 0;
out:
	flock(a->fd, LOCK_UN);
	json_decref(o);
	free(s);
	free(head);
	gth_buf_release(&last);
	gth_buf_release(&line);
	return r;
}

int
gth_audit_check_line(const char *line, size_t len, long seq, const char *prev_hex, char *msg,
	size_t msglen)
{
	json_t *o;
	json_error_t je;
	json_t *sj, *pj, *ej;
	int r = -GTH_E_CORRUPT;

	if (len > GTH_AUDIT_LINE_MAX) {
		snprintf(msg, msglen, "line too long");
		return r;
	}
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(o)) {
		snprintf(msg, msglen, "not a JSON object (edited?)");
		goto out;
	}
	sj = json_object_get(o, "seq");
	pj = json_object_get(o, "prev");
	ej = json_object_get(o, "event");
	if (!json_is_integer(sj) || !json_is_string(pj) || !json_is_string(ej)) {
		snprintf(msg, msglen, "missing seq, prev or event");
		goto out;
	}
	if (json_integer_value(sj) != seq) {
		snprintf(msg, msglen, "seq %lld where %ld was expected (an entry was deleted or "
			"moved)", (long long)json_integer_value(sj), seq);
		goto out;
	}
	if (strcmp(json_string_value(pj), prev_hex) != 0) {
		snprintf(msg, msglen, "prev does not match the line before (that line was edited)");
		goto out;
	}
	r = 0;
out:
	json_decref(o);
	return r;
}

int
gth_audit_verify(const char *path, struct gth_audit_report *rep)
{
	FILE *f;
	char *line = NULL, prev[65], before[65], *headtext = NULL;
	size_t cap = 0;
	ssize_t n;
	long seq = 0, hseq = -1;
	char hhash[65] = "";
	int r = 0;

	memset(rep, 0, sizeof(*rep));
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(rep->msg, sizeof(rep->msg), "cannot read %s: %s", path, strerror(errno));
		return -GTH_E_IO;
	}
	memcpy(prev, ZERO_HASH, 65);
	memcpy(before, ZERO_HASH, 65);
	while ((n = getline(&line, &cap, f)) > 0) {
		size_t len = (size_t)n;

		rep->lines++;
		seq++;
		if (line[len - 1] != '\n') {
			rep->bad_line = seq;
			snprintf(rep->msg, sizeof(rep->msg), "partial last line (truncated)");
			r = -GTH_E_CORRUPT;
			goto out;
		}
		len--;
		if (gth_audit_check_line(line, len, seq, prev, rep->msg, sizeof(rep->msg)) != 0) {
			rep->bad_line = seq;
			r = -GTH_E_CORRUPT;
			goto out;
		}
		memcpy(before, prev, 65);
		gth_sha256_hex(line, len, prev);
	}
	{
		char *hp = xasprintf("%s.head", path);
		FILE *h = fopen(hp, "re");
		size_t hcap = 0;

		free(hp);
		if (h != NULL) {
			if (getline(&headtext, &hcap, h) > 0 &&
			    sscanf(headtext, "%ld %64s", &hseq, hhash) != 2)
				hseq = -2;
			fclose(h);
		}
	}
	/*
	 * A head one entry behind, naming the line before the last, is a crash
	 * between the log's fsync and the head's update: benign.
	 */
	if (hseq >= 0 && hseq == seq - 1 && strcmp(hhash, before) == 0)
		hseq = -1;
	if (hseq == -2 || (hseq >= 0 && (hseq != seq || strcmp(hhash, prev) != 0))) {
		rep->bad_line = seq > 0 ? seq : 1;
		if (hseq > seq)
			snprintf(rep->msg, sizeof(rep->msg), "the log ends at entry %ld but %ld "
				"were written (entries cut off the end)", seq, hseq);
		else
			snprintf(rep->msg, sizeof(rep->msg),
				"last entry does not match the recorded head (edited or replaced)");
		r = -GTH_E_CORRUPT;
	}
out:
	free(line);
	free(headtext);
	fclose(f);
	return r;
}
