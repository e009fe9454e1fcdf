/* Review body composition and strict parsing of its decision tail. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/body.h"
#include "gatehouse/decide/record.h"

#define DETAILS_OPEN "<details><summary>gatehouse checkpoint record</summary>\n\n```json\n"
#define BETWEEN "\n```\n\n```\n"
#define DETAILS_CLOSE "```\n\n</details>\n"
#define ARMOR_BEGIN "-----BEGIN SSH SIGNATURE-----\n"

/*
 * The reason as shown on the forge: sanitized, with '<' and '&' escaped so
 * that no markup in it (an unclosed "<!--" would hide the record on the
 * web page) acts on the rest of the body.  The record keeps the exact text.
 */
static void
add_reason(struct gth_buf *b, const char *reason)
{
	char *clean = gth_sanitize_str(reason, strlen(reason),
		GTH_SAN_KEEP_NEWLINES | GTH_SAN_NO_MIXED, NULL);
	const char *p;

	for (p = clean; *p != '\0'; p++) {
		if (*p == '<')
			gth_buf_adds(b, "&lt;");
		else if (*p == '&')
			gth_buf_adds(b, "&amp;");
		else
			gth_buf_addc(b, *p);
	}
	free(clean);
}

int
gth_review_body_compose(const struct gth_decision *d, const char *record_json,
	const char *armored, char **body, struct gth_err *err)
{
	struct gth_buf b = GTH_BUF_INIT;
	size_t al = strlen(armored);

	*body = NULL;
	if (strchr(record_json, '\n') != NULL || al == 0 || armored[al - 1] != '\n' ||
	    strncmp(armored, ARMOR_BEGIN, strlen(ARMOR_BEGIN)) != 0)
		return gth_err_set(err, -GTH_E_INVAL, "record or signature malformed for a review");
	add_reason(&b, d->reason != NULL ? d->reason : "");
	gth_buf_adds(&b, "\n\n" DETAILS_OPEN);
	gth_buf_adds(&b, record_json);
	gth_buf_adds(&b, BETWEEN);
	gth_buf_adds(&b, armored);
	gth_buf_adds(&b, DETAILS_CLOSE);
	gth_buf_addf(&b, GTH_BODY_MARKER "%s -->\n", d->id);
	*body = gth_buf_take(&b, NULL);
	return 0;
}

/* The last occurrence of needle in [s, s + n). */
static const char *
memrmem(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	const char *p;

	if (k > n)
		return NULL;
	for (p = s + n - k;; p--) {
		if (memcmp(p, needle, k) == 0)
			return p;
		if (p == s)
			return NULL;
	}
}

int
gth_review_body_parse(const char *body, size_t len, char **record_json, char **armored,
	char **id, struct gth_err *err)
{
	struct gth_buf norm = GTH_BUF_INIT;
	const char *s, *end, *m, *open, *rec, *rec_end, *arm, *arm_end;
	size_t i, idlen;
	int r = -GTH_E_PARSE;

	*record_json = *armored = *id = NULL;
	if (len > GTH_BODY_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "review body too large");
	/* Forges may store a body with CRLF line ends (web edits): read it as LF. */
	gth_buf_init(&norm, GTH_BODY_MAX + 1);
	for (i = 0; i < len; i++)
		if (!(body[i] == '\r' && i + 1 < len && body[i + 1] == '\n'))
			gth_buf_addc(&norm, body[i]);
	s = gth_buf_str(&norm);
	end = s + norm.len;
	while (end > s && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	/* The marker must be the last line. */
	m = memrmem(s, (size_t)(end - s), "\n" GTH_BODY_MARKER);
	if (m == NULL || end - m < 5 || memcmp(end - 4, " -->", 4) != 0) {
		r = gth_err_set(err, -GTH_E_NOTFOUND, "no gatehouse decision in this review");
		goto out;
	}
	m++;
	idlen = (size_t)(end - 4 - (m + strlen(GTH_BODY_MARKER)));
	if (idlen != GTH_DECISION_ID_LEN || memchr(m, '\n', (size_t)(end - m)) != NULL) {
		gth_err_set(err, r, "malformed decision marker");
		goto out;
	}
	open = memrmem(s, (size_t)(m - s), DETAILS_OPEN);
	if (open == NULL || (open != s && open[-1] != '\n')) {
		gth_err_set(err, r, "decision marker without its record block");
		goto out;
	}
	rec = open + strlen(DETAILS_OPEN);
	rec_end = memchr(rec, '\n', (size_t)(m - rec));
	if (rec_end == NULL || (size_t)(m - rec_end) < strlen(BETWEEN) ||
	    memcmp(rec_end, BETWEEN, strlen(BETWEEN)) != 0) {
		gth_err_set(err, r, "malformed record block");
		goto out;
	}
	arm = rec_end + strlen(BETWEEN);
	arm_end = m - strlen(DETAILS_CLOSE);
	if (arm_end < arm || memcmp(arm_end, DETAILS_CLOSE, strlen(DETAILS_CLOSE)) != 0 ||
	    (size_t)(arm_end - arm) < strlen(ARMOR_BEGIN) ||
	    memcmp(arm, ARMOR_BEGIN, strlen(ARMOR_BEGIN)) != 0) {
		gth_err_set(err, r, "malformed signature block");
		goto out;
	}
	if (memchr(open, '\0', (size_t)(end - open)) != NULL) {
		gth_err_set(err, r, "NUL byte in the decision block");
		goto out;
	}
	*id = xstrndup(m + strlen(GTH_BODY_MARKER), idlen);
	if (!gth_decision_id_valid(*id)) {
		free(*id);
		*id = NULL;
		gth_err_set(err, r, "malformed decision marker id");
		goto out;
	}
	*record_json = xstrndup(rec, (size_t)(rec_end - rec));
	*armored = xstrndup(arm, (size_t)(arm_end - arm));
	r = 0;
out:
	gth_buf_release(&norm);
	return r;
}
