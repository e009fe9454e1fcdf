/* Lifecycle of PRs, checks, reviews and task templates. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/model/pr.h"

static const char *const gate_state_names[GTH_GATE__COUNT] = {
	[GTH_GATE_PASS] = "pass",
	[GTH_GATE_FAIL] = "fail",
	[GTH_GATE_PENDING] = "pending",
	[GTH_GATE_MISSING] = "missing",
	[GTH_GATE_SKIPPED] = "skipped",
	[GTH_GATE_AWAITING] = "awaiting-approval",
};

const char *
gth_gate_state_name(enum gth_gate_state s)
{
	if ((unsigned)s >= GTH_GATE__COUNT)
		return "unknown";
	return gate_state_names[s];
}

int
gth_gate_state_parse(const char *s, enum gth_gate_state *out)
{
	int i;

	for (i = 0; i < GTH_GATE__COUNT; i++) {
		if (strcmp(s, gate_state_names[i]) == 0) {
			*out = (enum gth_gate_state)i;
			return 0;
		}
	}
	return -GTH_E_PARSE;
}

const char *
gth_annotation_level_name(enum gth_annotation_level l)
{
	switch (l) {
	case GTH_ANNOTATION_NOTICE:
		return "notice";
	case GTH_ANNOTATION_WARNING:
		return "warning";
	case GTH_ANNOTATION_FAILURE:
		return "failure";
	}
	return "unknown";
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct gth_pr *
gth_pr_new(void)
{
	return xcalloc(1, sizeof(struct gth_pr));
}

void
gth_task_template_free(struct gth_task_template *t)
{
	if (t == NULL)
		return;
	free(t->task_type);
	free(t->component);
	free(t->module_path);
	free(t->rollback_condition);
	gth_strvec_clear(&t->constraints);
	gth_strvec_clear(&t->test_cases);
	free(t);
}

static void
annotation_release(struct gth_annotation *a)
{
	free(a->path);
	free(a->title);
	free(a->message);
}

static void
check_release(struct gth_check *c)
{
	size_t i;

	free(c->name);
	free(c->app);
	free(c->raw_state);
	free(c->summary);
	free(c->url);
	for (i = 0; i < c->n_annotations; i++)
		annotation_release(&c->annotations[i]);
	free(c->annotations);
}

void
gth_pr_clear_details(struct gth_pr *pr)
{
	size_t i;

	for (i = 0; i < pr->n_reviews; i++) {
		free(pr->reviews[i].author);
		free(pr->reviews[i].state);
		free(pr->reviews[i].commit);
		free(pr->reviews[i].body);
	}
	free(pr->reviews);
	pr->reviews = NULL;
	pr->n_reviews = pr->cap_reviews = 0;
	for (i = 0; i < pr->n_files; i++) {
		free(pr->files[i].path);
		free(pr->files[i].old_path);
		free(pr->files[i].status);
		free(pr->files[i].patch);
	}
	free(pr->files);
	pr->files = NULL;
	pr->n_files = pr->cap_files = 0;
	pr->files_complete = false;
	gth_strvec_clear(&pr->commit_messages);
	for (i = 0; i < pr->n_checks; i++) {
		size_t j;
		struct gth_check *c = &pr->checks[i];

		for (j = 0; j < c->n_annotations; j++)
			annotation_release(&c->annotations[j]);
		free(c->annotations);
		c->annotations = NULL;
		c->n_annotations = c->cap_annotations = 0;
	}
	pr->details_loaded = false;
}

void
gth_pr_free(struct gth_pr *pr)
{
	size_t i;

	if (pr == NULL)
		return;
	gth_pr_clear_details(pr);
	free(pr->forge);
	free(pr->host);
	free(pr->repo);
	free(pr->title);
	free(pr->body);
	free(pr->url);
	free(pr->clone_url);
	free(pr->author);
	free(pr->task_requester);
	free(pr->head_sha);
	free(pr->base_sha);
	free(pr->head_ref);
	free(pr->base_ref);
	free(pr->review_decision);
	gth_strvec_clear(&pr->labels);
	gth_strvec_clear(&pr->requested_users);
	gth_strvec_clear(&pr->requested_teams);
	for (i = 0; i < pr->n_checks; i++)
		check_release(&pr->checks[i]);
	free(pr->checks);
	gth_task_template_free(pr->task);
	free(pr);
}

struct gth_check *
gth_pr_add_check(struct gth_pr *pr)
{
	struct gth_check *c = &GTH_PUSH(pr->checks, pr->n_checks, pr->cap_checks);

	memset(c, 0, sizeof(*c));
	return c;
}

struct gth_review *
gth_pr_add_review(struct gth_pr *pr)
{
	struct gth_review *r = &GTH_PUSH(pr->reviews, pr->n_reviews, pr->cap_reviews);

	memset(r, 0, sizeof(*r));
	return r;
}

struct gth_file_change *
gth_pr_add_file(struct gth_pr *pr)
{
	struct gth_file_change *f = &GTH_PUSH(pr->files, pr->n_files, pr->cap_files);

	memset(f, 0, sizeof(*f));
	return f;
}

struct gth_annotation *
gth_check_add_annotation(struct gth_check *c)
{
	struct gth_annotation *a = &GTH_PUSH(c->annotations, c->n_annotations, c->cap_annotations);

	memset(a, 0, sizeof(*a));
	return a;
}

static struct gth_task_template *
task_dup(const struct gth_task_template *t)
{
	struct gth_task_template *d;

	if (t == NULL)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->task_type = dup_or_null(t->task_type);
	d->component = dup_or_null(t->component);
	d->module_path = dup_or_null(t->module_path);
	d->rollback_condition = dup_or_null(t->rollback_condition);
	gth_strvec_extend(&d->constraints, &t->constraints);
	gth_strvec_extend(&d->test_cases, &t->test_cases);
	return d;
}

struct gth_pr *
gth_pr_dup(const struct gth_pr *pr)
{
	struct gth_pr *d = gth_pr_new();
	size_t i, j;

	d->forge = dup_or_null(pr->forge);
	d->forge_kind = pr->forge_kind;
	d->host = dup_or_null(pr->host);
	d->repo = dup_or_null(pr->repo);
	d->number = pr->number;
	d->title = dup_or_null(pr->title);
	d->body = dup_or_null(pr->body);
	d->url = dup_or_null(pr->url);
	d->clone_url = dup_or_null(pr->clone_url);
	d->author = dup_or_null(pr->author);
	d->author_is_bot = pr->author_is_bot;
	d->task_requester = dup_or_null(pr->task_requester);
	d->head_sha = dup_or_null(pr->head_sha);
	d->base_sha = dup_or_null(pr->base_sha);
	d->head_ref = dup_or_null(pr->head_ref);
	d->base_ref = dup_or_null(pr->base_ref);
	d->draft = pr->draft;
	d->additions = pr->additions;
	d->deletions = pr->deletions;
	d->changed_files = pr->changed_files;
	d->review_decision = dup_or_null(pr->review_decision);
	d->created_at = pr->created_at;
	d->updated_at = pr->updated_at;
	d->ready_at = pr->ready_at;
	gth_strvec_extend(&d->labels, &pr->labels);
	gth_strvec_extend(&d->requested_users, &pr->requested_users);
	gth_strvec_extend(&d->requested_teams, &pr->requested_teams);
	for (i = 0; i < pr->n_checks; i++) {
		const struct gth_check *s = &pr->checks[i];
		struct gth_check *c = gth_pr_add_check(d);

		c->kind = s->kind;
		c->name = dup_or_null(s->name);
		c->app = dup_or_null(s->app);
		c->state = s->state;
		c->raw_state = dup_or_null(s->raw_state);
		c->summary = dup_or_null(s->summary);
		c->url = dup_or_null(s->url);
		c->id = s->id;
		c->required = s->required;
		c->annotations_count = s->annotations_count;
		for (j = 0; j < s->n_annotations; j++) {
			struct gth_annotation *a = gth_check_add_annotation(c);

			a->path = dup_or_null(s->annotations[j].path);
			a->start_line = s->annotations[j].start_line;
			a->end_line = s->annotations[j].end_line;
			a->level = s->annotations[j].level;
			a->title = dup_or_null(s->annotations[j].title);
			a->message = dup_or_null(s->annotations[j].message);
		}
	}
	d->details_loaded = pr->details_loaded;
	for (i = 0; i < pr->n_reviews; i++) {
		struct gth_review *r = gth_pr_add_review(d);

		r->id = pr->reviews[i].id;
		r->author = dup_or_null(pr->reviews[i].author);
		r->state = dup_or_null(pr->reviews[i].state);
		r->commit = dup_or_null(pr->reviews[i].commit);
		r->body = dup_or_null(pr->reviews[i].body);
		r->submitted_at = pr->reviews[i].submitted_at;
	}
	for (i = 0; i < pr->n_files; i++) {
		struct gth_file_change *f = gth_pr_add_file(d);

		f->path = dup_or_null(pr->files[i].path);
		f->old_path = dup_or_null(pr->files[i].old_path);
		f->status = dup_or_null(pr->files[i].status);
		f->additions = pr->files[i].additions;
		f->deletions = pr->files[i].deletions;
		f->patch = dup_or_null(pr->files[i].patch);
	}
	d->files_complete = pr->files_complete;
	gth_strvec_extend(&d->commit_messages, &pr->commit_messages);
	d->task = task_dup(pr->task);
	return d;
}

char *
gth_pr_ref(const struct gth_pr *pr)
{
	return xasprintf("%s#%ld", pr->repo != NULL ? pr->repo : "?", pr->number);
}
