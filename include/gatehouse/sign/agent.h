/*
 * ssh-agent client (draft-miller-ssh-agent / RFC 9987): list identities and
 * sign, over the unix socket named by SSH_AUTH_SOCK, which on a bastion is
 * usually forwarded from the reviewer's laptop.
 *
 * Only two requests are used.  Replies are length-checked before anything
 * is allocated (256 KiB, 2048 identities, as OpenSSH's authfd.c).  RSA keys
 * are always asked for rsa-sha2-512 (flag 0x04) and the reply's algorithm is
 * checked, so an agent that silently answers with SHA-1 is caught here.
 *
 * A sign request may take human time: `ssh-add -c` asks for confirmation on
 * the agent's host, a FIDO key waits for a touch.  gth_agent_sign() blocks;
 * run it on a worker thread (sign/signer.h does), let the waiting callback
 * tell the UI, and gth_agent_cancel() from any thread to give up.
 */
#ifndef GATEHOUSE_SIGN_AGENT_H
#define GATEHOUSE_SIGN_AGENT_H

#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/sign/sshkey.h"

#define GTH_AGENT_MSG_MAX (256 * 1024)
#define GTH_AGENT_IDS_MAX 2048

/* Message numbers (OpenSSH authfd.h). */
#define GTH_AGENT_FAILURE 5
#define GTH_AGENT_SUCCESS 6
#define GTH_AGENTC_REQUEST_IDENTITIES 11
#define GTH_AGENT_IDENTITIES_ANSWER 12
#define GTH_AGENTC_SIGN_REQUEST 13
#define GTH_AGENT_SIGN_RESPONSE 14
#define GTH_AGENT_EXTENSION_FAILURE 28
#define GTH_AGENT2_FAILURE 30
#define GTH_AGENT_COM_FAILURE 102
#define GTH_AGENT_RSA_SHA2_256 0x02
#define GTH_AGENT_RSA_SHA2_512 0x04

struct gth_agent_identity {
	unsigned char *blob;	/* public key wire blob */
	size_t len;
	char *type;		/* "ssh-ed25519" */
	char *comment;		/* as the agent sent it (untrusted: sanitize to show) */
	char fp[GTH_SSHKEY_FP_MAX];	/* "SHA256:..." */
};

struct gth_agent_identities {
	struct gth_agent_identity *v;
	size_t n, cap;
};

void gth_agent_identities_release(struct gth_agent_identities *ids);

struct gth_agent;

/*
 * Connect to the agent at path, or at $SSH_AUTH_SOCK when path is NULL.
 * -GTH_E_AGENT with a message for: no SSH_AUTH_SOCK ("no ssh-agent: ..."),
 * a socket that does not answer.  Free with gth_agent_close().
 */
int gth_agent_open(const char *path, struct gth_agent **out, struct gth_err *err);
void gth_agent_close(struct gth_agent *a);
/* Abort a request in progress (shutdown of the socket); safe from another thread. */
void gth_agent_cancel(struct gth_agent *a);

/* List the agent's keys into ids (appended; release with gth_agent_identities_release). */
int gth_agent_list(struct gth_agent *a, struct gth_agent_identities *ids, struct gth_err *err);

/*
 * Ask the agent to sign data with key.  After waiting_ms without an answer
 * waiting(ctx) is called once (from this thread) so the UI can say "confirm
 * on your laptop / touch your key"; waiting may be NULL.  *sig (the SSH
 * signature blob, newly allocated) on success.  Errors:
 *   -GTH_E_REFUSED  the agent said no; the message tells a refusal after a
 *                   prompt (confirmation denied, no touch) from an immediate
 *                   one (destination-constrained key, key not in agent)
 *   -GTH_E_PROTO    malformed reply or wrong signature algorithm
 *   -GTH_E_CANCEL   gth_agent_cancel() was called
 *   -GTH_E_AGENT    connection lost
 */
int gth_agent_sign(struct gth_agent *a, const void *key, size_t keylen, const void *data,
	size_t len, long waiting_ms, void (*waiting)(void *ctx), void *ctx,
	unsigned char **sig, size_t *siglen, struct gth_err *err);

/*
 * Parsers of reply bodies (without the 4-byte length), exposed for the fuzz
 * target and tests.  parse_sign_reply checks the type byte, the signature's
 * framing, and that its algorithm fits key (rsa-sha2-512 for RSA keys).
 */
int gth_agent_parse_identities(const void *msg, size_t len, struct gth_agent_identities *ids,
	struct gth_err *err);
int gth_agent_parse_sign_reply(const void *msg, size_t len, const void *key, size_t keylen,
	unsigned char **sig, size_t *siglen, struct gth_err *err);

#endif
