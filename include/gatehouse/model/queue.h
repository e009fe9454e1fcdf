/*
 * The checkpoint queue: PRs with their assessments, in review order.
 * The order itself (breached SLA, then risk, then age) is policy's:
 * gth_policy_sort_queue().
 */
#ifndef GATEHOUSE_MODEL_QUEUE_H
#define GATEHOUSE_MODEL_QUEUE_H

#include <stddef.h>
#include <time.h>

#include "gatehouse/model/assess.h"
#include "gatehouse/model/pr.h"

struct gth_queue_item {
	struct gth_pr *pr;		/* owned */
	struct gth_assessment *assess;	/* owned; NULL until assessed */
};

struct gth_queue {
	struct gth_queue_item *items;
	size_t n, cap;
	time_t fetched_at;
};

void gth_queue_init(struct gth_queue *q);
void gth_queue_release(struct gth_queue *q);
/* Take ownership of pr; replaces (and frees) an item with the same forge, repo and number. */
struct gth_queue_item *gth_queue_put(struct gth_queue *q, struct gth_pr *pr);
/* The item for forge/repo/number, or NULL.  forge may be NULL to match any forge. */
struct gth_queue_item *gth_queue_find(const struct gth_queue *q, const char *forge,
	const char *repo, long number);

#endif
