/* Plain decision data: names of verdicts, lifecycle. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/model/decision.h"

static const char *const verdict_names[GTH_VERDICT__COUNT] = {
	"approve", "reject", "escalate",
};

static const char *const verdict_states[GTH_VERDICT__COUNT] = {
	"APPROVED", "CHANGES_REQUESTED", "COMMENTED",
};

const char *
gth_verdict_name(enum gth_verdict v)
{
	if ((unsigned)v >= GTH_VERDICT__COUNT)
		return "?";
	return verdict_names[v];
}

const char *
gth_verdict_review_state(enum gth_verdict v)
{
	if ((unsigned)v >= GTH_VERDICT__COUNT)
		return "?";
	return verdict_states[v];
}

int
gth_verdict_parse(const char *s, enum gth_verdict *out)
{
	size_t i;

	for (i = 0; s != NULL && i < GTH_VERDICT__COUNT; i++) {
		if (strcmp(s, verdict_names[i]) == 0) {
			*out = (enum gth_verdict)i;
			return 0;
		}
	}
	return -GTH_E_PARSE;
}

struct gth_decision *
gth_decision_new(void)
{
	struct gth_decision *d = xcalloc(1, sizeof(*d));

	d->v = GTH_DECISION_VERSION;
	return d;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct gth_decision *
gth_decision_dup(const struct gth_decision *d)
{
	struct gth_decision *c = gth_decision_new();

	c->v = d->v;
	memcpy(c->id, d->id, sizeof(c->id));
	c->forge = dup_or_null(d->forge);
	c->repo = dup_or_null(d->repo);
	c->number = d->number;
	c->head = dup_or_null(d->head);
	c->base = dup_or_null(d->base);
	c->verdict = d->verdict;
	c->reason = dup_or_null(d->reason);
	c->risk = dup_or_null(d->risk);
	gth_strvec_extend(&c->risk_reasons, &d->risk_reasons);
	c->gates = dup_or_null(d->gates);
	c->override = dup_or_null(d->override);
	c->policy = dup_or_null(d->policy);
	c->reviewer = dup_or_null(d->reviewer);
	c->key = dup_or_null(d->key);
	c->at = dup_or_null(d->at);
	gth_strvec_extend(&c->escalate_to, &d->escalate_to);
	return c;
}

void
gth_decision_free(struct gth_decision *d)
{
	if (d == NULL)
		return;
	free(d->forge);
	free(d->repo);
	free(d->head);
	free(d->base);
	free(d->reason);
	free(d->risk);
	gth_strvec_clear(&d->risk_reasons);
	free(d->gates);
	free(d->override);
	free(d->policy);
	free(d->reviewer);
	free(d->key);
	free(d->at);
	gth_strvec_clear(&d->escalate_to);
	free(d);
}
