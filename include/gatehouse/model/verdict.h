/*
 * The reviewer's verdict on a pull request: the three checkpoint outcomes.
 * Shared by ui/ (the decision prompt), decide/ (the record) and app/.
 * The functions are implemented in src/model/decision.c.
 */
#ifndef GATEHOUSE_MODEL_VERDICT_H
#define GATEHOUSE_MODEL_VERDICT_H

enum gth_verdict {
	GTH_VERDICT_APPROVE,
	GTH_VERDICT_REJECT,
	GTH_VERDICT_ESCALATE,
	GTH_VERDICT__COUNT
};

/* "approve", "reject", "escalate" (the record's spelling); "?" for an out-of-range value. */
const char *gth_verdict_name(enum gth_verdict v);
/* Parse one of the names above; -GTH_E_PARSE otherwise. */
int gth_verdict_parse(const char *s, enum gth_verdict *out);
/*
 * The review state a forge shows for a verdict once posted:
 * "APPROVED", "CHANGES_REQUESTED", "COMMENTED".
 */
const char *gth_verdict_review_state(enum gth_verdict v);

#endif
