/* Lifecycle of assessments; risk names. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/model/assess.h"

static const char *const risk_names[GTH_RISK__COUNT] = {
	[GTH_RISK_LOW] = "low",
	[GTH_RISK_MEDIUM] = "medium",
	[GTH_RISK_HIGH] = "high",
	[GTH_RISK_CRITICAL] = "critical",
};

const char *
gth_risk_name(enum gth_risk r)
{
	if ((unsigned)r >= GTH_RISK__COUNT)
		return "unknown";
	return risk_names[r];
}

int
gth_risk_parse(const char *s, enum gth_risk *out)
{
	int i;

	for (i = 0; i < GTH_RISK__COUNT; i++) {
		if (strcmp(s, risk_names[i]) == 0) {
			*out = (enum gth_risk)i;
			return 0;
		}
	}
	return -GTH_E_PARSE;
}

struct gth_assessment *
gth_assessment_new(void)
{
	return xcalloc(1, sizeof(struct gth_assessment));
}

void
gth_assessment_free(struct gth_assessment *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n_reasons; i++) {
		free(a->reasons[i].rule);
		free(a->reasons[i].what);
	}
	free(a->reasons);
	for (i = 0; i < a->n_gates; i++) {
		free(a->gates[i].name);
		free(a->gates[i].summary);
		gth_strvec_clear(&a->gates[i].checks);
	}
	free(a->gates);
	gth_strvec_clear(&a->escalate_users);
	gth_strvec_clear(&a->escalate_teams);
	gth_strvec_clear(&a->escalate_labels);
	gth_strvec_clear(&a->flags);
	free(a);
}

struct gth_risk_reason *
gth_assessment_add_reason(struct gth_assessment *a, enum gth_risk r, const char *rule,
	const char *what)
{
	struct gth_risk_reason *rr = &GTH_PUSH(a->reasons, a->n_reasons, a->cap_reasons);

	rr->risk = r;
	rr->rule = xstrdup(rule);
	rr->what = xstrdup(what);
	if (r > a->risk)
		a->risk = r;
	return rr;
}

struct gth_gate_verdict *
gth_assessment_add_gate(struct gth_assessment *a, const char *name)
{
	struct gth_gate_verdict *g = &GTH_PUSH(a->gates, a->n_gates, a->cap_gates);

	memset(g, 0, sizeof(*g));
	g->name = xstrdup(name);
	return g;
}

void
gth_assessment_gate_counts(const struct gth_assessment *a, size_t counts[GTH_GATE__COUNT])
{
	size_t i;

	memset(counts, 0, sizeof(size_t) * GTH_GATE__COUNT);
	for (i = 0; i < a->n_gates; i++)
		if ((unsigned)a->gates[i].state < GTH_GATE__COUNT)
			counts[a->gates[i].state]++;
}

struct gth_assessment *
gth_assessment_dup(const struct gth_assessment *a)
{
	struct gth_assessment *d;
	size_t i;

	if (a == NULL)
		return NULL;
	d = gth_assessment_new();
	for (i = 0; i < a->n_reasons; i++)
		gth_assessment_add_reason(d, a->reasons[i].risk, a->reasons[i].rule,
		    a->reasons[i].what);
	d->risk = a->risk;
	for (i = 0; i < a->n_gates; i++) {
		const struct gth_gate_verdict *g = &a->gates[i];
		struct gth_gate_verdict *c = gth_assessment_add_gate(d, g->name);

		c->state = g->state;
		c->required = g->required;
		c->summary = g->summary != NULL ? xstrdup(g->summary) : NULL;
		c->annotations = g->annotations;
		gth_strvec_extend(&c->checks, &g->checks);
	}
	d->gates_block_approval = a->gates_block_approval;
	d->sla_hours = a->sla_hours;
	d->sla_deadline = a->sla_deadline;
	d->approvals_needed = a->approvals_needed;
	gth_strvec_extend(&d->escalate_users, &a->escalate_users);
	gth_strvec_extend(&d->escalate_teams, &a->escalate_teams);
	gth_strvec_extend(&d->escalate_labels, &a->escalate_labels);
	gth_strvec_extend(&d->flags, &a->flags);
	memcpy(d->policy_hash, a->policy_hash, sizeof(d->policy_hash));
	return d;
}
