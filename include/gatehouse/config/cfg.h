/*
 * Reading git-config syntax files (config, policy, themes).
 *
 * Parsing is libgit2's (git_config_open_ondisk & co.); this module flattens
 * what it reads into an ordered list of entries that remember the file and
 * line they came from, so every semantic error can be reported as file:line.
 * Later entries override earlier ones for single-valued keys; multi-valued
 * keys (policy rules, keymap bindings) keep every value in order.
 */
#ifndef GATEHOUSE_CONFIG_CFG_H
#define GATEHOUSE_CONFIG_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/err.h"

struct gth_cfg_entry {
	char *section;		/* lower-case: "forge" */
	char *subsection;	/* case kept: "github", or NULL */
	char *key;		/* lower-case: "token-env" */
	char *value;		/* NULL for a bare boolean key ("[x] flag") */
	char *origin;		/* file path, "-c", or the name given to load_string */
	int line;		/* 1-based; 0 when unknown (-c overrides) */
};

struct gth_cfg {
	struct gth_cfg_entry *v;
	size_t n, cap;
};

void gth_cfg_init(struct gth_cfg *cfg);
void gth_cfg_release(struct gth_cfg *cfg);

/*
 * Append the entries of the file at path.  A missing file is -GTH_E_NOTFOUND
 * (callers decide whether that matters); a syntax error is -GTH_E_CONFIG with
 * "path:line: message" in err.
 */
int gth_cfg_load_file(struct gth_cfg *cfg, const char *path, struct gth_err *err);

/* Append entries parsed from text; origin names it in errors (e.g. "acme/api:.gatehouse/policy"). */
int gth_cfg_load_string(struct gth_cfg *cfg, const char *text, size_t len, const char *origin,
	struct gth_err *err);

/* Append one "section[.subsection].key=value" override, as git -c takes it. */
int gth_cfg_add_override(struct gth_cfg *cfg, const char *assignment, struct gth_err *err);

/* The last value of section.subsection.key (subsection may be NULL), or NULL. */
const struct gth_cfg_entry *gth_cfg_get(const struct gth_cfg *cfg, const char *section,
	const char *subsection, const char *key);

/* Convenience: value or def. */
const char *gth_cfg_get_str(const struct gth_cfg *cfg, const char *section,
	const char *subsection, const char *key, const char *def);

/*
 * Typed values of one entry.  Each returns 0, or -GTH_E_CONFIG with
 * "origin:line: section.key: ..." in err.  A bare key ("[ui] ascii") is true
 * for entry_bool and missing for the others.
 */
int gth_cfg_entry_need(const struct gth_cfg_entry *e, struct gth_err *err);
int gth_cfg_entry_bool(const struct gth_cfg_entry *e, bool *out, struct gth_err *err);
int gth_cfg_entry_long(const struct gth_cfg_entry *e, long min, long max, long *out,
	struct gth_err *err);

/* Set err to "origin:line: fmt..." for entry e and return -GTH_E_CONFIG. */
int gth_cfg_error(struct gth_err *err, const struct gth_cfg_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
