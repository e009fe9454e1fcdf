/*
 * Keys as the UI sees them: Unicode code points for text (control keys are
 * their C0 code, <C-d> = 4), and GTH_KEY_* above the Unicode range for
 * everything else.  term/ translates curses' keys into these; tests write
 * them directly.
 */
#ifndef GATEHOUSE_UI_KEYS_H
#define GATEHOUSE_UI_KEYS_H

#include <stddef.h>

#define GTH_KEY_NONE		(-1)	/* timeout / nothing read */
#define GTH_KEY_TAB		9
#define GTH_KEY_ENTER		13	/* term/ maps '\n', '\r' and KEY_ENTER here */
#define GTH_KEY_ESC		27
#define GTH_KEY_BACKSPACE	127	/* term/ maps ^H, DEL and KEY_BACKSPACE here */
#define GTH_KEY_CTRL(c)		((c) & 0x1f)

#define GTH_KEY__BASE		0x110000
#define GTH_KEY_UP		(GTH_KEY__BASE + 1)
#define GTH_KEY_DOWN		(GTH_KEY__BASE + 2)
#define GTH_KEY_LEFT		(GTH_KEY__BASE + 3)
#define GTH_KEY_RIGHT		(GTH_KEY__BASE + 4)
#define GTH_KEY_PGUP		(GTH_KEY__BASE + 5)
#define GTH_KEY_PGDOWN		(GTH_KEY__BASE + 6)
#define GTH_KEY_HOME		(GTH_KEY__BASE + 7)
#define GTH_KEY_END		(GTH_KEY__BASE + 8)
#define GTH_KEY_INSERT		(GTH_KEY__BASE + 9)
#define GTH_KEY_DELETE		(GTH_KEY__BASE + 10)
#define GTH_KEY_BTAB		(GTH_KEY__BASE + 11)	/* shift-tab */
#define GTH_KEY_RESIZE		(GTH_KEY__BASE + 12)	/* term/ reports it; the app calls gth_ui_resize */
#define GTH_KEY_F(n)		(GTH_KEY__BASE + 0x100 + (n))	/* F1..F12 */

/*
 * Parse a key as written in the keymap: one character ("j", "?", "<"),
 * or a name in angle brackets: <Enter> <Esc> <Tab> <S-Tab> <Space> <Backspace>
 * <Up> <Down> <Left> <Right> <PgUp> <PgDown> <Home> <End> <Insert> <Del>
 * <F1>..<F12> <C-x> <Lt>.  Names are case-insensitive.  0 or -GTH_E_PARSE.
 */
int gth_key_parse(const char *s, int *key);

/* Write the keymap spelling of key into out (always NUL-terminated). */
void gth_key_name(int key, char *out, size_t n);

#endif
