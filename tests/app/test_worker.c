/* Worker lanes: order within a lane, done() on the reaping thread, drain. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "gatehouse/app/worker.h"
#include "gatehouse/base/xalloc.h"
#include "tap.h"

static int order[16];
static int n_order;
static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t ui_thread;
static int done_on_ui = 1;
static int done_count;

static void
run_record(struct gth_job *job)
{
	int v = (int)(long)job->arg;

	if (v == 1)
		usleep(50000);	/* the first job is slow: later ones in its lane must wait */
	pthread_mutex_lock(&order_lock);
	order[n_order++] = v;
	pthread_mutex_unlock(&order_lock);
	job->result = v * 10;
}

static void
done_record(struct gth_job *job)
{
	if (!pthread_equal(pthread_self(), ui_thread))
		done_on_ui = 0;
	done_count++;
	free(job);
}

static struct gth_job *
job(long v)
{
	struct gth_job *j = xcalloc(1, sizeof(*j));

	j->run = run_record;
	j->done = done_record;
	j->arg = (void *)v;
	return j;
}

int
main(void)
{
	struct gth_pool *p = gth_pool_new(2);
	int i, pos1 = -1, pos2 = -1, pos3 = -1;

	ui_thread = pthread_self();
	ok(p != NULL, "a pool with two lanes starts");
	gth_pool_submit(p, 0, job(1));
	gth_pool_submit(p, 0, job(2));
	gth_pool_submit(p, 1, job(3));
	gth_pool_drain(p);
	is_int(done_count, 3, "every job's done() ran once");
	ok(done_on_ui, "done() runs on the thread that reaps");
	for (i = 0; i < n_order; i++) {
		if (order[i] == 1)
			pos1 = i;
		if (order[i] == 2)
			pos2 = i;
		if (order[i] == 3)
			pos3 = i;
	}
	ok(pos1 >= 0 && pos2 > pos1, "jobs in one lane run in submission order");
	ok(pos3 >= 0 && pos3 < pos1, "another lane is not held up by a slow job");
	is_int(gth_pool_busy(p), 0, "nothing is busy after drain");
	gth_pool_free(p);
	return done_testing();
}
