/*
 * A pull request (GitHub, Gitea) or merge request (GitLab) as gatehouse sees
 * it: plain data, no I/O.  forge/ decodes into these structs; policy/, ui/,
 * decide/ and app/ read them.  Every string is a NUL-terminated, owned copy of
 * what the forge sent (untrusted: sanitize at display time), or NULL when the
 * forge did not say.
 */
#ifndef GATEHOUSE_MODEL_PR_H
#define GATEHOUSE_MODEL_PR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gatehouse/base/str.h"

enum gth_forge_kind {
	GTH_FORGE_GITHUB,
	GTH_FORGE_GITLAB,
	GTH_FORGE_GITEA,
};

/*
 * State of a gate, and of the checks that make one up.  MISSING appears only
 * in policy verdicts (a required gate with no check at all).  AWAITING is a
 * workflow waiting for a human to allow it to run (GitHub action_required /
 * waiting, GitLab manual jobs).
 */
enum gth_gate_state {
	GTH_GATE_PASS,
	GTH_GATE_FAIL,
	GTH_GATE_PENDING,
	GTH_GATE_MISSING,
	GTH_GATE_SKIPPED,
	GTH_GATE_AWAITING,
	GTH_GATE__COUNT
};

/* "pass", "fail", "pending", "missing", "skipped", "awaiting-approval". */
const char *gth_gate_state_name(enum gth_gate_state s);
int gth_gate_state_parse(const char *s, enum gth_gate_state *out);

enum gth_check_kind {
	GTH_CHECK_RUN,		/* GitHub check run, Gitea Actions run, GitLab job */
	GTH_CHECK_STATUS,	/* commit status (GitHub/Gitea status, GitLab external status) */
};

enum gth_annotation_level {
	GTH_ANNOTATION_NOTICE,
	GTH_ANNOTATION_WARNING,
	GTH_ANNOTATION_FAILURE,
};

const char *gth_annotation_level_name(enum gth_annotation_level l);

struct gth_annotation {
	char *path;
	long start_line;
	long end_line;
	enum gth_annotation_level level;
	char *title;
	char *message;
};

struct gth_check {
	enum gth_check_kind kind;
	char *name;		/* check run name or status context */
	char *app;		/* check run's app slug; NULL for statuses */
	enum gth_gate_state state;
	char *raw_state;	/* the forge's own words, e.g. "completed/timed_out" */
	char *summary;		/* output title/summary or status description */
	char *url;		/* details or target URL */
	long long id;		/* forge id (for annotations), 0 if none */
	bool required;		/* the forge marks it required for the base branch */
	long annotations_count;	/* as reported by the forge */
	struct gth_annotation *annotations;	/* loaded on demand */
	size_t n_annotations, cap_annotations;
};

struct gth_review {
	long long id;
	char *author;
	char *state;		/* APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING */
	char *commit;		/* commit the review was made on; may be NULL */
	char *body;
	time_t submitted_at;
};

/* One file from the forge's files API: the fallback when git is not available. */
struct gth_file_change {
	char *path;
	char *old_path;		/* renames; NULL otherwise */
	char *status;		/* added, removed, modified, renamed, copied, changed */
	long additions;
	long deletions;
	char *patch;		/* NULL when the forge withheld it (binary, too large) */
};

/*
 * A structured task template an agent may embed in the PR body as a fenced
 * JSON block.  Fields are NULL when absent.
 */
struct gth_task_template {
	char *task_type;
	char *component;
	char *module_path;
	char *rollback_condition;
	struct gth_strvec constraints;
	struct gth_strvec test_cases;
};

struct gth_pr {
	char *forge;		/* name of the configured forge ("github", "corp-gitlab") */
	enum gth_forge_kind forge_kind;
	char *host;		/* host name, for the mirror path */
	char *repo;		/* "owner/name" (GitLab: full project path) */
	long number;		/* PR number / MR iid */
	char *title;
	char *body;
	char *url;		/* web URL */
	char *clone_url;	/* HTTPS clone URL */
	char *author;		/* login */
	bool author_is_bot;	/* the forge says the author is a bot/app */
	char *task_requester;	/* who asked the agent for this work, when the forge says */
	char *head_sha;
	char *base_sha;
	char *head_ref;
	char *base_ref;
	bool draft;
	long additions;
	long deletions;
	long changed_files;
	char *review_decision;	/* APPROVED, CHANGES_REQUESTED, REVIEW_REQUIRED or NULL */
	time_t created_at;
	time_t updated_at;
	time_t ready_at;	/* when it became ready for review; created_at if unknown */

	struct gth_strvec labels;
	struct gth_strvec requested_users;
	struct gth_strvec requested_teams;

	struct gth_check *checks;
	size_t n_checks, cap_checks;

	/* Filled by get_details (reviews, files, commits); see details_loaded. */
	bool details_loaded;
	struct gth_review *reviews;
	size_t n_reviews, cap_reviews;
	struct gth_file_change *files;
	size_t n_files, cap_files;
	bool files_complete;	/* false when the forge capped the list */
	struct gth_strvec commit_messages;

	struct gth_task_template *task;	/* NULL unless the body carries one */
};

/* A new, zeroed PR.  Free with gth_pr_free. */
struct gth_pr *gth_pr_new(void);
void gth_pr_free(struct gth_pr *pr);
/* Deep copy. */
struct gth_pr *gth_pr_dup(const struct gth_pr *pr);

/* Append a zeroed check / review / file / annotation and return it (owned by the parent). */
struct gth_check *gth_pr_add_check(struct gth_pr *pr);
struct gth_review *gth_pr_add_review(struct gth_pr *pr);
struct gth_file_change *gth_pr_add_file(struct gth_pr *pr);
struct gth_annotation *gth_check_add_annotation(struct gth_check *c);

/* Drop the details (reviews, files, commits, annotations) before reloading them. */
void gth_pr_clear_details(struct gth_pr *pr);

void gth_task_template_free(struct gth_task_template *t);

/* "owner/repo#N", newly allocated. */
char *gth_pr_ref(const struct gth_pr *pr);

#endif
