/*
 * The policy's verdict on one PR: risk class with its reasons, the gate
 * verdicts, SLA and escalation route.  Produced by policy/, read by ui/,
 * decide/ and app/.  Plain data.
 */
#ifndef GATEHOUSE_MODEL_ASSESS_H
#define GATEHOUSE_MODEL_ASSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gatehouse/base/str.h"
#include "gatehouse/model/pr.h"

enum gth_risk {
	GTH_RISK_LOW,
	GTH_RISK_MEDIUM,
	GTH_RISK_HIGH,
	GTH_RISK_CRITICAL,
	GTH_RISK__COUNT
};

/* "low", "medium", "high", "critical". */
const char *gth_risk_name(enum gth_risk r);
int gth_risk_parse(const char *s, enum gth_risk *out);

/* One reason a PR got (at least) a class: "critical: .github/workflows/ci.yml matches rule guardrail-files". */
struct gth_risk_reason {
	enum gth_risk risk;
	char *rule;		/* rule name */
	char *what;		/* what matched: a path, "label needs-infra", "2,041 files" */
};

/* A named gate (e.g. "sast" = any of semgrep, codeql) and its verdict. */
struct gth_gate_verdict {
	char *name;
	enum gth_gate_state state;
	bool required;
	char *summary;		/* the deciding check's summary, may be NULL */
	long annotations;	/* annotation count over its checks */
	struct gth_strvec checks;	/* names of the checks that make it up */
};

struct gth_assessment {
	enum gth_risk risk;
	struct gth_risk_reason *reasons;
	size_t n_reasons, cap_reasons;

	struct gth_gate_verdict *gates;	/* failed and missing required first */
	size_t n_gates, cap_gates;
	bool gates_block_approval;	/* a required gate fails or is missing */

	long sla_hours;
	time_t sla_deadline;	/* ready_at + sla_hours */
	int approvals_needed;

	struct gth_strvec escalate_users;
	struct gth_strvec escalate_teams;
	struct gth_strvec escalate_labels;

	/* Notes for the reviewer, e.g. "workflows are waiting for approval". */
	struct gth_strvec flags;

	char policy_hash[65];	/* sha256 hex of the effective policy */
};

struct gth_assessment *gth_assessment_new(void);
void gth_assessment_free(struct gth_assessment *a);
/* Deep copy (a may be NULL: returns NULL). */
struct gth_assessment *gth_assessment_dup(const struct gth_assessment *a);
struct gth_risk_reason *gth_assessment_add_reason(struct gth_assessment *a, enum gth_risk r,
	const char *rule, const char *what);
struct gth_gate_verdict *gth_assessment_add_gate(struct gth_assessment *a, const char *name);

/* Gate counts by state (for the queue's gate summary column). */
void gth_assessment_gate_counts(const struct gth_assessment *a, size_t counts[GTH_GATE__COUNT]);

#endif
