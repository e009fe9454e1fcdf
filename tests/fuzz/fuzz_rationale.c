/*
 * libFuzzer target for the rationale parser and layout.  The first byte
 * picks the width (20-275 columns), the rest is the PR body.  Aborts when a
 * display line breaks the sanitizer invariant, holds a newline or tab, is
 * wider than the screen (code lines aside) or misreports its width, when a
 * block or link points outside what the parser owns, or when the task JSON
 * it returns is not a json code block.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/model/rationale.h"
#include "check_sanitized.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gth_rat_lines lines = GTH_RAT_LINES_INIT;
	struct gth_rationale r;
	struct gth_text_warnings w;
	const char *json;
	size_t i, cols, jlen;

	if (size == 0)
		return 0;
	cols = 20 + data[0];
	gth_rationale_parse((const char *)data + 1, size - 1, &r);
	for (i = 0; i < r.n_blocks; i++) {
		const struct gth_rat_block *b = &r.blocks[i];

		if (b->text == NULL || b->lang == NULL || b->text[b->text_len] != '\0')
			abort();
		if (b->kind == GTH_RAT_CODE && b->text_len > size)
			abort();
	}
	for (i = 0; i < r.n_links; i++)
		if (r.links[i].url[r.links[i].url_len] != '\0' || r.links[i].block >= r.n_blocks)
			abort();
	if (gth_rationale_find_task_json(&r, &json, &jlen) == 0 &&
	    (memmem(json, jlen, "\"task_type\"", 11) == NULL))
		abort();
	gth_rationale_wrap(&r, (int)cols, data[0] & 1 ? GTH_RAT_WRAP_NO_LINKS : 0, &lines, &w);
	for (i = 0; i < lines.n; i++) {
		const struct gth_rat_line *l = &lines.v[i];

		if (check_sanitized(&l->s, 0) != NULL)
			abort();
		if (l->width != gth_text_width(l->s.text, l->s.len))
			abort();
		if (l->role != GTH_RAT_ROLE_CODE && l->width > cols)
			abort();
	}
	gth_rationale_release(&r);
	return 0;
}
