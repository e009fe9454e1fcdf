/*
 * The outbox against a forge kept in a directory, with scripted failures:
 * durability steps, delivery, commit-then-drop, forged markers, 5xx storms,
 * permanent refusals, recovery; and in front of it an eventually consistent
 * forge whose review list lags its writes, for posts whose answer was lost.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/audit.h"
#include "gatehouse/decide/body.h"
#include "gatehouse/decide/fsutil.h"
#include "gatehouse/decide/outbox.h"
#include "tap.h"

#define SELF "gatehouse-bot"

static struct fx_key key, other;
static struct gth_outbox *ob;
static struct gth_audit *au;
static struct fx_forge forge;
static char *obdir, *audit_path;

struct queued {
	struct gth_decision *d;
	char *record, *armored;
	size_t rlen;
};

static void
enqueue(struct queued *q, enum gth_verdict v, long number)
{
	struct gth_err err = { 0 };
	int r;

	q->d = fx_decision(&key, v, number, &q->record, &q->rlen, &q->armored);
	r = gth_outbox_record(ob, q->d, q->record, q->rlen, q->armored, &err);
	if (r != 0)
		diag("record: %s", gth_err_text(&err, r));
}

static void
queued_free(struct queued *q)
{
	gth_decision_free(q->d);
	free(q->record);
	free(q->armored);
}

static bool
exists(const char *sub, const char *name)
{
	char *p = xasprintf("%s/%s/%s", obdir, sub, name);
	struct stat st;
	bool e = stat(p, &st) == 0;

	free(p);
	return e;
}

/* Reviews on the forge by our account that carry exactly this decision. */
static size_t
count_ours(const struct queued *q)
{
	struct gth_review *v;
	size_t n, i, c = 0;

	fx_forge_reviews(&forge, &v, &n);
	for (i = 0; i < n; i++)
		c += gth_outbox_review_is_ours(&v[i], SELF, q->d, q->record, q->rlen);
	gth_outbox_reviews_free(v, n);
	return c;
}

static int
deliver(const char *id, struct gth_outbox_report *rep)
{
	struct gth_err err = { 0 };
	int r;

	memset(rep, 0, sizeof(*rep));
	r = gth_outbox_deliver(ob, &fx_forge_ops, &forge, id, rep, &err);
	if (r != 0)
		diag("deliver: %s", gth_err_text(&err, r));
	return r;
}

static void
test_record(void)
{
	struct queued q;
	struct gth_err err = { 0 };
	struct gth_outbox_item *items;
	size_t n;

	enqueue(&q, GTH_VERDICT_APPROVE, 1);
	ok(exists("new", q.d->id), "recorded decision is in new/");
	ok(!exists("tmp", q.d->id), "nothing left in tmp/");
	ok(gth_outbox_record(ob, q.d, q.record, q.rlen, q.armored, &err) == -GTH_E_EXISTS,
	   "recording the same id twice is refused, not overwritten");
	{
		struct queued o;
		char *sig2 = fx_sign(&other, q.record, q.rlen);

		o.d = fx_decision(&key, GTH_VERDICT_APPROVE, 2, &o.record, &o.rlen, &o.armored);
		ok(gth_outbox_record(ob, o.d, o.record, o.rlen, sig2, &err) == -GTH_E_SIG,
		   "a signature by a key the record does not name is refused");
		ok(gth_outbox_record(ob, o.d, q.record, q.rlen, q.armored, &err) == -GTH_E_INVAL,
		   "another decision's record is refused");
		ok(!exists("new", o.d->id), "neither was queued");
		free(sig2);
		queued_free(&o);
	}
	ok(gth_outbox_list(ob, GTH_OUTBOX_NEW, &items, &n, &err) == 0 && n == 1 &&
	   items[0].d != NULL && items[0].d->number == 1, "pending list shows it with its PR");
	gth_outbox_items_free(items, n);
	queued_free(&q);
}

static void
test_happy(void)
{
	struct gth_outbox_report rep;
	struct queued a, e;

	enqueue(&e, GTH_VERDICT_ESCALATE, 3);
	forge.script = "";
	ok(deliver(NULL, &rep) == 0, "delivery runs");
	is_int(rep.delivered, 2, "both pending decisions delivered (the one from before too)");
	gth_outbox_report_release(&rep);
	ok(exists("done", e.d->id), "escalation in done/");
	is_int(count_ours(&e), 1, "one review for the escalation");
	is_int(fx_forge_count(&forge, "escalate"), 1, "reviewers/label requested");
	is_int(fx_forge_count(&forge, "status"), 2, "a status for each PR");
	ok(deliver(NULL, &rep) == 0 && rep.n == 0, "nothing left to deliver");
	gth_outbox_report_release(&rep);
	queued_free(&e);
	(void)a;
}

static void
test_commit_then_drop(void)
{
	struct gth_outbox_report rep;
	struct queued q;

	enqueue(&q, GTH_VERDICT_REJECT, 4);
	forge.script = ".C";	/* list ok, the review is committed and the reply lost */
	forge.pos = 0;
	deliver(NULL, &rep);
	ok(rep.n == 1 && rep.v[0].state == GTH_OUTBOX_CUR, "dropped reply: kept for retry");
	gth_outbox_report_release(&rep);
	is_int(count_ours(&q), 1, "the forge has the review already");
	deliver(NULL, &rep);
	ok(rep.n == 1 && rep.v[0].state == GTH_OUTBOX_DONE && rep.v[0].found_posted,
	   "retry finds the review instead of posting it again");
	gth_outbox_report_release(&rep);
	is_int(count_ours(&q), 1, "no duplicate on the forge");
	queued_free(&q);
}

static void
test_forged(void)
{
	struct gth_outbox_report rep;
	struct queued q;
	struct gth_err err = { 0 };
	char *body, *sig2, *body2, *body3;

	/* Prepare a decision, but plant copies before it is first delivered. */
	q.d = fx_decision(&key, GTH_VERDICT_APPROVE, 5, &q.record, &q.rlen, &q.armored);
	gth_review_body_compose(q.d, q.record, q.armored, &body, &err);
	fx_forge_plant(&forge, "agent-bot", body, q.d->head, "COMMENTED");
	sig2 = fx_sign(&other, q.record, q.rlen);
	gth_review_body_compose(q.d, q.record, sig2, &body2, &err);
	fx_forge_plant(&forge, SELF, body2, q.d->head, "COMMENTED");
	body3 = xasprintf("Looks fine\n<!-- gatehouse-decision id=%s -->\n", q.d->id);
	fx_forge_plant(&forge, SELF, body3, q.d->head, "COMMENTED");
	gth_outbox_record(ob, q.d, q.record, q.rlen, q.armored, &err);
	forge.script = "";
	deliver(q.d->id, &rep);
	ok(rep.n == 1 && rep.v[0].state == GTH_OUTBOX_DONE && !rep.v[0].found_posted,
	   "markers by another account, by another key, or bare are not taken as delivered");
	gth_outbox_report_release(&rep);
	is_int(count_ours(&q), 1, "our own review was posted");
	free(body);
	free(body2);
	free(body3);
	free(sig2);
	queued_free(&q);
}

static void
test_storm(void)
{
	struct gth_outbox_report rep;
	struct queued q;
	int tries = 0;
	bool done = false;

	enqueue(&q, GTH_VERDICT_APPROVE, 6);
	forge.script = "5T55C5.5555C5";
	forge.pos = 0;
	while (!done && tries < 30) {
		tries++;
		deliver(NULL, &rep);
		done = rep.n == 1 && rep.v[0].state == GTH_OUTBOX_DONE;
		ok(rep.n == 1 && rep.v[0].state != GTH_OUTBOX_DEAD, "try %d: %s", tries,
		   rep.n ? rep.v[0].msg : "?");
		gth_outbox_report_release(&rep);
	}
	ok(done, "delivered after the storm (%d tries)", tries);
	is_int(count_ours(&q), 1, "exactly one review after the storm");
	queued_free(&q);
}

/* The forge is down for a long while (every call 503 or dropped), then comes back. */
static void
test_forge_down(void)
{
	static char script[401];
	struct gth_outbox_report rep;
	struct queued q[5];
	size_t i, lost = 0, dup = 0, dead = 0;
	int round;

	for (i = 0; i < 400; i++)
		script[i] = i % 7 == 3 ? 'C' : '5';
	for (i = 0; i < 5; i++)
		enqueue(&q[i], (enum gth_verdict)(i % 3), 20 + (long)i);
	forge.script = script;
	forge.pos = 0;
	for (round = 0; round < 300; round++) {
		deliver(NULL, &rep);
		dead += rep.dead;
		gth_outbox_report_release(&rep);
	}
	for (round = 0; round < 5; round++) {
		deliver(NULL, &rep);
		dead += rep.dead;
		gth_outbox_report_release(&rep);
	}
	for (i = 0; i < 5; i++) {
		size_t c = count_ours(&q[i]);

		lost += c == 0 || !exists("done", q[i].d->id);
		dup += c > 1 ? c - 1 : 0;
		queued_free(&q[i]);
	}
	is_int(dead, 0, "a long outage sends nothing to dead/");
	is_int(lost, 0, "after the outage: lost=0");
	is_int(dup, 0, "after the outage: duplicated=0");
}

static void
test_dead(void)
{
	struct gth_outbox_report rep;
	struct gth_outbox_item *items;
	struct gth_err err = { 0 };
	struct queued q;
	size_t n;

	enqueue(&q, GTH_VERDICT_APPROVE, 7);
	forge.script = ".4";
	forge.pos = 0;
	deliver(NULL, &rep);
	ok(rep.n == 1 && rep.v[0].state == GTH_OUTBOX_DEAD, "422 is permanent: dead/");
	gth_outbox_report_release(&rep);
	ok(gth_outbox_list(ob, GTH_OUTBOX_DEAD, &items, &n, &err) == 0 && n == 1 &&
	   items[0].error != NULL && strstr(items[0].error, "422") != NULL,
	   "dead entry listed with the forge's reason");
	gth_outbox_items_free(items, n);
	ok(gth_outbox_retry_dead(ob, q.d->id, &err) == 0 && exists("new", q.d->id),
	   "retry moves it back to new/");
	forge.script = "";
	deliver(NULL, &rep);
	ok(rep.n == 1 && rep.v[0].state == GTH_OUTBOX_DONE, "then it is delivered");
	gth_outbox_report_release(&rep);
	queued_free(&q);
}

static void
test_recovery(void)
{
	struct gth_outbox_report rep;
	struct gth_err err = { 0 };
	struct queued q, t;
	char *from, *to, *torn;
	size_t pending, status_before;

	/* A delivery killed after the review was posted and recorded (step R). */
	enqueue(&q, GTH_VERDICT_REJECT, 8);
	from = xasprintf("%s/new/%s", obdir, q.d->id);
	to = xasprintf("%s/cur/%s:R", obdir, q.d->id);
	rename(from, to);
	{
		char *body;

		gth_review_body_compose(q.d, q.record, q.armored, &body, &err);
		fx_forge_plant(&forge, SELF, body, q.d->head, "CHANGES_REQUESTED");
		free(body);
	}
	/* A torn entry (disk trouble): must go to dead/, not be dropped. */
	enqueue(&t, GTH_VERDICT_APPROVE, 9);
	torn = xasprintf("%s/new/%s", obdir, t.d->id);
	ok(truncate(torn, 100) == 0, "entry torn for the test");
	ok(gth_outbox_recover(ob, &pending, &err) == 0, "recovery runs");
	is_int(pending, 1, "one entry pending after recovery");
	ok(exists("dead", t.d->id) && !exists("new", t.d->id), "torn entry moved to dead/");
	{
		struct gth_outbox_item *items;
		size_t n, i;
		bool said = false;

		gth_outbox_list(ob, GTH_OUTBOX_DEAD, &items, &n, &err);
		for (i = 0; i < n; i++)
			if (strcmp(items[i].id, t.d->id) == 0 && strstr(items[i].error, "torn"))
				said = true;
		ok(said, "and its reason says it was torn");
		gth_outbox_items_free(items, n);
	}
	status_before = fx_forge_count(&forge, "status");
	forge.script = "";
	forge.pos = 0;
	deliver(NULL, &rep);
	ok(rep.n == 1 && rep.v[0].state == GTH_OUTBOX_DONE, "the interrupted delivery resumes");
	gth_outbox_report_release(&rep);
	is_int(count_ours(&q), 1, "step R was not repeated");
	is_int(fx_forge_count(&forge, "status"), status_before + 1, "the status step was done");
	free(from);
	free(to);
	free(torn);
	queued_free(&q);
	queued_free(&t);
}

/*
 * An eventually consistent forge in front of the directory forge: a review
 * posted through it stays out of its review list for the next `lag` list
 * calls, as GitHub's lists lag writes.  post says what a post does: '.' lands
 * and is answered, 'C' lands and the answer is lost, 'D' the connection
 * drops before anything lands.
 */
struct ec_forge {
	struct fx_forge *f;
	char post;
	int lag;
	int hide;		/* list calls left that miss the hidden review */
	char *hidden;		/* body of the review being hidden */
	int posts;		/* post_review calls */
};

static int
ec_list(void *ctx, const struct gth_decision *d, struct gth_review **out, size_t *n,
	struct gth_err *err)
{
	struct ec_forge *ec = ctx;
	size_t i, k = 0;
	int r;

	if ((r = fx_forge_ops.list_reviews(ec->f, d, out, n, err)) != 0 || ec->hide == 0)
		return r;
	ec->hide--;
	for (i = 0; i < *n; i++) {
		if (strcmp((*out)[i].body, ec->hidden) == 0) {
			free((*out)[i].author);
			free((*out)[i].state);
			free((*out)[i].commit);
			free((*out)[i].body);
			continue;
		}
		(*out)[k++] = (*out)[i];
	}
	*n = k;
	return 0;
}

static const char *
ec_self(void *ctx, const struct gth_decision *d)
{
	return fx_forge_ops.self_login(((struct ec_forge *)ctx)->f, d);
}

static int
ec_post_review(void *ctx, const struct gth_decision *d, const char *body, struct gth_err *err)
{
	struct ec_forge *ec = ctx;
	int r;

	ec->posts++;
	if (ec->post == 'D') {
		err->status = 0;
		return gth_err_set(err, -GTH_E_NET, "connection dropped before the request was sent");
	}
	if ((r = fx_forge_ops.post_review(ec->f, d, body, err)) != 0)
		return r;
	free(ec->hidden);
	ec->hidden = xstrdup(body);
	ec->hide = ec->lag;
	if (ec->post == 'C') {
		err->status = 0;
		return gth_err_set(err, -GTH_E_NET, "connection dropped after the request was sent");
	}
	return 0;
}

static int
ec_post_status(void *ctx, const struct gth_decision *d, struct gth_err *err)
{
	return fx_forge_ops.post_status(((struct ec_forge *)ctx)->f, d, err);
}

static int
ec_escalate(void *ctx, const struct gth_decision *d, struct gth_err *err)
{
	return fx_forge_ops.escalate(((struct ec_forge *)ctx)->f, d, err);
}

static const struct gth_delivery_sink_ops ec_ops = {
	.list_reviews = ec_list,
	.self_login = ec_self,
	.post_review = ec_post_review,
	.post_status = ec_post_status,
	.escalate = ec_escalate,
};

static struct gth_outbox_result
ec_deliver(struct ec_forge *ec, const char *id)
{
	struct gth_outbox_report rep = { 0 };
	struct gth_outbox_result res = { .code = -GTH_E_NOTFOUND };
	struct gth_err err = { 0 };
	int r = gth_outbox_deliver(ob, &ec_ops, ec, id, &rep, &err);

	if (r != 0)
		diag("deliver: %s", gth_err_text(&err, r));
	else if (rep.n == 1)
		res = rep.v[0];
	gth_outbox_report_release(&rep);
	return res;
}

/* The steps in the entry's cur/ name ("" when it is not in cur/). */
static void
cur_steps(const char *id, char steps[GTH_OUTBOX_STEPS_MAX], time_t *at)
{
	struct gth_outbox_item *items;
	size_t n, i;

	steps[0] = '\0';
	*at = 0;
	if (gth_outbox_list(ob, GTH_OUTBOX_CUR, &items, &n, NULL) != 0)
		return;
	for (i = 0; i < n; i++)
		if (strcmp(items[i].id, id) == 0) {
			memcpy(steps, items[i].steps, GTH_OUTBOX_STEPS_MAX);
			*at = items[i].post_at;
		}
	gth_outbox_items_free(items, n);
}

/* Record a decision and deliver it through ec, with settle seconds: the answer is lost. */
static void
first_post_lost(struct ec_forge *ec, struct queued *q, long settle, long number, const char *what)
{
	struct gth_outbox_result res;

	gth_outbox_set_settle(ob, settle);
	forge.script = "";
	enqueue(q, number % 2 ? GTH_VERDICT_REJECT : GTH_VERDICT_APPROVE, number);
	res = ec_deliver(ec, q->d->id);
	ok(res.state == GTH_OUTBOX_CUR && res.code == -GTH_E_NET, "%s: kept in cur/ (%s)", what,
	   res.msg);
}

/*
 * The post lands but its answer is lost, and the forge's list does not show
 * it for a while: retries within the settle time must not post it again,
 * across a restart too, and it is done once the list shows it.
 */
static void
test_lost_answer_lagging_list(void)
{
	struct ec_forge ec = { .f = &forge, .post = 'C', .lag = 3 };
	struct gth_outbox_result res;
	struct gth_err err = { 0 };
	struct queued q;
	char steps[GTH_OUTBOX_STEPS_MAX];
	time_t at, before = time(NULL);
	int i;

	first_post_lost(&ec, &q, 3600, 30, "lost answer");
	cur_steps(q.d->id, steps, &at);
	ok(strcmp(steps, "P") == 0 && at >= before && at <= time(NULL),
	   "cur/ name records the post and its time (steps \"%s\")", steps);
	is_int(count_ours(&q), 1, "the forge has the review");
	for (i = 0; i < 2; i++) {
		res = ec_deliver(&ec, q.d->id);
		ok(res.state == GTH_OUTBOX_CUR && res.code == -GTH_E_AGAIN &&
		   strstr(res.msg, "outcome is unknown") != NULL,
		   "retry %d while the list lags: pending (%s)", i + 1, res.msg);
	}
	is_int(ec.posts, 1, "nothing posted again while settling");
	/* A restart with the default settle time: the post's time is on disk. */
	gth_outbox_close(ob);
	if (gth_outbox_open(obdir, au, &ob, &err) != 0) {
		diag("reopen: %s", err.msg);
		exit(1);
	}
	res = ec_deliver(&ec, q.d->id);
	ok(res.state == GTH_OUTBOX_CUR && res.code == -GTH_E_AGAIN,
	   "after a restart, still pending under the default %d s (%s)",
	   GTH_OUTBOX_SETTLE_DEFAULT, res.msg);
	is_int(ec.posts, 1, "and still not posted again");
	is_int(count_ours(&q), 1, "one review on the forge while its list lagged");
	res = ec_deliver(&ec, q.d->id);
	ok(res.state == GTH_OUTBOX_DONE && res.found_posted,
	   "once the list shows it, it is found and done (%s)", res.msg);
	ok(exists("done", q.d->id), "the entry is in done/");
	is_int(ec.posts, 1, "posted once in all");
	is_int(count_ours(&q), 1, "exactly one review on the forge");
	gth_outbox_set_settle(ob, 0);
	free(ec.hidden);
	queued_free(&q);
}

/* The post never landed: it is posted again once the settle time passed, once. */
static void
test_lost_post_reposted(void)
{
	struct ec_forge ec = { .f = &forge, .post = 'D', .lag = 100 };
	struct gth_outbox_result res;
	struct queued q;
	char steps[GTH_OUTBOX_STEPS_MAX];
	time_t at;

	first_post_lost(&ec, &q, 2, 31, "dropped before landing");
	res = ec_deliver(&ec, q.d->id);
	ok(res.state == GTH_OUTBOX_CUR && res.code == -GTH_E_AGAIN,
	   "within the settle time: pending (%s)", res.msg);
	is_int(ec.posts, 1, "not posted again yet");
	is_int(count_ours(&q), 0, "nothing on the forge");
	cur_steps(q.d->id, steps, &at);
	while (time(NULL) < at + 2)
		sleep(1);
	ec.post = '.';
	res = ec_deliver(&ec, q.d->id);
	ok(res.state == GTH_OUTBOX_DONE && !res.found_posted,
	   "after the settle time it is posted again and done (%s)", res.msg);
	is_int(ec.posts, 2, "a second post, the one that landed");
	is_int(count_ours(&q), 1, "exactly one review on the forge");
	res = ec_deliver(&ec, q.d->id);
	ok(res.code == -GTH_E_NOTFOUND && ec.posts == 2 && count_ours(&q) == 1,
	   "nothing left to deliver, nothing posted again");
	gth_outbox_set_settle(ob, 0);
	free(ec.hidden);
	queued_free(&q);
}

/* A 4xx answer means nothing landed: the next delivery posts without waiting. */
static void
test_refused_post_no_wait(void)
{
	struct gth_outbox_report rep;
	struct queued q;
	char steps[GTH_OUTBOX_STEPS_MAX];
	time_t at;

	gth_outbox_set_settle(ob, 3600);
	enqueue(&q, GTH_VERDICT_APPROVE, 32);
	forge.script = ".T";	/* list ok, the post is rate limited (429) */
	forge.pos = 0;
	deliver(q.d->id, &rep);
	ok(rep.n == 1 && rep.v[0].state == GTH_OUTBOX_CUR && rep.v[0].code == -GTH_E_RATELIMIT,
	   "429 on the post: retry later");
	gth_outbox_report_release(&rep);
	cur_steps(q.d->id, steps, &at);
	is_str(steps, "", "the refused post is not left marked as sent");
	forge.script = "";
	deliver(q.d->id, &rep);
	ok(rep.n == 1 && rep.v[0].state == GTH_OUTBOX_DONE, "next delivery posts at once");
	gth_outbox_report_release(&rep);
	is_int(count_ours(&q), 1, "one review");
	gth_outbox_set_settle(ob, 0);
	queued_free(&q);
}

/* cur/ names from before P, and with it, are read; odd ones are not taken. */
static void
test_names(void)
{
	struct gth_outbox_report rep;
	struct queued q;
	char *from, *to, *odd, steps[GTH_OUTBOX_STEPS_MAX];
	time_t at;

	gth_outbox_set_settle(ob, 3600);
	enqueue(&q, GTH_VERDICT_APPROVE, 33);
	from = xasprintf("%s/new/%s", obdir, q.d->id);
	to = xasprintf("%s/cur/%s:P,1000", obdir, q.d->id);
	ok(rename(from, to) == 0, "an entry whose post was sent in 1970 and never landed");
	cur_steps(q.d->id, steps, &at);
	ok(strcmp(steps, "P") == 0 && at == 1000, "is listed with its steps and time");
	forge.script = "";
	forge.pos = 0;
	deliver(q.d->id, &rep);
	ok(rep.n == 1 && rep.v[0].state == GTH_OUTBOX_DONE, "is posted: long settled");
	gth_outbox_report_release(&rep);
	is_int(count_ours(&q), 1, "once");
	free(from);
	from = xasprintf("%s/done/%s", obdir, q.d->id);
	free(to);
	odd = xasprintf("%s:RR", q.d->id);
	to = xasprintf("%s/cur/%s", obdir, odd);
	ok(rename(from, to) == 0, "a name with a step twice");
	deliver(q.d->id, &rep);
	ok(rep.n == 0 && exists("cur", odd), "is not taken for an entry");
	gth_outbox_report_release(&rep);
	unlink(to);
	free(odd);
	gth_outbox_set_settle(ob, 0);
	free(from);
	free(to);
	queued_free(&q);
}

static void
test_lock_and_audit(void)
{
	struct gth_outbox_report rep = { 0 };
	struct gth_audit_report arep;
	struct gth_err err = { 0 };
	int fd = open(obdir, O_RDONLY | O_DIRECTORY), r;

	flock(fd, LOCK_EX);
	ok(gth_outbox_deliver(ob, &fx_forge_ops, &forge, NULL, &rep, &err) == -GTH_E_AGAIN,
	   "a second deliverer waits its turn: %s", err.msg);
	flock(fd, LOCK_UN);
	close(fd);
	r = gth_audit_verify(audit_path, &arep);
	ok(r == 0, "audit chain intact (%ld lines) %s", arep.lines, arep.msg);
	ok(arep.lines >= 15, "recorded/posted/retry/dead events were logged");
}

int
main(void)
{
	struct gth_err err = { 0 };
	char *forgedir;

	fx_key_init(&key);
	fx_key_init(&other);
	obdir = xasprintf("%s/state/outbox", tap_tmpdir());
	audit_path = xasprintf("%s/audit.jsonl", tap_tmpdir());
	forgedir = xasprintf("%s/forge", tap_tmpdir());
	fx_forge_init(&forge, forgedir, SELF);
	if (gth_audit_open(audit_path, false, &au, &err) != 0 ||
	    gth_outbox_open(obdir, au, &ob, &err) != 0) {
		diag("%s", err.msg);
		return 1;
	}
	/* The directory forge's list is strongly consistent: no settle time needed. */
	gth_outbox_set_settle(ob, 0);
	test_record();
	test_happy();
	test_commit_then_drop();
	test_forged();
	test_storm();
	test_forge_down();
	test_dead();
	test_recovery();
	test_lost_answer_lagging_list();
	test_lost_post_reposted();
	test_refused_post_no_wait();
	test_names();
	test_lock_and_audit();
	gth_outbox_close(ob);
	gth_audit_close(au);
	fx_forge_release(&forge);
	fx_key_release(&key);
	fx_key_release(&other);
	free(forgedir);
	free(obdir);
	free(audit_path);
	return done_testing();
}
