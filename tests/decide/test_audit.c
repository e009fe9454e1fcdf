/* The audit log: append, verify, and detect edits, deletions, reordering and truncation. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/audit.h"
#include "gatehouse/decide/fsutil.h"
#include "gatehouse/decide/record.h"
#include "tap.h"

#define N 6

static char *path;
static char *lines[N];
static size_t lens[N];

static void
make_log(void)
{
	struct gth_audit *a = NULL;
	struct gth_err err = { 0 };
	struct gth_decision *d = gth_decision_new();
	char *hp = xasprintf("%s.head", path);
	int i;

	unlink(path);
	unlink(hp);
	free(hp);
	gth_decision_new_id(d->id);
	d->repo = xstrdup("example/widget");
	d->number = 12;
	d->head = xstrdup("abc");
	d->reviewer = xstrdup("alice");
	if (gth_audit_open(path, false, &a, &err) != 0) {
		diag("%s", err.msg);
		exit(1);
	}
	for (i = 0; i < N; i++)
		gth_audit_append(a, i % 2 ? "posted" : "recorded", d, NULL,
			i == 3 ? "detail \x1b[2J with ESC" : NULL, &err);
	gth_audit_close(a);
	gth_decision_free(d);
}

/* Split the file into lines (kept with their newline). */
static void
load_lines(void)
{
	char *text = NULL, *p;
	size_t len = 0;
	int i;

	gth_fs_read_file(path, 1 << 20, &text, &len, NULL);
	p = text;
	for (i = 0; i < N; i++) {
		free(lines[i]);
		char *nl = strchr(p, '\n');

		lens[i] = (size_t)(nl - p) + 1;
		lines[i] = xstrndup(p, lens[i]);
		p = nl + 1;
	}
	free(text);
}

/* Rewrite the log from lines in the given order ("012345"), minus '-' positions. */
static void
write_order(const char *order)
{
	FILE *f = fopen(path, "w");
	const char *o;

	for (o = order; *o != '\0'; o++)
		fputs(lines[*o - '0'], f);
	fclose(f);
}

static long
verify_bad_line(const char *label, const char *want_msg)
{
	struct gth_audit_report rep;
	int r = gth_audit_verify(path, &rep);

	ok(r == -GTH_E_CORRUPT, "%s: detected", label);
	if (want_msg != NULL)
		ok(strstr(rep.msg, want_msg) != NULL, "%s: says \"%s\" (%s)", label, want_msg,
		   rep.msg);
	return rep.bad_line;
}

int
main(void)
{
	struct gth_audit_report rep;
	struct gth_audit *a;
	struct gth_err err = { 0 };
	char *edited, *p;
	int i;

	path = xasprintf("%s/audit.jsonl", tap_tmpdir());
	make_log();
	ok(gth_audit_verify(path, &rep) == 0, "fresh log verifies");
	is_int(rep.lines, N, "every append is one line");
	load_lines();
	ok(strncmp(lines[0], "{\"at\":\"", 7) == 0 &&
	   strstr(lines[0], "\"seq\":1,\"verdict\"") != NULL,
	   "entries are canonical JSON with seq");
	ok(strstr(lines[0], "\"prev\":\"0000000000") != NULL, "first entry chains from zero");
	ok(strstr(lines[3], "\x1b") == NULL && strstr(lines[3], "^[") != NULL,
	   "details are sanitized");

	edited = xstrdup(lines[2]);
	p = strstr(edited, "\"posted\"");
	if (p == NULL)
		p = strstr(edited, "\"recorded\"");
	p[1] = 'X';
	free(lines[2]);
	lines[2] = edited;
	write_order("012345");
	is_int(verify_bad_line("edit of line 3", "edited"), 4,
	       "edit of line 3 is reported at line 4");
	make_log();
	load_lines();

	write_order("01345");
	is_int(verify_bad_line("deletion of line 3", "deleted"), 3, "deletion reported at line 3");
	write_order("012354");
	is_int(verify_bad_line("swap of lines 5 and 6", NULL), 5, "reordering reported at line 5");
	write_order("0123");
	is_int(verify_bad_line("last two lines cut off", "cut off"), 4,
	       "truncation reported at the new end");
	write_order("012345");
	{
		FILE *f = fopen(path, "a");

		fputs("{\"seq\":7", f);
		fclose(f);
	}
	is_int(verify_bad_line("torn last line", "partial"), 7, "torn write reported");
	write_order("012345");
	ok(gth_audit_verify(path, &rep) == 0, "restored log verifies again");
	{
		char *last = xstrdup(lines[5]);

		*strstr(last, "\"seq\"") = ' ';
		free(lines[5]);
		lines[5] = last;
		write_order("012345");
	}
	is_int(verify_bad_line("edit of the last line", NULL), 6,
	       "an edit of the last line is caught");

	make_log();
	ok(gth_audit_open(path, false, &a, &err) == 0 &&
	   gth_audit_append(a, "sync", NULL, NULL, NULL, &err) == 0, "appending after reopen");
	gth_audit_close(a);
	ok(gth_audit_verify(path, &rep) == 0 && rep.lines == N + 1, "chain continues across opens");
	for (i = 0; i < N; i++)
		free(lines[i]);
	free(path);
	return done_testing();
}
