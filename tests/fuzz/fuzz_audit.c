/*
 * libFuzzer target for the audit line check and the record decoder (both
 * read JSON written to disk that someone may have edited).  Aborts when a
 * decoded record does not re-encode to the input bytes (the decoder only
 * accepts canonical records).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/decide/audit.h"
#include "gatehouse/decide/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char zero[] =
		"0000000000000000000000000000000000000000000000000000000000000000";
	const char *in = (const char *)data;
	struct gth_decision *d = NULL;
	char msg[256];

	(void)gth_audit_check_line(in, size, 1, zero, msg, sizeof(msg));
	if (gth_record_decode(in, size, &d, NULL) == 0) {
		char *json = NULL;
		size_t len = 0;

		if (gth_record_encode(d, &json, &len, NULL) != 0 || len != size ||
		    memcmp(json, data, size) != 0)
			abort();
		free(json);
		gth_decision_free(d);
	}
	return 0;
}
