/*
 * The key picker: with several keys in the ssh-agent and none configured,
 * the reviewer picks the one that signs, by type, fingerprint and comment.
 * It opens over whatever shows, once the decision is on its way and the
 * agent has been asked for its keys, and answers with one GTH_CMD_PICK_KEY.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "internal.h"

/* What a box of keys may list; more is not an agent a reviewer uses (it still scrolls). */
#define KEYPICK_MAX 64

void
keypick_close(struct gth_ui *ui)
{
	struct keypick *k = &ui->keypick;

	for (size_t i = 0; i < k->n; i++) {
		free((char *)k->keys[i].type);
		free((char *)k->keys[i].fp);
		free((char *)k->keys[i].comment);
	}
	free(k->keys);
	free(k->ref);
	memset(k, 0, sizeof(*k));
}

void
gth_ui_pick_key(struct gth_ui *ui, const char *pr_ref, const struct gth_ui_key *keys, size_t n)
{
	struct keypick *k = &ui->keypick;

	keypick_close(ui);
	if (n > KEYPICK_MAX)
		n = KEYPICK_MAX;
	if (n == 0)
		return;
	k->ref = xstrdup(pr_ref != NULL ? pr_ref : "");
	k->keys = xcalloc(n, sizeof(*k->keys));
	for (size_t i = 0; i < n; i++) {
		k->keys[i].type = xstrdup(keys[i].type != NULL ? keys[i].type : "?");
		k->keys[i].fp = xstrdup(keys[i].fp != NULL ? keys[i].fp : "?");
		k->keys[i].comment = keys[i].comment != NULL ? xstrdup(keys[i].comment) : NULL;
	}
	k->n = n;
	k->cur = 0;
}

static int
pick(struct gth_ui *ui, size_t i, struct gth_cmd *cmd)
{
	struct keypick *k = &ui->keypick;

	cmd->kind = GTH_CMD_PICK_KEY;
	cmd->flag = true;
	cmd->file_index = i;
	cmd->text = xstrdup(k->keys[i].fp);
	ui_msg(ui, GTH_MSG_INFO, "%s: signing with %s...", k->ref, k->keys[i].fp);
	keypick_close(ui);
	return 1;
}

int
keypick_key(struct gth_ui *ui, int key, struct gth_cmd *cmd)
{
	struct keypick *k = &ui->keypick;

	switch (key) {
	case 'j':
	case GTH_KEY_DOWN:
		if (k->cur + 1 < k->n)
			k->cur++;
		return 0;
	case 'k':
	case GTH_KEY_UP:
		if (k->cur > 0)
			k->cur--;
		return 0;
	case GTH_KEY_ENTER:
		return pick(ui, k->cur, cmd);
	case GTH_KEY_ESC:
	case 'q':
		cmd->kind = GTH_CMD_PICK_KEY;
		cmd->flag = false;
		ui_msg(ui, GTH_MSG_WARN, "%s: no key picked, nothing recorded", k->ref);
		keypick_close(ui);
		return 1;
	default:
		if (key >= '1' && key <= '9' && (size_t)(key - '1') < k->n)
			return pick(ui, (size_t)(key - '1'), cmd);
		return 0;
	}
}

/*
 * Each key on two rows, so that a whole fingerprint fits at 80 columns:
 * "> 1 ssh-ed25519  comment", then the fingerprint under it.
 */
void
keypick_render(struct gth_ui *ui, struct gth_screen *scr)
{
	struct keypick *k = &ui->keypick;
	int w = scr->cols - 4 < 96 ? scr->cols - 4 : 96, shown, h, x0, y0, y, first;
	const char *title = " Sign with which key? ";
	int tx;

	if (k->n == 0 || w < 30)
		return;
	/* Borders, two lines of text, a blank, the keys, a blank, the footer. */
	shown = (int)k->n;
	if (shown > (scr->rows - 2 - 7) / 2)
		shown = (scr->rows - 2 - 7) / 2;
	if (shown < 1)
		shown = 1;
	h = 2 * shown + 7;
	ui_frame(ui, scr, w, h, &x0, &y0);
	tx = x0 + 2 + gth_screen_puts(scr, y0, x0 + 2, GTH_ROLE_PROMPT, title, w - 4);
	tx += gth_screen_put_untrusted(scr, y0, tx, GTH_ROLE_TITLE, k->ref, strlen(k->ref),
		GTH_SAN_NO_MIXED, x0 + w - 3 - tx, NULL);
	gth_screen_puts(scr, y0, tx, GTH_ROLE_BORDER, " ", 1);
	gth_screen_puts(scr, y0 + 1, x0 + 2, GTH_ROLE_DIM,
		"The ssh-agent holds several keys and sign.key names none.", w - 4);
	gth_screen_puts(scr, y0 + 2, x0 + 2, GTH_ROLE_DIM,
		"The one you pick signs every decision of this session.", w - 4);
	/* Keep the cursor's key in view. */
	first = (int)k->cur >= shown ? (int)k->cur - shown + 1 : 0;
	for (int r = 0; r < shown && (size_t)(first + r) < k->n; r++) {
		const struct gth_ui_key *key = &k->keys[first + r];
		bool here = (size_t)(first + r) == k->cur;
		int role = here ? GTH_ROLE_SELECTION : GTH_ROLE_NORMAL, x = x0 + 2, c;
		char head[64];

		y = y0 + 4 + 2 * r;
		if (here) {
			gth_screen_fill(scr, y, x0 + 1, role, w - 2);
			gth_screen_fill(scr, y + 1, x0 + 1, role, w - 2);
		}
		if (first + r < 9)
			snprintf(head, sizeof(head), "%s %d ", here ? ui_glyph(ui, G_CURSOR) : " ",
				first + r + 1);
		else
			snprintf(head, sizeof(head), "%s   ", here ? ui_glyph(ui, G_CURSOR) : " ");
		c = gth_screen_puts(scr, y, x, role, head, w - 4);
		c += gth_screen_put_untrusted(scr, y, x + c, role, key->type, strlen(key->type), 0,
			w - 4 - c, NULL);
		if (key->comment != NULL && c + 2 < w - 4)
			gth_screen_put_untrusted(scr, y, x + c + 2, role, key->comment,
				strlen(key->comment), GTH_SAN_NO_MIXED, w - 4 - c - 2, NULL);
		gth_screen_put_untrusted(scr, y + 1, x + 4, here ? role : GTH_ROLE_DIM, key->fp,
			strlen(key->fp), 0, w - 8, NULL);
	}
	gth_screen_puts(scr, y0 + h - 2, x0 + 2, GTH_ROLE_DIM,
		"j/k move   <Enter> or a digit: sign with it   <Esc> cancel", w - 4);
}
