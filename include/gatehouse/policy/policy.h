/*
 * The checkpoint policy: risk classes, rules, gates, SLA, escalation.
 *
 * The file format (git-config syntax, read through config/cfg.h) is
 * described in doc/policy.md; policy/default.policy is the shipped default,
 * compiled in as gth_policy_default_text.  Everything here except loading is
 * a pure function over model structs: no I/O, no clock (callers pass now).
 *
 * Trust: host files (/etc/gatehouse/policy, then the user's) are
 * authoritative.  A repository's .gatehouse/policy, read from the PR's base
 * commit, may only add rules, and a rule can only raise a class, never lower
 * one (the class is the maximum over all matching rules).  Built-in
 * guardrail rules make any PR that touches policy files, CI configuration
 * or CODEOWNERS critical whatever the policy files say.
 */
#ifndef GATEHOUSE_POLICY_POLICY_H
#define GATEHOUSE_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gatehouse/base/err.h"
#include "gatehouse/model/assess.h"
#include "gatehouse/model/diff.h"
#include "gatehouse/model/pr.h"
#include "gatehouse/model/queue.h"
#include "gatehouse/policy/codeowners.h"

struct gth_policy;

/* The shipped default policy (policy/default.policy), NUL-terminated. */
extern const char gth_policy_default_text[];

/* Where the host policy is looked for, in order: "/etc/gatehouse/policy". */
#define GTH_POLICY_SYSTEM_PATH "/etc/gatehouse/policy"

/*
 * Load the host policy from paths[0..n), in order (later files add rules and
 * may override class settings of earlier ones).  A missing file is skipped;
 * when none exists the built-in default is used.  A file owned by someone
 * other than root or the caller, or writable by group or others, is refused.  Anything malformed,
 * unknown or incomplete is -GTH_E_POLICY with "file:line: message" in err:
 * gatehouse must refuse to run rather than guess.  *out is freed with
 * gth_policy_free.
 */
int gth_policy_load(const char *const *paths, size_t n, struct gth_policy **out,
	struct gth_err *err);

/* Load from text (origin names it in errors); used for tests and the built-in default. */
int gth_policy_load_string(const char *text, size_t len, const char *origin,
	struct gth_policy **out, struct gth_err *err);

/*
 * A new policy: base plus the rules of a repository policy (text of
 * .gatehouse/policy at the base commit; origin e.g. "acme/api@1a2b3c:.gatehouse/policy").
 * Only [rule] sections take effect.  Attempts to redefine classes, gates or
 * settings, to replace a host rule, or rules that could only lower a class,
 * are ignored and recorded as flags ("repo policy tried to ...") that every
 * assessment under the new policy carries.  Syntax errors and unknown keys
 * are -GTH_E_POLICY with origin:line.  base is not modified; *out is
 * freed with gth_policy_free.
 */
int gth_policy_add_repo_rules(const struct gth_policy *base, const char *text, size_t len,
	const char *origin, struct gth_policy **out, struct gth_err *err);

void gth_policy_free(struct gth_policy *p);

/*
 * SHA-256 (hex) of a canonical serialization of the effective policy:
 * comments, whitespace and key order within a section do not change it;
 * any change to a class, rule or gate does.  Goes into every decision record.
 */
void gth_policy_hash(const struct gth_policy *p, char hex[65]);

/* The canonical serialization that is hashed (for `gatehouse doctor`); owned by p. */
const char *gth_policy_canonical(const struct gth_policy *p);

/* Flags recorded while loading (repo policy attempts); owned by p. */
const struct gth_strvec *gth_policy_flags(const struct gth_policy *p);

/* SLA hours / approvals of a class, as the policy defines them. */
long gth_policy_sla_hours(const struct gth_policy *p, enum gth_risk r);
int gth_policy_approvals(const struct gth_policy *p, enum gth_risk r);

/* Minimum length (non-space characters) of a typed override; [policy] override-min-chars. */
long gth_policy_override_min_chars(const struct gth_policy *p);

/*
 * Assess pr.  Gates come from pr->checks; a check the base branch requires
 * but that never reported should be passed in by the forge layer as a check
 * with required = true and state MISSING.  diff may be NULL (then pr->files
 * are the touched paths);
 * codeowners may be NULL (read from the base commit by the caller);
 * reviewer_login may be NULL.  now is used for nothing but flags about
 * time.  *out is freed with gth_assessment_free.  Never fails.
 */
void gth_policy_assess(const struct gth_policy *p, const struct gth_pr *pr,
	const struct gth_diff *diff, const struct gth_codeowners *codeowners,
	const char *reviewer_login, time_t now, struct gth_assessment **out);

/* Is the SLA of a breached at now? (false when a has no deadline) */
bool gth_policy_sla_breached(const struct gth_assessment *a, time_t now);

/*
 * Order the queue for review: breached SLA first, then higher risk, then
 * older (ready_at); unassessed items last.  Stable for equal keys.
 */
void gth_policy_sort_queue(struct gth_queue *q, time_t now);

/*
 * May the reviewer approve?  0 when no required gate fails or is missing;
 * otherwise override_text must hold at least gth_policy_override_min_chars
 * non-space characters saying why (it goes into the signed record), else
 * -GTH_E_POLICY with the blocking gates named in err.
 */
int gth_policy_approve_allowed(const struct gth_policy *p, const struct gth_assessment *a,
	const char *override_text, struct gth_err *err);

/*
 * Map a forge's words to a gate state (for forge/ decoders).  kind RUN:
 * status (queued, in_progress, completed, waiting, requested, pending) and
 * conclusion (success, failure, neutral, cancelled, skipped, timed_out,
 * action_required, startup_failure, stale; NULL while running; stale is a
 * failure, as forge/github_json.c reads it).  kind
 * STATUS: status is the state (success, failure, error, pending, expected)
 * and conclusion is ignored.  Case-insensitive.  -GTH_E_PARSE for words it
 * does not know (*out is then PENDING: unknown is never a pass).
 */
int gth_policy_check_state(enum gth_check_kind kind, const char *status, const char *conclusion,
	enum gth_gate_state *out);

/* The task types a policy may name (NULL-terminated): documentation, test_generation, ... */
extern const char *const gth_policy_task_types[];

#endif
