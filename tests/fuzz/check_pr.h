/*
 * The invariants a forge decoder's output must hold whatever the body was,
 * shared by the forge fuzz targets: every string present is NUL-terminated
 * (strlen under ASan reads no further than the allocation), counts never
 * exceed capacities, a non-zero count comes with its array, gate states are
 * in range.  Each check aborts on a violation; the structs are then freed
 * by the caller, so a double free or a leak shows up there too.
 */
#ifndef GATEHOUSE_TESTS_CHECK_PR_H
#define GATEHOUSE_TESTS_CHECK_PR_H

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/err.h"
#include "gatehouse/model/pr.h"

static inline void
check_str(const char *s)
{
	if (s != NULL && strlen(s) > (size_t)1 << 30)
		abort();
}

static inline void
check_strvec(const struct gth_strvec *sv)
{
	size_t i;

	if (sv->n > sv->cap || (sv->n > 0 && sv->v == NULL))
		abort();
	for (i = 0; i < sv->n; i++) {
		if (sv->v[i] == NULL)
			abort();
		check_str(sv->v[i]);
	}
}

static inline void
check_check(const struct gth_check *c)
{
	size_t i;

	check_str(c->name);
	check_str(c->app);
	check_str(c->raw_state);
	check_str(c->summary);
	check_str(c->url);
	if ((unsigned)c->state >= GTH_GATE__COUNT || gth_gate_state_name(c->state) == NULL)
		abort();
	if (c->n_annotations > c->cap_annotations || (c->n_annotations > 0 && c->annotations == NULL))
		abort();
	for (i = 0; i < c->n_annotations; i++) {
		check_str(c->annotations[i].path);
		check_str(c->annotations[i].title);
		check_str(c->annotations[i].message);
		if (gth_annotation_level_name(c->annotations[i].level) == NULL)
			abort();
	}
}

static inline void
check_reviews(const struct gth_review *r, size_t n, size_t cap)
{
	size_t i;

	if (n > cap || (n > 0 && r == NULL))
		abort();
	for (i = 0; i < n; i++) {
		check_str(r[i].author);
		check_str(r[i].state);
		check_str(r[i].commit);
		check_str(r[i].body);
	}
}

static inline void
check_pr(const struct gth_pr *pr)
{
	size_t i;

	check_str(pr->forge);
	check_str(pr->host);
	check_str(pr->repo);
	check_str(pr->title);
	check_str(pr->body);
	check_str(pr->url);
	check_str(pr->clone_url);
	check_str(pr->author);
	check_str(pr->task_requester);
	check_str(pr->head_sha);
	check_str(pr->base_sha);
	check_str(pr->head_ref);
	check_str(pr->base_ref);
	check_str(pr->review_decision);
	check_strvec(&pr->labels);
	check_strvec(&pr->requested_users);
	check_strvec(&pr->requested_teams);
	check_strvec(&pr->commit_messages);
	if (pr->n_checks > pr->cap_checks || (pr->n_checks > 0 && pr->checks == NULL))
		abort();
	for (i = 0; i < pr->n_checks; i++)
		check_check(&pr->checks[i]);
	check_reviews(pr->reviews, pr->n_reviews, pr->cap_reviews);
	if (pr->n_files > pr->cap_files || (pr->n_files > 0 && pr->files == NULL))
		abort();
	for (i = 0; i < pr->n_files; i++) {
		check_str(pr->files[i].path);
		check_str(pr->files[i].old_path);
		check_str(pr->files[i].status);
		check_str(pr->files[i].patch);
	}
	if (pr->task != NULL) {
		check_str(pr->task->task_type);
		check_str(pr->task->component);
		check_str(pr->task->module_path);
		check_str(pr->task->rollback_condition);
		check_strvec(&pr->task->constraints);
		check_strvec(&pr->task->test_cases);
	}
}

/* A decoder's return: 0, or a negative code with a NUL-terminated message. */
static inline void
check_ret(int rc, const struct gth_err *err)
{
	if (rc > 0 || memchr(err->msg, '\0', sizeof(err->msg)) == NULL)
		abort();
	if (rc < 0 && (err->msg[0] == '\0' || gth_strerror(rc) == NULL))
		abort();
}

#endif
