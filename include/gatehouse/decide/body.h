/*
 * The review body that carries a decision to the forge:
 *
 *	<reason>
 *
 *	<details><summary>gatehouse checkpoint record</summary>
 *
 *	```json
 *	<record: one line of canonical JSON>
 *	```
 *
 *	```
 *	-----BEGIN SSH SIGNATURE-----
 *	...
 *	-----END SSH SIGNATURE-----
 *	```
 *
 *	</details>
 *	<!-- gatehouse-decision id=01J... -->
 *
 * The parser reads only this exact tail at the end of the body, so text an
 * agent pasted earlier (a fake block, a marker in a quote) is not taken for
 * it.  A parsed body proves nothing by itself: the caller verifies the
 * signature over the record and checks who posted it (decide/verify.h,
 * decide/outbox.h).
 */
#ifndef GATEHOUSE_DECIDE_BODY_H
#define GATEHOUSE_DECIDE_BODY_H

#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/model/decision.h"

/* Cap on a review body we parse (GitHub allows 65,536 characters). */
#define GTH_BODY_MAX (256 * 1024)
#define GTH_BODY_MARKER "<!-- gatehouse-decision id="

/*
 * Compose the body for d from its record and armored signature.  *body is
 * newly allocated.  The reason shown is the record's (already sanitized)
 * reason.
 */
int gth_review_body_compose(const struct gth_decision *d, const char *record_json,
	const char *armored, char **body, struct gth_err *err);

/*
 * Parse a body (CRLF tolerated).  On success *record_json, *armored and *id
 * are newly allocated; the marker's id is returned as written and must be
 * compared with the record's by the caller.  -GTH_E_NOTFOUND when the body
 * has no decision tail, -GTH_E_PARSE when the tail is malformed.
 */
int gth_review_body_parse(const char *body, size_t len, char **record_json, char **armored,
	char **id, struct gth_err *err);

#endif
