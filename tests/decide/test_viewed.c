/*
 * Viewed marks: they come back after a restart; a new head keeps the marks of
 * files it left alone and drops those it changed; hostile paths round-trip;
 * names cannot climb out of the state dir; the count and file size are capped.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/viewed.h"
#include "tap.h"

#define H1 "1111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222"
#define BA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define BB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define BC "cccccccccccccccccccccccccccccccccccccccc"

/* Count the regular files under dir (recursively). */
static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *p;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0)
			n += S_ISDIR(st.st_mode) ? count_files(p) : 1;
		free(p);
	}
	closedir(d);
	return n;
}

int
main(void)
{
	const char *st = tap_tmpdir();
	const char *hostile = "src/evil\nH1 - injected\r\x1b[2J%41 /..";
	struct gth_err err = { 0 };
	struct gth_viewed v;
	char *outside, *statedir;
	int r;

	statedir = xasprintf("%s/state", st);
	r = gth_viewed_load(statedir, "github", "acme/widgets", 7, &v, &err);
	ok(r == 0 && v.n == 0, "no marks before the first one");
	gth_viewed_release(&v);

	ok(gth_viewed_set(statedir, "github", "acme/widgets", 7, "src/a.c", H1, BA, true, &err) == 0,
	   "a file marked viewed is saved");
	ok(gth_viewed_set(statedir, "github", "acme/widgets", 7, "src/b.c", H1, BB, true, &err) == 0,
	   "a second file marked viewed");
	ok(gth_viewed_set(statedir, "github", "acme/widgets", 7, hostile, H1, NULL, true, &err) == 0,
	   "a path with a newline, CR, ESC and '%%' is saved");

	/* A restart: everything comes from the file. */
	r = gth_viewed_load(statedir, "github", "acme/widgets", 7, &v, &err);
	is_int(r, 0, "marks load after a restart");
	is_int((long long)v.n, 3, "three marks come back, not four (the newline did not split one)");
	ok(gth_viewed_holds(&v, "src/a.c", H1, BA) && gth_viewed_holds(&v, "src/b.c", H1, BB),
	   "both files are viewed on the same head");
	ok(gth_viewed_holds(&v, hostile, H1, NULL), "the hostile path round-trips byte for byte");
	ok(!gth_viewed_holds(&v, "src/evil", H1, NULL), "no mark for the path's first line alone");
	/* A new head changed b.c (new blob) and left a.c alone. */
	ok(gth_viewed_holds(&v, "src/a.c", H2, BA), "a new head keeps the mark of an unchanged file");
	ok(!gth_viewed_holds(&v, "src/b.c", H2, BC), "a new head drops the mark of a changed file");
	ok(!gth_viewed_holds(&v, hostile, H2, NULL),
	   "a mark with no known blob lapses on a new head");
	ok(!gth_viewed_holds(&v, "src/c.c", H1, NULL), "a file never marked is not viewed");
	gth_viewed_release(&v);

	ok(gth_viewed_set(statedir, "github", "acme/widgets", 7, "src/a.c", H2, BA, false, &err) == 0,
	   "unmarking is saved");
	r = gth_viewed_load(statedir, "github", "acme/widgets", 7, &v, &err);
	ok(r == 0 && !gth_viewed_holds(&v, "src/a.c", H1, BA) && !gth_viewed_holds(&v, "src/a.c", H2, BA),
	   "an unmarked file is unviewed on every head");
	gth_viewed_release(&v);

	r = gth_viewed_load(statedir, "github", "acme/widgets", 8, &v, &err);
	ok(r == 0 && v.n == 0, "other PRs have their own marks");
	gth_viewed_release(&v);
	r = gth_viewed_load(statedir, "gitlab", "acme/widgets", 7, &v, &err);
	ok(r == 0 && v.n == 0, "the same number on another forge has its own marks");
	gth_viewed_release(&v);

	/* Names from the forge never leave <state>/viewed. */
	ok(gth_viewed_set(statedir, "..", "../x", 1, "x", H1, NULL, true, &err) == 0,
	   "a forge and repository named '..' are stored, encoded");
	outside = xasprintf("%s/x/1", st);
	ok(access(outside, F_OK) != 0, "nothing was written outside the state dir");
	free(outside);
	r = gth_viewed_load(statedir, "..", "../x", 1, &v, &err);
	ok(r == 0 && gth_viewed_holds(&v, "x", H1, NULL), "and read back from inside it");
	gth_viewed_release(&v);
	ok(gth_viewed_set(statedir, "github", "acme/widgets", 7, "x", "HEAD", NULL, true, &err) ==
	   -GTH_E_INVAL, "a head that is not an object id is refused");
	ok(gth_viewed_set(statedir, "github", "acme/widgets", 0, "x", H1, NULL, true, &err) ==
	   -GTH_E_INVAL, "PR number 0 is refused");

	/* Bounded: a file holding more marks than the cap keeps the newest. */
	{
		char *dir = xasprintf("%s/viewed/github/acme%%2fbig", statedir);
		char *file = xasprintf("%s/1", dir);
		FILE *fp;

		ok(gth_viewed_set(statedir, "github", "acme/big", 1, "seed", H1, BA, true, &err) == 0,
		   "a mark for a big PR");
		if (!ok((fp = fopen(file, "w")) != NULL, "the marks file is at %s", file))
			return done_testing();
		fprintf(fp, "gatehouse-viewed 1\n");
		for (int i = 0; i < GTH_VIEWED_MAX + 5; i++)
			fprintf(fp, "%s %s gen/f%05d\n", H1, BA, i);
		fclose(fp);
		ok(gth_viewed_set(statedir, "github", "acme/big", 1, "gen/new", H1, BA, true, &err) == 0,
		   "one more mark on a full file");
		r = gth_viewed_load(statedir, "github", "acme/big", 1, &v, &err);
		ok(r == 0 && v.n == GTH_VIEWED_MAX, "at most %d marks are kept", GTH_VIEWED_MAX);
		ok(!gth_viewed_holds(&v, "gen/f00005", H1, BA) &&
		   gth_viewed_holds(&v, "gen/f00006", H1, BA) && gth_viewed_holds(&v, "gen/new", H1, BA),
		   "the oldest marks went first");
		gth_viewed_release(&v);
		free(dir);
		free(file);
	}
	{
		/* Long hostile paths: the file stays under its cap and still loads. */
		char *longp = xmalloc(4001);

		memset(longp, '\n', 4000);
		longp[4000] = '\0';
		for (int i = 0; i < 120; i++) {
			longp[0] = (char)('A' + i % 26);
			longp[1] = (char)('A' + i / 26);
			if (gth_viewed_set(statedir, "github", "acme/long", 1, longp, H1, NULL, true,
			    &err) != 0)
				break;
		}
		r = gth_viewed_load(statedir, "github", "acme/long", 1, &v, &err);
		ok(r == 0 && v.n > 0 && v.n < 120 && gth_viewed_holds(&v, longp, H1, NULL),
		   "a file of long paths is capped, keeps the newest and loads (%zu marks)", v.n);
		gth_viewed_release(&v);
		free(longp);
	}
	is_int(count_files(statedir), 4, "one small file per PR, no temporary files left");
	free(statedir);
	return done_testing();
}
