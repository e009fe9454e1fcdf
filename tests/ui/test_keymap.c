/*
 * Key names, the default keymap, rebinding from config, and themes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/config/cfg.h"
#include "gatehouse/ui/keymap.h"
#include "gatehouse/ui/keys.h"
#include "gatehouse/ui/theme.h"
#include "tap.h"

static const struct {
	const char *s;
	int key;
} keys[] = {
	{ "j", 'j' }, { "?", '?' }, { "<", '<' }, { "<Enter>", GTH_KEY_ENTER },
	{ "<enter>", GTH_KEY_ENTER }, { "<C-d>", 4 }, { "<C-D>", 4 }, { "<PgDown>", GTH_KEY_PGDOWN },
	{ "<Space>", ' ' }, { "<Tab>", GTH_KEY_TAB }, { "<S-Tab>", GTH_KEY_BTAB },
	{ "<F5>", GTH_KEY_F(5) }, { "<F12>", GTH_KEY_F(12) }, { "<Lt>", '<' },
	{ "\xc3\xa9", 0xe9 }, { "<Esc>", GTH_KEY_ESC }, { "<Up>", GTH_KEY_UP },
};

static const char *const bad_keys[] = { "", "jk", "<Nope>", "<C-1>", "<F13>", "<Enter", "\x01" };

static int
load(struct gth_cfg *cfg, const char *text)
{
	struct gth_err err;

	gth_cfg_init(cfg);
	return gth_cfg_load_string(cfg, text, strlen(text), "test", &err);
}

static void
test_keys(void)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int k = -1;

		is_int(gth_key_parse(keys[i].s, &k), 0, "key '%s' parses", keys[i].s);
		is_int(k, keys[i].key, "key '%s' is the right key", keys[i].s);
	}
	for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
		int k;

		ok(gth_key_parse(bad_keys[i], &k) < 0, "bad key '%s' is refused", bad_keys[i]);
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char name[32];
		int k = -1;

		gth_key_name(keys[i].key, name, sizeof(name));
		gth_key_parse(name, &k);
		is_int(k, keys[i].key, "the name of '%s' (%s) parses back", keys[i].s, name);
	}
}

static void
test_keymap(void)
{
	struct gth_keymap km;
	struct gth_cfg cfg;
	struct gth_err err;
	char out[128];

	{
		/* gth_keymap_init cannot report errors: the built-in text must be clean. */
		struct gth_keymap probe;

		memset(&probe, 0, sizeof(probe));
		is_int(load(&cfg, gth_keymap_default_text), 0, "the built-in keymap parses");
		is_int(gth_keymap_apply_cfg(&probe, &cfg, &err), 0, "every built-in binding is valid");
		gth_cfg_release(&cfg);
		gth_keymap_release(&probe);
	}
	gth_keymap_init(&km);
	is_int(gth_keymap_lookup(&km, GTH_KEYMAP_QUEUE, 'j'), GTH_ACTION_MOVE_DOWN,
		"j moves down in the queue (from the global map)");
	is_int(gth_keymap_lookup(&km, GTH_KEYMAP_QUEUE, 'a'), GTH_ACTION_APPROVE, "a approves");
	is_int(gth_keymap_lookup(&km, GTH_KEYMAP_PR, '}'), GTH_ACTION_NEXT_FILE, "} is next file");
	is_int(gth_keymap_lookup(&km, GTH_KEYMAP_PR, 'o'), GTH_ACTION_NONE,
		"queue bindings do not leak into the PR view");
	is_int(gth_keymap_lookup(&km, GTH_KEYMAP_PROMPT, 'j'), GTH_ACTION_NONE,
		"the prompt does not fall back to global moves (j is typed text there)");
	is_int(gth_keymap_lookup(&km, GTH_KEYMAP_PROMPT, '1'), GTH_ACTION_TEMPLATE_1,
		"1 picks the first template in the prompt");
	gth_keymap_keys_for(&km, GTH_KEYMAP_GLOBAL, GTH_ACTION_MOVE_DOWN, out, sizeof(out));
	is_str(out, "j <Down>", "help lists both keys of move-down");

	is_int(load(&cfg, "[keymap \"queue\"]\n\tbind = A approve\n\tbind = a none\n"
		"[keymap \"global\"]\n\tbind = <C-n> move-down\n"), 0, "user keymap parses");
	is_int(gth_keymap_apply_cfg(&km, &cfg, &err), 0, "and applies");
	gth_cfg_release(&cfg);
	is_int(gth_keymap_lookup(&km, GTH_KEYMAP_QUEUE, 'A'), GTH_ACTION_APPROVE, "A approves now");
	is_int(gth_keymap_lookup(&km, GTH_KEYMAP_QUEUE, 'a'), GTH_ACTION_NONE, "a is unbound");
	is_int(gth_keymap_lookup(&km, GTH_KEYMAP_PR, 'a'), GTH_ACTION_APPROVE,
		"unbinding in the queue leaves the global binding for the PR view");
	is_int(gth_keymap_lookup(&km, GTH_KEYMAP_PR, 14), GTH_ACTION_MOVE_DOWN, "<C-n> moves down");
	gth_keymap_keys_for(&km, GTH_KEYMAP_QUEUE, GTH_ACTION_APPROVE, out, sizeof(out));
	is_str(out, "A", "help shows the rebound key only");

	is_int(load(&cfg, "[keymap \"queue\"]\n\tbind = a fly-away\n"), 0, "parses");
	is_int(gth_keymap_apply_cfg(&km, &cfg, &err), -GTH_E_CONFIG, "an unknown action is an error");
	ok(strstr(err.msg, "test:2") != NULL && strstr(err.msg, "fly-away") != NULL,
		"reported at file:line with the action: %s", err.msg);
	gth_cfg_release(&cfg);
	is_int(load(&cfg, "[keymap \"nowhere\"]\n\tbind = a approve\n"), 0, "parses");
	is_int(gth_keymap_apply_cfg(&km, &cfg, &err), -GTH_E_CONFIG, "an unknown keymap is an error");
	gth_cfg_release(&cfg);
	is_int(load(&cfg, "[keymap \"pr\"]\n\tbind = <Nope> approve\n"), 0, "parses");
	is_int(gth_keymap_apply_cfg(&km, &cfg, &err), -GTH_E_CONFIG, "a bad key is an error");
	gth_cfg_release(&cfg);
	gth_keymap_release(&km);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void
test_themes(void)
{
	const char *top = getenv("top_srcdir");
	char dir[4096], path[4200];
	const char *dirs[] = { dir, NULL };
	static const char *const names[] = { "default", "light", "high-contrast", "mono" };
	struct gth_theme t, def;
	struct gth_cfg cfg;
	struct gth_err err;
	int32_t c;
	char *text;

	snprintf(dir, sizeof(dir), "%s/themes", top != NULL ? top : "..");
	load(&cfg, gth_theme_default_text);
	gth_theme_init_default(&t);
	is_int(gth_theme_apply_cfg(&t, &cfg, &err), 0, "the built-in theme is valid");
	gth_cfg_release(&cfg);
	gth_theme_init_default(&def);
	is_int(def.style[GTH_ROLE_DIFF_ADD].fg, 2, "the default theme draws additions green");
	is_int(def.style[GTH_ROLE_TOKEN_BIDI].bg, 1, "and bidi tokens on red");
	snprintf(path, sizeof(path), "%s/default.theme", dir);
	text = slurp(path);
	ok(text != NULL && strcmp(text, gth_theme_default_text) == 0,
		"the compiled-in theme is themes/default.theme byte for byte");
	free(text);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&err, 0, sizeof(err));
		is_int(gth_theme_load(&t, names[i], dirs, &err), 0, "theme %s loads %s", names[i],
			err.msg);
		is_str(t.name, names[i], "and is named %s", names[i]);
	}
	gth_theme_load(&t, "mono", dirs, &err);
	is_int(t.style[GTH_ROLE_DIFF_ADD].fg, GTH_COLOR_DEFAULT, "mono uses no colour");
	ok(t.style[GTH_ROLE_TOKEN_BIDI].attrs & GTH_ATTR_REVERSE, "mono shows tokens reversed");
	gth_theme_load(&t, "light", dirs, &err);
	is_int(t.style[GTH_ROLE_DIFF_ADD].fg, GTH_COLOR_RGB | 0x00875f, "light uses truecolor");
	is_int(gth_theme_load(&t, "nope", dirs, &err), -GTH_E_NOTFOUND, "a missing theme is reported");
	is_int(gth_theme_load(&t, "../etc/passwd", dirs, &err), -GTH_E_INVAL,
		"a theme name cannot walk out of the themes directory");

	ok(gth_color_parse("#1a2B3c", &c) == 0 && c == (GTH_COLOR_RGB | 0x1a2b3c), "#rrggbb parses");
	ok(gth_color_parse("color200", &c) == 0 && c == 200, "colorN parses");
	ok(gth_color_parse("bright-red", &c) == 0 && c == 9, "bright colours parse");
	ok(gth_color_parse("256", &c) < 0, "256 is not a colour");
	ok(gth_color_parse("#12345", &c) < 0, "short hex is refused");

	load(&cfg, "[color]\n\tdiff-add = blue default bold\n\tdiff-nope = red\n");
	gth_theme_init_default(&t);
	is_int(gth_theme_apply_cfg(&t, &cfg, &err), -GTH_E_CONFIG, "an unknown role is an error");
	ok(strstr(err.msg, "test:3") != NULL, "at its line: %s", err.msg);
	is_int(t.style[GTH_ROLE_DIFF_ADD].fg, 4, "entries before the error still apply");
	ok(t.style[GTH_ROLE_DIFF_ADD].attrs & GTH_ATTR_BOLD, "with their attributes");
	gth_cfg_release(&cfg);
	load(&cfg, "[color]\n\tdiff-add = green sparkly\n");
	is_int(gth_theme_apply_cfg(&t, &cfg, &err), -GTH_E_CONFIG, "a bad attribute is an error");
	gth_cfg_release(&cfg);
}

int
main(void)
{
	test_keys();
	test_keymap();
	test_themes();
	return done_testing();
}
