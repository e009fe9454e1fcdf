/*
 * Signing a decision record through the ssh-agent: choosing the key, making
 * the SSHSIG, and doing it off the UI thread.
 *
 * Key choice (gth_sign_choose_key): the configured key (a "SHA256:..."
 * fingerprint, a literal "ssh-ed25519 AAAA..." / "key::..." key, or a path
 * to a public key file; a private key path is tried with ".pub"); else git's
 * user.signingkey when gpg.format is "ssh"; else the agent's only key; with
 * several keys and nothing configured the caller asks the reviewer.
 *
 * Asynchronous use from the event loop:
 *	gth_sign_job_start(...)        spawns a worker thread
 *	poll(gth_sign_job_fd(job))     becomes readable on every state change
 *	gth_sign_job_state(job)        RUNNING, WAITING (no answer after
 *	                               GTH_SIGN_WAITING_MS: show "confirm on your
 *	                               laptop / touch your security key"), DONE
 *	gth_sign_job_cancel(job)       the reviewer gave up (Esc)
 *	gth_sign_job_finish(job, ...)  once DONE (or after cancel): joins, frees
 */
#ifndef GATEHOUSE_SIGN_SIGNER_H
#define GATEHOUSE_SIGN_SIGNER_H

#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/sign/agent.h"

#define GTH_SIGN_WAITING_MS 1000

/*
 * Pick the signing key among ids.  configured, git_signingkey and
 * git_gpg_format may be NULL.  Returns 0 and *index; -GTH_E_NOKEY when the
 * agent has no keys or lacks the configured one (message says which);
 * -GTH_E_CONFLICT when several keys fit and the caller must ask.
 */
int gth_sign_choose_key(const struct gth_agent_identities *ids, const char *configured,
	const char *git_signingkey, const char *git_gpg_format, size_t *index,
	struct gth_err *err);

/*
 * Resolve a key spec (fingerprint, literal, or file path) to a public key
 * blob (newly allocated) or, for a fingerprint, to *fp only (blob NULL).
 */
int gth_sign_key_spec(const char *spec, unsigned char **blob, size_t *len,
	char fp[GTH_SSHKEY_FP_MAX], struct gth_err *err);

/*
 * Sign msg with key through the agent: armored SSHSIG (newly allocated) in
 * *armored.  The signature is checked with our verifier before it is
 * returned, so a misbehaving agent cannot hand out a bad one.
 */
int gth_sign_agent(struct gth_agent *a, const void *key, size_t keylen, const char *ns,
	const void *msg, size_t len, long waiting_ms, void (*waiting)(void *ctx), void *ctx,
	char **armored, struct gth_err *err);

enum gth_sign_state {
	GTH_SIGN_RUNNING,
	GTH_SIGN_WAITING,	/* the agent has not answered yet: a prompt or a touch */
	GTH_SIGN_DONE,
};

struct gth_sign_job;

/* Copies key and msg; sock_path NULL means $SSH_AUTH_SOCK. */
int gth_sign_job_start(const char *sock_path, const void *key, size_t keylen, const char *ns,
	const void *msg, size_t len, struct gth_sign_job **out, struct gth_err *err);
int gth_sign_job_fd(const struct gth_sign_job *job);
enum gth_sign_state gth_sign_job_state(struct gth_sign_job *job);
void gth_sign_job_cancel(struct gth_sign_job *job);
/* Wait for the worker, hand over the result, free job. */
int gth_sign_job_finish(struct gth_sign_job *job, char **armored, struct gth_err *err);

#endif
