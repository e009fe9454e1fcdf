/* The queue container. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/model/queue.h"

void
gth_queue_init(struct gth_queue *q)
{
	memset(q, 0, sizeof(*q));
}

void
gth_queue_release(struct gth_queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		gth_pr_free(q->items[i].pr);
		gth_assessment_free(q->items[i].assess);
	}
	free(q->items);
	gth_queue_init(q);
}

struct gth_queue_item *
gth_queue_find(const struct gth_queue *q, const char *forge, const char *repo, long number)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		const struct gth_pr *pr = q->items[i].pr;

		if (pr->number == number && gth_str_eq(pr->repo, repo) &&
		    (forge == NULL || gth_str_eq(pr->forge, forge)))
			return &q->items[i];
	}
	return NULL;
}

struct gth_queue_item *
gth_queue_put(struct gth_queue *q, struct gth_pr *pr)
{
	struct gth_queue_item *it = gth_queue_find(q, pr->forge, pr->repo, pr->number);

	if (it != NULL) {
		gth_pr_free(it->pr);
		gth_assessment_free(it->assess);
	} else {
		it = &GTH_PUSH(q->items, q->n, q->cap);
	}
	it->pr = pr;
	it->assess = NULL;
	return it;
}
