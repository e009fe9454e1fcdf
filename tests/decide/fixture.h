/*
 * Test fixtures for decide/: a software ed25519 signer (libcrypto, standing
 * in for the reviewer's ssh-agent, which tests/sign/ exercises for real),
 * signed decisions, and a forge kept in a directory: reviews, statuses and
 * escalations are files written with their own fsync, so it survives
 * kill -9 of the process delivering to it.  A failure script makes its
 * calls fail the ways a real forge does.
 */
#ifndef GATEHOUSE_TESTS_DECIDE_FIXTURE_H
#define GATEHOUSE_TESTS_DECIDE_FIXTURE_H

#include <stddef.h>

#include "gatehouse/decide/outbox.h"
#include "gatehouse/model/decision.h"
#include "gatehouse/sign/sshkey.h"

struct fx_key {
	void *pkey;			/* EVP_PKEY * */
	unsigned char blob[51];		/* ssh-ed25519 wire key */
	char fp[GTH_SSHKEY_FP_MAX];
};

void fx_key_init(struct fx_key *k);
void fx_key_release(struct fx_key *k);
/* Armored SSHSIG over msg (namespace gatehouse-decision), newly allocated. */
char *fx_sign(const struct fx_key *k, const char *msg, size_t len);
/*
 * The same as a FIDO key (sk-ssh-ed25519@openssh.com, application "ssh:")
 * would sign, with the given flags (0x01 = user present).  *fp receives the
 * sk key's fingerprint, *allowed an allowed_signers line for it.
 */
char *fx_sign_sk(const struct fx_key *k, const char *msg, size_t len, unsigned flags,
	char fp[GTH_SSHKEY_FP_MAX], char **allowed);
/* A complete decision signed by k: *record and *armored newly allocated. */
struct gth_decision *fx_decision(const struct fx_key *k, enum gth_verdict v, long number,
	char **record, size_t *record_len, char **armored);
/* An allowed_signers line for k. */
char *fx_allowed_line(const struct fx_key *k, const char *principal);

/*
 * The forge in a directory.  script: one character per forge call, consumed
 * in order (then every call succeeds):
 *	'.' succeed
 *	'5' 503 before anything is committed
 *	'C' commit, then the connection drops (the client sees a network error)
 *	'4' 422 (permanent)
 *	'T' 429 rate limited
 */
struct fx_forge {
	char *dir;
	const char *script;
	size_t pos;
	const char *login;		/* who we post as */
	long calls;
	unsigned delay_us;		/* per call, to widen kill windows */
	int chaos;			/* once the script is used up: % of calls that fail */
};

void fx_forge_init(struct fx_forge *f, const char *dir, const char *login);
void fx_forge_release(struct fx_forge *f);
extern const struct gth_delivery_sink_ops fx_forge_ops;

/* Plant a review as if someone (any login) posted it. */
void fx_forge_plant(struct fx_forge *f, const char *author, const char *body,
	const char *commit, const char *state);
/* All reviews on the forge (free with gth_outbox_reviews_free). */
void fx_forge_reviews(struct fx_forge *f, struct gth_review **v, size_t *n);
/* Count files under <dir>/<what> (status, escalate). */
size_t fx_forge_count(struct fx_forge *f, const char *what);

#endif
