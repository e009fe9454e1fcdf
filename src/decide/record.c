/*
 * Canonical record encoding.  jansson gives sorted keys (JSON_SORT_KEYS) and
 * compact output; the decoder re-encodes and compares so that a record
 * read back is byte for byte the one that was signed.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>

#include <jansson.h>

#include "jsondump.h"
#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/record.h"

#define DUMP_FLAGS (JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY)

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int
gth_decision_id_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != GTH_DECISION_ID_LEN)
		return 0;
	for (i = 0; i < GTH_DECISION_ID_LEN; i++)
		if (strchr(crockford, s[i]) == NULL || s[i] == '\0')
			return 0;
	return s[0] <= '7';	/* 128 bits: the top character holds 3 bits */
}

int
gth_decision_new_id(char out[GTH_DECISION_ID_LEN + 1])
{
	unsigned char b[16];
	struct timeval tv;
	unsigned long long ms;
	size_t got = 0;
	int i, bit;

	gettimeofday(&tv, NULL);
	ms = (unsigned long long)tv.tv_sec * 1000 + (unsigned long long)tv.tv_usec / 1000;
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	while (got < 10) {
		ssize_t r = getrandom(b + 6 + got, 10 - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -GTH_E_IO;
		got += (size_t)r;
	}
	/* 26 characters of 5 bits over 130 bits: two leading zero bits. */
	for (i = 0; i < GTH_DECISION_ID_LEN; i++) {
		unsigned v = 0;
		int k;

		for (k = 0; k < 5; k++) {
			bit = i * 5 + k - 2;
			v <<= 1;
			if (bit >= 0)
				v |= (b[bit / 8] >> (7 - bit % 8)) & 1;
		}
		out[i] = crockford[v];
	}
	out[GTH_DECISION_ID_LEN] = '\0';
	return 0;
}

int
gth_decision_check_head(const struct gth_decision *d, const char *forge_head,
	struct gth_err *err)
{
	if (d->head == NULL || forge_head == NULL)
		return gth_err_set(err, -GTH_E_INVAL, "head commit unknown");
	if (strcmp(d->head, forge_head) == 0)
		return 0;
	return gth_err_set(err, -GTH_E_STALE, "the head moved from %.12s to %.12s since you "
		"opened the pull request: decision refused, review the new commits", d->head,
		forge_head);
}

void
gth_decision_set_time(struct gth_decision *d, time_t t)
{
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	free(d->at);
	d->at = xstrdup(buf);
}

static json_t *
jstr(const char *s, unsigned flags)
{
	char *clean = gth_sanitize_str(s, strlen(s), flags | GTH_SAN_NO_MIXED, NULL);
	json_t *j = json_string(clean);

	free(clean);
	return j;
}

static json_t *
jlist(const struct gth_strvec *sv)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < sv->n; i++) {
		/* A list cut short by out of memory must not be signed as the whole list. */
		if (json_array_append_new(a, jstr(sv->v[i], 0)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

static int
check_required(const struct gth_decision *d, struct gth_err *err)
{
	const struct { const char *name, *val; } f[] = {
		{ "forge", d->forge }, { "repo", d->repo }, { "head", d->head },
		{ "base", d->base }, { "reason", d->reason }, { "reviewer", d->reviewer },
		{ "key", d->key }, { "at", d->at }, { "policy", d->policy },
	};
	size_t i;

	if (d->v != GTH_DECISION_VERSION)
		return gth_err_set(err, -GTH_E_INVAL, "record version %d not supported", d->v);
	if (!gth_decision_id_valid(d->id))
		return gth_err_set(err, -GTH_E_INVAL, "decision id is not a ULID");
	if (d->number <= 0)
		return gth_err_set(err, -GTH_E_INVAL, "decision has no PR number");
	if ((unsigned)d->verdict >= GTH_VERDICT__COUNT)
		return gth_err_set(err, -GTH_E_INVAL, "decision has no verdict");
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].val == NULL)
			return gth_err_set(err, -GTH_E_INVAL, "decision has no %s", f[i].name);
	return 0;
}

char *
gth_decide_json_dump(const json_t *o, size_t flags)
{
	json_t *back;
	char *s;

	if (o == NULL || (s = json_dumps(o, flags)) == NULL)
		return NULL;
	back = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	if (back == NULL || !json_equal(back, o)) {
		free(s);
		s = NULL;
	}
	json_decref(back);
	return s;
}

int
gth_record_encode(const struct gth_decision *d, char **json, size_t *len, struct gth_err *err)
{
	json_t *o = NULL, *gates, *risk, *rev;
	char *s = NULL;
	int r, bad = 0;

	*json = NULL;
	*len = 0;
	if ((r = check_required(d, err)) != 0)
		return r;
	gates = json_object();
	bad |= json_object_set_new(gates, "summary", jstr(d->gates ? d->gates : "", 0));
	if (d->override != NULL)
		bad |= json_object_set_new(gates, "override", jstr(d->override, GTH_SAN_KEEP_NEWLINES));
	risk = json_object();
	bad |= json_object_set_new(risk, "class", jstr(d->risk ? d->risk : "", 0));
	bad |= json_object_set_new(risk, "reasons", jlist(&d->risk_reasons));
	rev = json_object();
	bad |= json_object_set_new(rev, "login", jstr(d->reviewer, 0));
	bad |= json_object_set_new(rev, "key", jstr(d->key, 0));

	o = json_object();
	bad |= json_object_set_new(o, "v", json_integer(d->v));
	bad |= json_object_set_new(o, "id", json_string(d->id));
	bad |= json_object_set_new(o, "forge", jstr(d->forge, 0));
	bad |= json_object_set_new(o, "repo", jstr(d->repo, 0));
	bad |= json_object_set_new(o, "number", json_integer(d->number));
	bad |= json_object_set_new(o, "head", jstr(d->head, 0));
	bad |= json_object_set_new(o, "base", jstr(d->base, 0));
	bad |= json_object_set_new(o, "verdict", json_string(gth_verdict_name(d->verdict)));
	bad |= json_object_set_new(o, "reason", jstr(d->reason, GTH_SAN_KEEP_NEWLINES));
	bad |= json_object_set_new(o, "risk", risk);
	bad |= json_object_set_new(o, "gates", gates);
	bad |= json_object_set_new(o, "policy", jstr(d->policy, 0));
	bad |= json_object_set_new(o, "reviewer", rev);
	bad |= json_object_set_new(o, "at", jstr(d->at, 0));
	bad |= json_object_set_new(o, "escalate_to", jlist(&d->escalate_to));
	/* Out of memory drops members silently: a record missing one is never signed. */
	if (bad != 0) {
		json_decref(o);
		return gth_err_set(err, -GTH_E_NOMEM, "cannot encode the record");
	}
	s = gth_decide_json_dump(o, DUMP_FLAGS);
	json_decref(o);
	if (s == NULL)
		return gth_err_set(err, -GTH_E_NOMEM, "cannot encode the record");
	if (strlen(s) > GTH_RECORD_MAX) {
		free(s);
		return gth_err_set(err, -GTH_E_TOOBIG, "the decision record is too large (reason "
			"too long?)");
	}
	*len = strlen(s);
	*json = xstrdup(s);
	free(s);
	return 0;
}

static int
get_list(json_t *a, struct gth_strvec *sv)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a))
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return -1;
		gth_strvec_push(sv, json_string_value(v));
	}
	return 0;
}

int
gth_record_decode(const char *json, size_t len, struct gth_decision **out, struct gth_err *err)
{
	json_t *o = NULL, *risk = NULL, *gates = NULL, *rev = NULL, *esc = NULL, *reasons = NULL;
	json_error_t je;
	json_int_t v = 0, number = 0;
	const char *id, *forge, *repo, *head, *base, *verdict, *reason, *policy, *at;
	const char *rclass, *summary, *override = NULL, *login, *key;
	struct gth_decision *d = NULL;
	char *again = NULL;
	size_t again_len;
	int r;

	*out = NULL;
	if (len > GTH_RECORD_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "record too large");
	o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL) {
		r = gth_err_set(err, -GTH_E_PARSE, "record: %s", je.text);
		goto out;
	}
	if (json_unpack_ex(o, &je, 0, "{s:I}", "v", &v) != 0) {
		r = gth_err_set(err, -GTH_E_PARSE, "record has no version");
		goto out;
	}
	if (v != GTH_DECISION_VERSION) {
		r = gth_err_set(err, -GTH_E_UNSUPPORTED, "record version %lld is not supported",
			(long long)v);
		goto out;
	}
	if (json_unpack_ex(o, &je, JSON_STRICT,
	    "{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:s, s:o}",
	    "v", &v, "id", &id, "forge", &forge, "repo", &repo, "number", &number,
	    "head", &head, "base", &base, "verdict", &verdict, "reason", &reason,
	    "risk", &risk, "gates", &gates, "policy", &policy, "reviewer", &rev, "at", &at,
	    "escalate_to", &esc) != 0 ||
	    json_unpack_ex(risk, &je, JSON_STRICT, "{s:s, s:o}", "class", &rclass,
	    "reasons", &reasons) != 0 ||
	    json_unpack_ex(gates, &je, JSON_STRICT, "{s:s, s?s}", "summary", &summary,
	    "override", &override) != 0 ||
	    json_unpack_ex(rev, &je, JSON_STRICT, "{s:s, s:s}", "login", &login,
	    "key", &key) != 0) {
		r = gth_err_set(err, -GTH_E_PARSE, "record: %s", je.text);
		goto out;
	}
	d = gth_decision_new();
	if (!gth_decision_id_valid(id) || number <= 0 || number > 0x7fffffffL ||
	    gth_verdict_parse(verdict, &d->verdict) != 0) {
		r = gth_err_set(err, -GTH_E_PARSE, "record: bad id, number or verdict");
		goto out;
	}
	memcpy(d->id, id, GTH_DECISION_ID_LEN + 1);
	d->number = (long)number;
	d->forge = xstrdup(forge);
	d->repo = xstrdup(repo);
	d->head = xstrdup(head);
	d->base = xstrdup(base);
	d->reason = xstrdup(reason);
	d->risk = xstrdup(rclass);
	d->gates = xstrdup(summary);
	d->override = override != NULL ? xstrdup(override) : NULL;
	d->policy = xstrdup(policy);
	d->reviewer = xstrdup(login);
	d->key = xstrdup(key);
	d->at = xstrdup(at);
	if (get_list(reasons, &d->risk_reasons) != 0 || get_list(esc, &d->escalate_to) != 0) {
		r = gth_err_set(err, -GTH_E_PARSE, "record: lists must hold strings");
		goto out;
	}
	if ((r = gth_record_encode(d, &again, &again_len, err)) != 0)
		goto out;
	if (again_len != len || memcmp(again, json, len) != 0) {
		r = gth_err_set(err, -GTH_E_PARSE, "record is not in canonical form");
		goto out;
	}
	*out = d;
	d = NULL;
	r = 0;
out:
	free(again);
	gth_decision_free(d);
	json_decref(o);
	return r;
}
