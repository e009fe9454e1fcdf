/* The policy's representation, shared by load.c and assess.c only. */
#ifndef GATEHOUSE_POLICY_INTERNAL_H
#define GATEHOUSE_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/str.h"
#include "gatehouse/config/match.h"
#include "gatehouse/model/assess.h"

struct pol_class {
	bool defined;
	long sla_hours;
	long approvals;
	struct gth_strvec gates;
	struct gth_strvec users;
	struct gth_strvec teams;
	struct gth_strvec labels;
};

struct pol_rule {
	char *name;
	bool has_class;
	enum gth_risk risk;
	bool from_repo;
	bool builtin;
	struct gth_glob **paths;
	size_t n_paths, cap_paths;
	struct gth_strvec labels;
	struct gth_strvec task_types;
	struct gth_strvec authors;
	long min_lines;		/* -1 when unset */
	long min_files;		/* -1 when unset */
	bool manifest;
	bool guardrail;
	bool match_all;		/* match = all: every kind of condition must match */
	char *origin;		/* file:line of the rule's first entry */
};

struct pol_gate {
	char *name;
	struct gth_glob **checks;
	size_t n_checks, cap_checks;
};

struct gth_policy {
	struct pol_class classes[GTH_RISK__COUNT];
	struct pol_rule *rules;
	size_t n_rules, cap_rules;
	struct pol_gate *gates;
	size_t n_gates, cap_gates;
	struct gth_strvec agents;	/* known agent logins (patterns) */
	enum gth_risk default_class;
	long override_min_chars;
	struct gth_strvec flags;	/* "repo policy tried to ..." */
	struct gth_glob **manifests;	/* pol_manifest_patterns, compiled */
	size_t n_manifests, cap_manifests;
	char *canonical;
	char hash[65];
};

/* Does login match an author pattern? ('*' and '?' glob; '[' is literal: "copilot[bot]"). */
bool pol_author_match(const char *pattern, const char *login);

/* The built-in dependency manifest patterns, NULL-terminated. */
extern const char *const pol_manifest_patterns[];

/* Is path a dependency manifest or lockfile (by the built-in list)? */
bool pol_is_manifest(const struct gth_policy *p, const char *path);

#endif
