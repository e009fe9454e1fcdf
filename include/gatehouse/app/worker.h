/*
 * Background work for the console.
 *
 * Blocking work (forge requests, git fetches and diffs, agent signing, which
 * may wait for a touch) runs on worker threads so the UI thread never waits.
 * Work is submitted to a lane; each lane is one thread and runs its jobs in
 * order, which is how writes to one forge stay serialized.  A finished job
 * is handed back to the UI thread: the pool writes a byte to a self-pipe
 * that the event loop polls, and gth_pool_reap() calls each job's done()
 * there.
 */
#ifndef GATEHOUSE_APP_WORKER_H
#define GATEHOUSE_APP_WORKER_H

#include <stdatomic.h>
#include <stddef.h>

#include "gatehouse/base/err.h"

struct gth_job {
	/* Runs on the lane's thread.  Must not touch UI state. */
	void (*run)(struct gth_job *job);
	/* Runs on the UI thread from gth_pool_reap(); owns and frees the job. */
	void (*done)(struct gth_job *job);
	/* Frees a job that will never be reaped (gth_pool_free); NULL = free(job). */
	void (*discard)(struct gth_job *job);
	void *arg;
	int result;
	struct gth_err err;
	atomic_int cancel;	/* set by the UI thread to ask run() to stop early */

	struct gth_job *next;	/* pool-internal */
};

struct gth_pool;

/* A pool with n_lanes lanes (threads).  Returns NULL only if a thread cannot start. */
struct gth_pool *gth_pool_new(size_t n_lanes);
/*
 * Stop the lanes after their current job (asked to cancel), discarding queued
 * and unreaped jobs through their discard() (their done() is not called).
 */
void gth_pool_free(struct gth_pool *p);

/* Queue job on lane (taken modulo the lane count). */
void gth_pool_submit(struct gth_pool *p, size_t lane, struct gth_job *job);

/* The fd to poll for readability: something is ready to reap. */
int gth_pool_fd(const struct gth_pool *p);

/* On the UI thread: call done() of every finished job; returns how many. */
size_t gth_pool_reap(struct gth_pool *p);

/* Jobs queued or running. */
size_t gth_pool_busy(struct gth_pool *p);

/* Wait until every lane is idle and everything is reaped (for the command line). */
void gth_pool_drain(struct gth_pool *p);

#endif
