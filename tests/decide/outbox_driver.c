/*
 * Driver for the kill -9 test (test_killloop.sh).
 *
 *	outbox_driver run STATE FORGE N      record N decisions, delivering after each;
 *	                                     prints "recorded <id>" once each is durable
 *	outbox_driver finish STATE FORGE     recover, then deliver until nothing is pending
 *	outbox_driver count STATE FORGE LOG  compare LOG's recorded ids with the forge:
 *	                                     prints "lost=N duplicated=N delivered=N"
 *	outbox_driver audit STATE            verify the audit log
 *	outbox_driver export FORGE DIR       write each posted review's record and signature
 *	                                     as DIR/<n>.json and DIR/<n>.json.sig
 *
 * GTH_KILL_AT=step:n makes the process SIGKILL itself the n-th time it
 * reaches the named durable step (record:written, record:linked,
 * record:durable, deliver:claimed, deliver:before-post, forge:committed,
 * deliver:after-post, deliver:step, deliver:done); the shell loop also kills
 * at random times.  The forge is a directory with its own fsync, so what it
 * committed survives the kill; GTH_CHAOS=percent adds 5xx and dropped replies.
 */
#include "config.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/audit.h"
#include "gatehouse/decide/body.h"
#include "gatehouse/decide/fsutil.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/decide/record.h"

#define SELF "gatehouse-bot"

static const char *kill_step;
static long kill_n;

static void
step_hook(const char *step)
{
	if (kill_step != NULL && strcmp(step, kill_step) == 0 && --kill_n == 0)
		raise(SIGKILL);
}

static void
setup_kill(void)
{
	const char *k = getenv("GTH_KILL_AT");
	char *c;

	if (k == NULL || (c = strrchr(k, ':')) == NULL)
		return;
	kill_step = xstrndup(k, (size_t)(c - k));
	if (gth_parse_long(c + 1, 1, 1000000, &kill_n) != 0)
		kill_step = NULL;
	gth_fs_step_hook = step_hook;
}

static int
open_all(const char *state, struct gth_audit **au, struct gth_outbox **ob)
{
	struct gth_err err = { 0 };
	char *ap = xasprintf("%s/audit.jsonl", state), *od = xasprintf("%s/outbox", state);
	int r;

	gth_fs_mkdirs(state, NULL);
	if ((r = gth_audit_open(ap, false, au, &err)) == 0)
		r = gth_outbox_open(od, *au, ob, &err);
	/*
	 * The directory forge lists what it committed at once, so a lost post
	 * is re-checked and, when absent, re-posted without waiting; what is
	 * tested is that the P step, recorded before each post, leads every
	 * kill back to a check of the forge.
	 */
	if (r == 0)
		gth_outbox_set_settle(*ob, 0);
	if (r != 0)
		fprintf(stderr, "open: %s\n", gth_err_text(&err, r));
	free(ap);
	free(od);
	return r;
}

static void
deliver_all(struct gth_outbox *ob, struct fx_forge *f)
{
	struct gth_outbox_report rep = { 0 };
	struct gth_err err = { 0 };

	gth_outbox_deliver(ob, &fx_forge_ops, f, NULL, &rep, &err);
	gth_outbox_report_release(&rep);
}

static int
cmd_run(const char *state, const char *forgedir, long n)
{
	struct gth_audit *au = NULL;
	struct gth_outbox *ob = NULL;
	struct fx_forge f;
	struct fx_key key;
	const char *chaos = getenv("GTH_CHAOS");
	long i, pct = 0;

	if (open_all(state, &au, &ob) != 0)
		return 1;
	fx_key_init(&key);
	{
		/* Each run signs with a fresh key: list it for ssh-keygen -Y verify. */
		char *line = fx_allowed_line(&key, "reviewer@example.com");
		char *path = xasprintf("%s/allowed_signers", state);
		FILE *as = fopen(path, "a");

		if (as != NULL) {
			fputs(line, as);
			fclose(as);
		}
		free(line);
		free(path);
	}
	fx_forge_init(&f, forgedir, SELF);
	if (chaos != NULL)
		gth_parse_long(chaos, 0, 100, &pct);
	f.chaos = (int)pct;
	f.delay_us = 500;
	gth_outbox_recover(ob, NULL, NULL);
	deliver_all(ob, &f);
	for (i = 0; i < n; i++) {
		char *record, *armored;
		size_t rlen;
		struct gth_err err = { 0 };
		struct gth_decision *d = fx_decision(&key, (enum gth_verdict)(rand() % 3),
			1 + rand() % 50, &record, &rlen, &armored);

		if (gth_outbox_record(ob, d, record, rlen, armored, &err) == 0) {
			/* "recorded" is said only now, as the UI would. */
			printf("recorded %s\n", d->id);
			fflush(stdout);
		} else {
			fprintf(stderr, "record failed: %s\n", err.msg);
		}
		deliver_all(ob, &f);
		gth_decision_free(d);
		free(record);
		free(armored);
	}
	gth_outbox_close(ob);
	gth_audit_close(au);
	fx_forge_release(&f);
	fx_key_release(&key);
	return 0;
}

static int
cmd_finish(const char *state, const char *forgedir)
{
	struct gth_audit *au = NULL;
	struct gth_outbox *ob = NULL;
	struct fx_forge f;
	size_t pending = 1;
	int tries = 0;

	if (open_all(state, &au, &ob) != 0)
		return 1;
	fx_forge_init(&f, forgedir, SELF);
	while (pending > 0 && tries++ < 50) {
		gth_outbox_recover(ob, &pending, NULL);
		deliver_all(ob, &f);
		gth_outbox_recover(ob, &pending, NULL);
	}
	printf("pending=%zu\n", pending);
	gth_outbox_close(ob);
	gth_audit_close(au);
	fx_forge_release(&f);
	return pending == 0 ? 0 : 1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmd_count(const char *state, const char *forgedir, const char *logpath)
{
	struct fx_forge f;
	struct gth_review *v = NULL;
	size_t nv = 0, i, lost = 0, dup = 0, delivered = 0, recorded = 0;
	char *log = NULL, *p;
	size_t loglen = 0;

	fx_forge_init(&f, forgedir, SELF);
	fx_forge_reviews(&f, &v, &nv);
	if (gth_fs_read_file(logpath, 1 << 24, &log, &loglen, NULL) != 0)
		log = xstrdup("");
	for (p = log; (p = strstr(p, "recorded ")) != NULL; p += 9) {
		char id[GTH_DECISION_ID_LEN + 1], *path = NULL, *data = NULL;
		struct gth_outbox_entry e;
		struct gth_decision *d = NULL;
		size_t len, c = 0;

		memcpy(id, p + 9, GTH_DECISION_ID_LEN);
		id[GTH_DECISION_ID_LEN] = '\0';
		recorded++;
		path = xasprintf("%s/outbox/done/%s", state, id);
		if (gth_fs_read_file(path, GTH_OUTBOX_ENTRY_MAX, &data, &len, NULL) != 0 ||
		    gth_outbox_entry_parse(data, len, &e, NULL) != 0) {
			printf("# %s: not in done/\n", id);
			lost++;
			free(path);
			free(data);
			continue;
		}
		if (gth_record_decode(e.record, e.record_len, &d, NULL) == 0) {
			for (i = 0; i < nv; i++)
				c += gth_outbox_review_is_ours(&v[i], SELF, d, e.record,
					e.record_len);
		}
		if (c == 0) {
			printf("# %s: no review on the forge\n", id);
			lost++;
		} else {
			delivered++;
			dup += c - 1;
			if (c > 1)
				printf("# %s: %zu reviews on the forge\n", id, c);
		}
		gth_decision_free(d);
		gth_outbox_entry_release(&e);
		free(path);
		free(data);
	}
	/* Duplicates among all decisions on the forge, reported "recorded" or not. */
	{
		struct gth_strvec ids = GTH_STRVEC_INIT;
		size_t all_dup = 0;

		for (i = 0; i < nv; i++) {
			char *rec = NULL, *arm = NULL, *id = NULL;

			if (strcmp(v[i].author, SELF) == 0 &&
			    gth_review_body_parse(v[i].body, strlen(v[i].body), &rec, &arm, &id,
			    NULL) == 0)
				gth_strvec_push_take(&ids, id);
			else
				free(id);
			free(rec);
			free(arm);
		}
		if (ids.n > 1)
			qsort(ids.v, ids.n, sizeof(char *), cmp_str);
		for (i = 1; i < ids.n; i++)
			all_dup += strcmp(ids.v[i], ids.v[i - 1]) == 0;
		if (all_dup > dup)
			dup = all_dup;
		gth_strvec_clear(&ids);
	}
	printf("recorded=%zu delivered=%zu reviews_on_forge=%zu\n", recorded, delivered, nv);
	printf("lost=%zu duplicated=%zu\n", lost, dup);
	gth_outbox_reviews_free(v, nv);
	fx_forge_release(&f);
	free(log);
	return lost == 0 && dup == 0 ? 0 : 1;
}

static int
cmd_export(const char *forgedir, const char *dir)
{
	struct fx_forge f;
	struct gth_review *v = NULL;
	size_t nv = 0, i, n = 0;

	fx_forge_init(&f, forgedir, SELF);
	fx_forge_reviews(&f, &v, &nv);
	for (i = 0; i < nv; i++) {
		char *rec = NULL, *arm = NULL, *id = NULL, *p;

		if (strcmp(v[i].author, SELF) != 0 ||
		    gth_review_body_parse(v[i].body, strlen(v[i].body), &rec, &arm, &id, NULL) != 0)
			continue;
		n++;
		p = xasprintf("%s/%zu.json", dir, n);
		gth_fs_write_atomic(p, rec, strlen(rec), NULL);
		free(p);
		p = xasprintf("%s/%zu.json.sig", dir, n);
		gth_fs_write_atomic(p, arm, strlen(arm), NULL);
		free(p);
		free(rec);
		free(arm);
		free(id);
	}
	printf("%zu\n", n);
	gth_outbox_reviews_free(v, nv);
	fx_forge_release(&f);
	return 0;
}

int
main(int argc, char **argv)
{
	long n;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	setup_kill();
	if (argc == 5 && strcmp(argv[1], "run") == 0 && gth_parse_long(argv[4], 1, 100000, &n) == 0)
		return cmd_run(argv[2], argv[3], n);
	if (argc == 4 && strcmp(argv[1], "finish") == 0)
		return cmd_finish(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "audit") == 0) {
		struct gth_audit_report rep;
		char *ap = xasprintf("%s/audit.jsonl", argv[2]);
		int r = gth_audit_verify(ap, &rep);

		printf("lines=%ld bad_line=%ld %s\n", rep.lines, rep.bad_line, rep.msg);
		free(ap);
		return r == 0 ? 0 : 1;
	}
	if (argc == 4 && strcmp(argv[1], "export") == 0)
		return cmd_export(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "count") == 0)
		return cmd_count(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: outbox_driver run|finish|count ...\n");
	return 2;
}
