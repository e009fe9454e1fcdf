/*
 * Roles and themes.  The default theme is themes/default.theme compiled in
 * (src/ui/local.mk generates default_theme.c from it) and read by the same
 * parser as any other theme.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gatehouse/base/str.h"
#include "gatehouse/ui/theme.h"

static const char *const role_names[] = {
#define GTH_ROLE_NAME(id, name) name,
	GTH_ROLE_INFO(GTH_ROLE_NAME)
#undef GTH_ROLE_NAME
};


const char *
gth_role_name(enum gth_role r)
{
	if ((int)r < 0 || r >= GTH_ROLE__COUNT)
		return NULL;
	return role_names[r];
}

int
gth_role_lookup(const char *name)
{
	for (int i = 0; i < GTH_ROLE__COUNT; i++)
		if (strcasecmp(role_names[i], name) == 0)
			return i;
	return -1;
}

static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
gth_color_parse(const char *s, int32_t *out)
{
	long n;

	if (strcasecmp(s, "default") == 0) {
		*out = GTH_COLOR_DEFAULT;
		return 0;
	}
	for (int i = 0; i < 8; i++) {
		if (strcasecmp(s, color_names[i]) == 0) {
			*out = i;
			return 0;
		}
		if (strncasecmp(s, "bright-", 7) == 0 && strcasecmp(s + 7, color_names[i]) == 0) {
			*out = i + 8;
			return 0;
		}
	}
	if (s[0] == '#' && strlen(s) == 7) {
		int32_t rgb = 0;

		for (int i = 1; i < 7; i++) {
			int v = hexval(s[i]);

			if (v < 0)
				return -GTH_E_PARSE;
			rgb = rgb << 4 | v;
		}
		*out = GTH_COLOR_RGB | rgb;
		return 0;
	}
	if (strncasecmp(s, "color", 5) == 0)
		s += 5;
	if (gth_parse_long(s, 0, 255, &n) == 0) {
		*out = (int32_t)n;
		return 0;
	}
	return -GTH_E_PARSE;
}

static const struct {
	const char *name;
	unsigned attr;
} attr_names[] = {
	{ "bold", GTH_ATTR_BOLD }, { "dim", GTH_ATTR_DIM }, { "underline", GTH_ATTR_UNDERLINE },
	{ "reverse", GTH_ATTR_REVERSE }, { "italic", GTH_ATTR_ITALIC },
	{ "blink", GTH_ATTR_BLINK }, { "standout", GTH_ATTR_STANDOUT }, { "normal", 0 },
};

static int
parse_attr(const char *s, unsigned *attrs)
{
	for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
		if (strcasecmp(s, attr_names[i].name) == 0) {
			*attrs |= attr_names[i].attr;
			return 0;
		}
	}
	return -GTH_E_PARSE;
}

/* "fg [bg] [attr...]": words separated by blanks. */
static int
parse_style(const char *v, struct gth_style *st, const char **bad)
{
	char word[64];
	int nword = 0;
	struct gth_style s = { GTH_COLOR_DEFAULT, GTH_COLOR_DEFAULT, 0 };

	while (*v != '\0') {
		size_t n = 0;

		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '\0')
			break;
		while (v[n] != '\0' && v[n] != ' ' && v[n] != '\t')
			n++;
		if (n >= sizeof(word)) {
			*bad = "word too long";
			return -GTH_E_PARSE;
		}
		memcpy(word, v, n);
		word[n] = '\0';
		v += n;
		if (nword < 2 && gth_color_parse(word, nword == 0 ? &s.fg : &s.bg) == 0) {
			nword++;
			continue;
		}
		if (parse_attr(word, &s.attrs) < 0) {
			*bad = nword < 2 ? "not a colour or attribute" : "not an attribute";
			return -GTH_E_PARSE;
		}
		nword = 2;
	}
	*st = s;
	return 0;
}

int
gth_theme_apply_cfg(struct gth_theme *t, const struct gth_cfg *cfg, struct gth_err *err)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const struct gth_cfg_entry *e = &cfg->v[i];
		const char *bad = NULL;
		int role;

		if (strcmp(e->section, "color") != 0 || e->subsection != NULL)
			continue;
		role = gth_role_lookup(e->key);
		if (role < 0)
			return gth_cfg_error(err, e, "unknown display role '%s'", e->key);
		if (e->value == NULL)
			return gth_cfg_error(err, e, "%s needs a colour", e->key);
		if (parse_style(e->value, &t->style[role], &bad) < 0)
			return gth_cfg_error(err, e, "%s: %s: '%s'", e->key, bad, e->value);
	}
	return 0;
}

void
gth_theme_init_default(struct gth_theme *t)
{
	struct gth_cfg cfg;
	struct gth_err err;

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < GTH_ROLE__COUNT; i++)
		t->style[i] = (struct gth_style){ GTH_COLOR_DEFAULT, GTH_COLOR_DEFAULT, 0 };
	gth_cfg_init(&cfg);
	/* The built-in text is ours and tested; an error here is a build defect. */
	if (gth_cfg_load_string(&cfg, gth_theme_default_text, strlen(gth_theme_default_text),
			"built-in theme", &err) == 0)
		(void)gth_theme_apply_cfg(t, &cfg, &err);
	gth_cfg_release(&cfg);
	gth_strlcpy(t->name, "default", sizeof(t->name));
}

static bool
safe_name(const char *name)
{
	if (name[0] == '\0' || name[0] == '.')
		return false;
	for (const char *p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

int
gth_theme_load(struct gth_theme *t, const char *name, const char *const *dirs,
	struct gth_err *err)
{
	struct gth_cfg cfg;
	int r = -GTH_E_NOTFOUND;

	gth_theme_init_default(t);
	if (!safe_name(name)) {
		if (err != NULL) {
			err->code = -GTH_E_INVAL;
			snprintf(err->msg, sizeof(err->msg), "bad theme name (use letters, digits, - and _)");
		}
		return -GTH_E_INVAL;
	}
	gth_cfg_init(&cfg);
	for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		char path[4096];

		if ((size_t)snprintf(path, sizeof(path), "%s/%s.theme", dirs[i], name) >= sizeof(path))
			continue;
		r = gth_cfg_load_file(&cfg, path, err);
		if (r == -GTH_E_NOTFOUND)
			continue;
		if (r == 0)
			r = gth_theme_apply_cfg(t, &cfg, err);
		break;
	}
	gth_cfg_release(&cfg);
	if (r == -GTH_E_NOTFOUND && strcmp(name, "default") == 0)
		r = 0;
	else if (r == -GTH_E_NOTFOUND && err != NULL) {
		err->code = r;
		snprintf(err->msg, sizeof(err->msg), "theme '%s' not found", name);
	}
	if (r == 0)
		gth_strlcpy(t->name, name, sizeof(t->name));
	return r;
}
