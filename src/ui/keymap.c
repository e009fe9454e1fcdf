/*
 * Key names, actions and keymaps.  The default bindings are config text,
 * read by the same code as the user's [keymap "..."] sections (tig compiles
 * its tigrc in the same way), so '?' always shows what is really bound.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/ui/keymap.h"
#include "gatehouse/ui/keys.h"
#include "internal.h"

const char gth_keymap_default_text[] =
	"[keymap \"global\"]\n"
	"\tbind = Q quit\n"
	"\tbind = q back\n"
	"\tbind = ? help\n"
	"\tbind = <F1> help\n"
	"\tbind = : command\n"
	"\tbind = / search\n"
	"\tbind = n search-next\n"
	"\tbind = N search-prev\n"
	"\tbind = R refresh\n"
	"\tbind = <F5> refresh\n"
	"\tbind = <C-l> redraw\n"
	"\tbind = <C-z> suspend\n"
	"\tbind = j move-down\n"
	"\tbind = <Down> move-down\n"
	"\tbind = k move-up\n"
	"\tbind = <Up> move-up\n"
	"\tbind = <PgDown> page-down\n"
	"\tbind = <Space> page-down\n"
	"\tbind = <C-f> page-down\n"
	"\tbind = <PgUp> page-up\n"
	"\tbind = b page-up\n"
	"\tbind = <C-b> page-up\n"
	"\tbind = <C-d> half-page-down\n"
	"\tbind = <C-u> half-page-up\n"
	"\tbind = g move-first\n"
	"\tbind = <Home> move-first\n"
	"\tbind = G move-last\n"
	"\tbind = <End> move-last\n"
	"\tbind = <Enter> open\n"
	"\tbind = a approve\n"
	"\tbind = r reject\n"
	"\tbind = e escalate\n"
	"\tbind = y copy-url\n"
	"\tbind = Y copy-sha\n"
	"\tbind = D retry-delivery\n"
	"[keymap \"queue\"]\n"
	"\tbind = o open\n"
	"\tbind = f filter\n"
	"\tbind = F filter-risk\n"
	"\tbind = X filter-gate\n"
	"\tbind = c filter-clear\n"
	"[keymap \"pr\"]\n"
	"\tbind = } next-file\n"
	"\tbind = { prev-file\n"
	"\tbind = ] next-hunk\n"
	"\tbind = [ prev-hunk\n"
	"\tbind = @ next-hunk\n"
	"\tbind = > next-annotation\n"
	"\tbind = < prev-annotation\n"
	"\tbind = u next-unviewed\n"
	"\tbind = U prev-unviewed\n"
	"\tbind = v toggle-viewed\n"
	"\tbind = W toggle-whitespace\n"
	"\tbind = + expand-context\n"
	"\tbind = z toggle-tabs\n"
	"\tbind = h scroll-left\n"
	"\tbind = <Left> scroll-left\n"
	"\tbind = l scroll-right\n"
	"\tbind = <Right> scroll-right\n"
	"\tbind = <Tab> focus-next\n"
	"\tbind = <S-Tab> focus-prev\n"
	"\tbind = 1 focus-diff\n"
	"\tbind = 2 focus-files\n"
	"\tbind = 3 focus-risk\n"
	"\tbind = 4 focus-gates\n"
	"\tbind = 5 focus-rationale\n"
	"[keymap \"prompt\"]\n"
	"\tbind = <Enter> confirm\n"
	"\tbind = y confirm\n"
	"\tbind = <Esc> cancel\n"
	"\tbind = q cancel\n"
	"\tbind = i edit-reason\n"
	"\tbind = <Tab> edit-reason\n"
	"\tbind = o edit-override\n"
	"\tbind = <C-e> external-editor\n"
	"\tbind = E external-editor\n"
	"\tbind = 1 template-1\n"
	"\tbind = 2 template-2\n"
	"\tbind = 3 template-3\n"
	"\tbind = 4 template-4\n"
	"\tbind = 5 template-5\n"
	"\tbind = 6 template-6\n"
	"\tbind = 7 template-7\n"
	"\tbind = 8 template-8\n"
	"\tbind = 9 template-9\n";

static const struct {
	const char *name;
	const char *help;
} actions[] = {
#define GTH_ACTION_ROW(id, name, help) { name, help },
	GTH_ACTION_INFO(GTH_ACTION_ROW)
#undef GTH_ACTION_ROW
};

static const char *const keymap_names[] = { "global", "queue", "pr", "prompt" };

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Enter", GTH_KEY_ENTER }, { "Esc", GTH_KEY_ESC }, { "Tab", GTH_KEY_TAB },
	{ "S-Tab", GTH_KEY_BTAB }, { "Space", ' ' }, { "Backspace", GTH_KEY_BACKSPACE },
	{ "Up", GTH_KEY_UP }, { "Down", GTH_KEY_DOWN }, { "Left", GTH_KEY_LEFT },
	{ "Right", GTH_KEY_RIGHT }, { "PgUp", GTH_KEY_PGUP }, { "PgDown", GTH_KEY_PGDOWN },
	{ "Home", GTH_KEY_HOME }, { "End", GTH_KEY_END }, { "Insert", GTH_KEY_INSERT },
	{ "Del", GTH_KEY_DELETE }, { "Lt", '<' }, { "Hash", '#' }, { "Semicolon", ';' },
};

const char *
gth_action_name(enum gth_action a)
{
	return (int)a >= 0 && a < GTH_ACTION__COUNT ? actions[a].name : "?";
}

const char *
gth_action_help(enum gth_action a)
{
	return (int)a >= 0 && a < GTH_ACTION__COUNT ? actions[a].help : "";
}

int
gth_action_lookup(const char *name)
{
	for (int i = 0; i < GTH_ACTION__COUNT; i++)
		if (strcmp(actions[i].name, name) == 0)
			return i;
	return -1;
}

const char *
gth_keymap_name(enum gth_keymap_id m)
{
	return (int)m >= 0 && m < GTH_KEYMAP__COUNT ? keymap_names[m] : "?";
}

int
gth_key_parse(const char *s, int *key)
{
	size_t len = strlen(s);
	uint32_t cp;
	int n;

	if (len == 0)
		return -GTH_E_PARSE;
	if (s[0] != '<' || len == 1) {
		n = gth_utf8_decode(s, len, &cp);
		if (n < 0 || (size_t)n != len || cp < 0x20 || cp == 0x7f)
			return -GTH_E_PARSE;
		*key = (int)cp;
		return 0;
	}
	if (s[len - 1] != '>')
		return -GTH_E_PARSE;
	s++;
	len -= 2;
	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		if (strlen(key_names[i].name) == len && strncasecmp(s, key_names[i].name, len) == 0) {
			*key = key_names[i].key;
			return 0;
		}
	}
	if (len == 3 && (s[0] == 'C' || s[0] == 'c') && s[1] == '-') {
		char c = s[2];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c >= 'a' && c <= 'z') {
			*key = GTH_KEY_CTRL(c);
			return 0;
		}
	}
	if ((len == 2 || len == 3) && (s[0] == 'F' || s[0] == 'f')) {
		long f;
		char num[3] = { s[1], len == 3 ? s[2] : '\0', '\0' };

		if (gth_parse_long(num, 1, 12, &f) == 0) {
			*key = GTH_KEY_F(f);
			return 0;
		}
	}
	return -GTH_E_PARSE;
}

void
gth_key_name(int key, char *out, size_t n)
{
	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		if (key_names[i].key == key && key != '<' && key != '#' && key != ';') {
			snprintf(out, n, "<%s>", key_names[i].name);
			return;
		}
	}
	if (key >= 1 && key < 0x20) {
		snprintf(out, n, "<C-%c>", key + 'a' - 1);
		return;
	}
	if (key > GTH_KEY_F(0) && key <= GTH_KEY_F(12)) {
		snprintf(out, n, "<F%d>", key - GTH_KEY_F(0));
		return;
	}
	if (key >= 0x20 && key < 0x110000) {
		char u[5];

		u[ui_utf8_encode((uint32_t)key, u)] = '\0';
		snprintf(out, n, "%s", u);
		return;
	}
	snprintf(out, n, "<0x%x>", (unsigned)key);
}

size_t
ui_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

void
gth_keymap_bind(struct gth_keymap *km, enum gth_keymap_id m, int key, enum gth_action a)
{
	struct gth_binding *b = &GTH_PUSH(km->b[m], km->n[m], km->cap[m]);

	b->key = key;
	b->action = a;
}

static int
apply(struct gth_keymap *km, const struct gth_cfg *cfg, struct gth_err *err)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const struct gth_cfg_entry *e = &cfg->v[i];
		char keyword[64];
		const char *sp;
		int m = -1, key, act;

		if (strcmp(e->section, "keymap") != 0)
			continue;
		for (int j = 0; j < GTH_KEYMAP__COUNT && e->subsection != NULL; j++)
			if (strcmp(e->subsection, keymap_names[j]) == 0)
				m = j;
		if (m < 0)
			return gth_cfg_error(err, e, "unknown keymap '%s' (global, queue, pr, prompt)",
				e->subsection != NULL ? e->subsection : "");
		if (strcmp(e->key, "bind") != 0)
			return gth_cfg_error(err, e, "unknown keymap setting '%s' (bind = KEY ACTION)",
				e->key);
		if (e->value == NULL || (sp = strrchr(e->value, ' ')) == NULL ||
				(size_t)(sp - e->value) >= sizeof(keyword))
			return gth_cfg_error(err, e, "bind needs KEY ACTION");
		memcpy(keyword, e->value, (size_t)(sp - e->value));
		keyword[sp - e->value] = '\0';
		/* Trailing blanks between key and action are not part of the key. */
		for (size_t l = strlen(keyword); l > 1 && keyword[l - 1] == ' '; l--)
			keyword[l - 1] = '\0';
		if (gth_key_parse(keyword, &key) < 0)
			return gth_cfg_error(err, e, "bad key '%s'", keyword);
		act = gth_action_lookup(sp + 1);
		if (act < 0)
			return gth_cfg_error(err, e, "unknown action '%s'", sp + 1);
		gth_keymap_bind(km, (enum gth_keymap_id)m, key, (enum gth_action)act);
	}
	return 0;
}

int
gth_keymap_apply_cfg(struct gth_keymap *km, const struct gth_cfg *cfg, struct gth_err *err)
{
	return apply(km, cfg, err);
}

void
gth_keymap_init(struct gth_keymap *km)
{
	struct gth_cfg cfg;
	struct gth_err err;

	memset(km, 0, sizeof(*km));
	gth_cfg_init(&cfg);
	if (gth_cfg_load_string(&cfg, gth_keymap_default_text, strlen(gth_keymap_default_text),
			"built-in keymap", &err) == 0)
		(void)apply(km, &cfg, &err);
	gth_cfg_release(&cfg);
}

void
gth_keymap_release(struct gth_keymap *km)
{
	for (int m = 0; m < GTH_KEYMAP__COUNT; m++)
		free(km->b[m]);
	memset(km, 0, sizeof(*km));
}

void
gth_keymap_copy(struct gth_keymap *dst, const struct gth_keymap *src)
{
	memset(dst, 0, sizeof(*dst));
	for (int m = 0; m < GTH_KEYMAP__COUNT; m++)
		for (size_t i = 0; i < src->n[m]; i++)
			gth_keymap_bind(dst, (enum gth_keymap_id)m, src->b[m][i].key,
				src->b[m][i].action);
}

static int
lookup1(const struct gth_keymap *km, enum gth_keymap_id m, int key)
{
	for (size_t i = km->n[m]; i-- > 0;)
		if (km->b[m][i].key == key)
			return (int)km->b[m][i].action;
	return -1;
}

enum gth_action
gth_keymap_lookup(const struct gth_keymap *km, enum gth_keymap_id m, int key)
{
	int a = lookup1(km, m, key);

	if (a < 0 && m != GTH_KEYMAP_GLOBAL && m != GTH_KEYMAP_PROMPT)
		a = lookup1(km, GTH_KEYMAP_GLOBAL, key);
	return a < 0 ? GTH_ACTION_NONE : (enum gth_action)a;
}

int
gth_keymap_keys_for(const struct gth_keymap *km, enum gth_keymap_id m, enum gth_action a,
	char *out, size_t n)
{
	size_t used = 0;
	int count = 0;

	if (n > 0)
		out[0] = '\0';
	for (size_t i = 0; i < km->n[m]; i++) {
		const struct gth_binding *b = &km->b[m][i];
		char name[32];
		bool dup = false;

		/* Only keys whose latest binding in this map is still a. */
		if (b->action != a || lookup1(km, m, b->key) != (int)a)
			continue;
		for (size_t j = 0; j < i; j++)
			if (km->b[m][j].key == b->key && km->b[m][j].action == a)
				dup = true;
		if (dup)
			continue;
		gth_key_name(b->key, name, sizeof(name));
		if (used < n)
			used += (size_t)snprintf(out + used, n - used, "%s%s", count ? " " : "", name);
		count++;
	}
	return count;
}
