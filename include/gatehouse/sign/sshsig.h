/*
 * SSHSIG: the signature format of `ssh-keygen -Y sign` (OpenSSH
 * PROTOCOL.sshsig), used to sign decision records.
 *
 * Signing never sees a private key: gth_sshsig_signed_data() builds the small
 * buffer the ssh-agent signs, and gth_sshsig_wrap() + gth_sshsig_armor() turn
 * the agent's signature into the armored text ssh-keygen writes, byte for
 * byte (base64 wrapped at 70 columns, trailing newline).  Parsing is strict
 * and capped; verification is our own (libcrypto, sign/sshkey.h), so
 * `gatehouse verify` needs no ssh-keygen on the host.
 */
#ifndef GATEHOUSE_SIGN_SSHSIG_H
#define GATEHOUSE_SIGN_SSHSIG_H

#include <stddef.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/err.h"
#include "gatehouse/sign/sshkey.h"

/* Namespace of decision records. */
#define GTH_SSHSIG_NAMESPACE "gatehouse-decision"
/* Hash algorithm we sign with; sha256 is also accepted when verifying. */
#define GTH_SSHSIG_HASHALG "sha512"
/* Cap on armored signature text accepted by the parser. */
#define GTH_SSHSIG_ARMOR_MAX 32768

#define GTH_SSHSIG_BEGIN "-----BEGIN SSH SIGNATURE-----"
#define GTH_SSHSIG_END "-----END SSH SIGNATURE-----"

/* A parsed SSHSIG blob.  Pointers are owned copies. */
struct gth_sshsig {
	unsigned char *pubkey;	/* wire key blob of the signer */
	size_t pubkey_len;
	char *ns;		/* namespace */
	char *hashalg;		/* "sha256" or "sha512" */
	unsigned char *sig;	/* SSH signature blob (string alg, string sig, ...) */
	size_t sig_len;
	char fp[GTH_SSHKEY_FP_MAX];	/* signer's key fingerprint */
};

/*
 * The bytes the agent signs for message msg: "SSHSIG" || string(ns) ||
 * string("") || string(hashalg) || string(H(msg)).  Appended to out.
 */
int gth_sshsig_signed_data(const char *ns, const char *hashalg, const void *msg, size_t len,
	struct gth_buf *out);

/* The SSHSIG blob around an agent signature, appended to out. */
int gth_sshsig_wrap(const void *pubkey, size_t pubkey_len, const char *ns, const char *hashalg,
	const void *sig, size_t sig_len, struct gth_buf *out);

/* Armor a blob as ssh-keygen does; newly allocated text ending in "\n". */
char *gth_sshsig_armor(const void *blob, size_t len);

/*
 * Parse armored text (LF or CRLF line ends; text before the header or after
 * the footer is refused) into *out (free with gth_sshsig_free).  Rejects a
 * version other than 1, an empty namespace, trailing data, unknown hash
 * algorithms and anything over the caps.
 */
int gth_sshsig_parse(const char *armored, size_t len, struct gth_sshsig **out,
	struct gth_err *err);
/* Parse an un-armored blob. */
int gth_sshsig_parse_blob(const void *blob, size_t len, struct gth_sshsig **out,
	struct gth_err *err);
void gth_sshsig_free(struct gth_sshsig *s);

/*
 * Verify sig over msg for namespace ns (crypto only; who may sign is
 * sign/allowed.h's business).  0 when good; -GTH_E_VERIFY with a message
 * ("namespace does not match", "incorrect signature") otherwise.
 * detail may be NULL.
 */
int gth_sshsig_verify(const struct gth_sshsig *sig, const char *ns, const void *msg, size_t len,
	struct gth_sshkey_sigdetail *detail, struct gth_err *err);

#endif
