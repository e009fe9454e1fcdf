/*
 * Display roles and themes.
 *
 * Views never pick colours: every cell carries a role, and a theme maps
 * roles to colours and attributes.  Themes are files in the config language
 * (themes/<name>.theme, a [color] section, one "role = fg [bg] [attr...]"
 * per line); the default theme is compiled in and goes through the same
 * parser.  Colours: default, black, red, green, yellow, blue, magenta, cyan,
 * white, bright-<name>, 0-255 (or colorN), and "#rrggbb" (quote it: # starts
 * a comment in the config language).  Attributes: bold, dim, underline,
 * reverse, italic, blink, standout.  term/ degrades truecolor to 256 or 8
 * colours and drops colour entirely under NO_COLOR.
 */
#ifndef GATEHOUSE_UI_THEME_H
#define GATEHOUSE_UI_THEME_H

#include <stdint.h>

#include "gatehouse/base/err.h"
#include "gatehouse/config/cfg.h"

#define GTH_ROLE_INFO(_) \
	_(NORMAL, "normal") \
	_(TITLE, "title") \
	_(HEADER, "header") \
	_(STATUS, "status") \
	_(MESSAGE, "message") \
	_(ERROR, "error") \
	_(PROMPT, "prompt") \
	_(INPUT, "input") \
	_(BORDER, "border") \
	_(DIM, "dim") \
	_(TAB, "tab") \
	_(TAB_ACTIVE, "tab-active") \
	_(RISK_LOW, "risk-low") \
	_(RISK_MEDIUM, "risk-medium") \
	_(RISK_HIGH, "risk-high") \
	_(RISK_CRITICAL, "risk-critical") \
	_(GATE_PASS, "gate-pass") \
	_(GATE_FAIL, "gate-fail") \
	_(GATE_PENDING, "gate-pending") \
	_(GATE_MISSING, "gate-missing") \
	_(GATE_SKIPPED, "gate-skipped") \
	_(GATE_AWAITING, "gate-awaiting") \
	_(SLA_BREACHED, "sla-breached") \
	_(SLA_NEAR, "sla-near") \
	_(DIFF_FILE, "diff-file") \
	_(DIFF_ADD, "diff-add") \
	_(DIFF_DEL, "diff-del") \
	_(DIFF_HUNK, "diff-hunk") \
	_(DIFF_META, "diff-meta") \
	_(LINE_NUMBER, "line-number") \
	_(INTRALINE_ADD, "intraline-add") \
	_(INTRALINE_DEL, "intraline-del") \
	_(SELECTION, "selection") \
	_(VIEWED, "viewed") \
	_(TOKEN_CONTROL, "token-control") \
	_(TOKEN_BADBYTE, "token-badbyte") \
	_(TOKEN_BIDI, "token-bidi") \
	_(TOKEN_INVISIBLE, "token-invisible") \
	_(TOKEN_MIXED, "token-mixed") \
	_(WARNING_BANNER, "warning-banner") \
	_(ANNOTATION_FAILURE, "annotation-failure") \
	_(ANNOTATION_WARNING, "annotation-warning") \
	_(ANNOTATION_NOTICE, "annotation-notice") \
	_(HEADING, "heading") \
	_(CODE, "code") \
	_(QUOTE, "quote") \
	_(LINK, "link") \
	_(DELIVERY_OK, "delivery-ok") \
	_(DELIVERY_PENDING, "delivery-pending") \
	_(DELIVERY_FAILED, "delivery-failed") \
	_(SEARCH_MATCH, "search-match")

enum gth_role {
#define GTH_ROLE_ENUM(id, name) GTH_ROLE_##id,
	GTH_ROLE_INFO(GTH_ROLE_ENUM)
#undef GTH_ROLE_ENUM
	GTH_ROLE__COUNT
};

/* "diff-add" for GTH_ROLE_DIFF_ADD; NULL when out of range. */
const char *gth_role_name(enum gth_role r);
/* -1 when name is not a role. */
int gth_role_lookup(const char *name);

#define GTH_COLOR_DEFAULT	(-1)
#define GTH_COLOR_RGB		0x1000000	/* fg/bg = GTH_COLOR_RGB | 0xrrggbb */

#define GTH_ATTR_BOLD		0x01
#define GTH_ATTR_DIM		0x02
#define GTH_ATTR_UNDERLINE	0x04
#define GTH_ATTR_REVERSE	0x08
#define GTH_ATTR_ITALIC		0x10
#define GTH_ATTR_BLINK		0x20
#define GTH_ATTR_STANDOUT	0x40

struct gth_style {
	int32_t fg;		/* GTH_COLOR_DEFAULT, 0-255, or GTH_COLOR_RGB | rgb */
	int32_t bg;
	unsigned attrs;
};

struct gth_theme {
	char name[64];
	struct gth_style style[GTH_ROLE__COUNT];
};

/* The compiled-in default theme's text (identical to themes/default.theme). */
extern const char gth_theme_default_text[];

/* Fill t with the compiled-in default theme.  Cannot fail. */
void gth_theme_init_default(struct gth_theme *t);

/*
 * Apply the [color] entries of cfg on top of t.  Unknown roles and bad
 * colours are reported as file:line in err and parsing stops there
 * (-GTH_E_CONFIG); entries before the bad one stay applied.
 */
int gth_theme_apply_cfg(struct gth_theme *t, const struct gth_cfg *cfg, struct gth_err *err);

/*
 * Load theme name: the default theme, then <dir>/<name>.theme from the first
 * directory of dirs (a NULL-terminated list, e.g. the user's config dir then
 * the installed themes dir) that has it.  A name with characters other than
 * [A-Za-z0-9._-] or starting with '.' is refused.  "default" needs no file.
 * Returns 0, -GTH_E_NOTFOUND, -GTH_E_INVAL or -GTH_E_CONFIG (detail in err).
 */
int gth_theme_load(struct gth_theme *t, const char *name, const char *const *dirs,
	struct gth_err *err);

/* Parse one colour word; 0 or -GTH_E_PARSE. */
int gth_color_parse(const char *s, int32_t *out);

#endif
