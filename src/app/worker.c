/* Worker lanes and the self-pipe back to the UI thread. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "gatehouse/app/worker.h"
#include "gatehouse/base/xalloc.h"

struct lane {
	struct gth_pool *pool;
	pthread_t thread;
	struct gth_job *head, *tail;
	struct gth_job *current;	/* the job in run(), or NULL */
};

struct gth_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;
	pthread_cond_t idle;
	bool stopping;
	struct lane *lanes;
	size_t n_lanes;
	size_t started;
	struct gth_job *done_head, *done_tail;
	size_t busy;		/* queued + running + finished but not reaped */
	int pipe_r, pipe_w;
};

static void
wake_ui(struct gth_pool *p)
{
	char c = 1;

	/* A full pipe already means "something to reap". */
	while (write(p->pipe_w, &c, 1) < 0 && errno == EINTR)
		;
}

static void *
lane_main(void *arg)
{
	struct lane *l = arg;
	struct gth_pool *p = l->pool;
	struct gth_job *job;
	sigset_t block;

	/* Signals are the UI thread's to handle (drafts, terminal restore). */
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &block, NULL);

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stopping && l->head == NULL)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stopping)
			break;
		job = l->head;
		l->head = job->next;
		if (l->head == NULL)
			l->tail = NULL;
		l->current = job;
		pthread_mutex_unlock(&p->lock);

		job->run(job);

		pthread_mutex_lock(&p->lock);
		l->current = NULL;
		job->next = NULL;
		if (p->done_tail != NULL)
			p->done_tail->next = job;
		else
			p->done_head = job;
		p->done_tail = job;
		wake_ui(p);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct gth_pool *
gth_pool_new(size_t n_lanes)
{
	struct gth_pool *p = xcalloc(1, sizeof(*p));
	int fds[2];
	size_t i;

	if (n_lanes == 0)
		n_lanes = 1;
	if (pipe(fds) != 0) {
		free(p);
		return NULL;
	}
	p->pipe_r = fds[0];
	p->pipe_w = fds[1];
	fcntl(p->pipe_r, F_SETFL, O_NONBLOCK);
	fcntl(p->pipe_w, F_SETFL, O_NONBLOCK);
	fcntl(p->pipe_r, F_SETFD, FD_CLOEXEC);
	fcntl(p->pipe_w, F_SETFD, FD_CLOEXEC);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->lanes = xcalloc(n_lanes, sizeof(*p->lanes));
	p->n_lanes = n_lanes;
	for (i = 0; i < n_lanes; i++) {
		p->lanes[i].pool = p;
		if (pthread_create(&p->lanes[i].thread, NULL, lane_main, &p->lanes[i]) != 0) {
			gth_pool_free(p);
			return NULL;
		}
		p->started++;
	}
	return p;
}

static void
discard(struct gth_job *j)
{
	if (j->discard != NULL)
		j->discard(j);
	else
		free(j);
}

void
gth_pool_free(struct gth_pool *p)
{
	struct gth_job *j, *next;
	size_t i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	for (i = 0; i < p->n_lanes; i++) {
		if (p->lanes[i].current != NULL)
			atomic_store(&p->lanes[i].current->cancel, 1);
		for (j = p->lanes[i].head; j != NULL; j = j->next)
			atomic_store(&j->cancel, 1);
	}
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->started; i++)
		pthread_join(p->lanes[i].thread, NULL);
	/* Jobs never run or never reaped: nobody will see their results. */
	for (i = 0; i < p->n_lanes; i++)
		for (j = p->lanes[i].head; j != NULL; j = next) {
			next = j->next;
			discard(j);
		}
	for (j = p->done_head; j != NULL; j = next) {
		next = j->next;
		discard(j);
	}
	close(p->pipe_r);
	close(p->pipe_w);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->idle);
	free(p->lanes);
	free(p);
}

void
gth_pool_submit(struct gth_pool *p, size_t lane, struct gth_job *job)
{
	struct lane *l = &p->lanes[lane % p->n_lanes];

	job->next = NULL;
	pthread_mutex_lock(&p->lock);
	if (l->tail != NULL)
		l->tail->next = job;
	else
		l->head = job;
	l->tail = job;
	p->busy++;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
}

int
gth_pool_fd(const struct gth_pool *p)
{
	return p->pipe_r;
}

size_t
gth_pool_reap(struct gth_pool *p)
{
	struct gth_job *list, *next;
	char drain[64];
	size_t n = 0;

	while (read(p->pipe_r, drain, sizeof(drain)) > 0)
		;
	pthread_mutex_lock(&p->lock);
	list = p->done_head;
	p->done_head = p->done_tail = NULL;
	pthread_mutex_unlock(&p->lock);
	for (; list != NULL; list = next) {
		next = list->next;
		list->done(list);
		n++;
	}
	pthread_mutex_lock(&p->lock);
	p->busy -= n;
	if (p->busy == 0)
		pthread_cond_broadcast(&p->idle);
	pthread_mutex_unlock(&p->lock);
	return n;
}

size_t
gth_pool_busy(struct gth_pool *p)
{
	size_t n;

	pthread_mutex_lock(&p->lock);
	n = p->busy;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void
gth_pool_drain(struct gth_pool *p)
{
	struct pollfd pfd = { .fd = p->pipe_r, .events = POLLIN };

	while (gth_pool_busy(p) > 0) {
		/* A timeout is fine: reaping an empty list is harmless. */
		(void)poll(&pfd, 1, 100);
		gth_pool_reap(p);
	}
}
