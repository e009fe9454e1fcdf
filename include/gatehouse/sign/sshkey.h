/*
 * SSH public keys and raw SSH signatures: base64, the OpenSSH one-line key
 * format, SHA256 fingerprints as `ssh-keygen -l` prints them, and signature
 * verification with libcrypto.
 *
 * Keys are handled as opaque wire blobs (RFC 4253 §6.6) compared byte for
 * byte; only verification looks inside.  Supported for verification:
 * ssh-ed25519, ssh-rsa (rsa-sha2-256 / rsa-sha2-512 signatures only; SHA-1
 * "ssh-rsa" signatures are refused), ecdsa-sha2-nistp256/384/521,
 * sk-ssh-ed25519@openssh.com and sk-ecdsa-sha2-nistp256@openssh.com (the FIDO
 * flags are returned to the caller, who decides whether user presence is
 * required).  Anything else is -GTH_E_UNSUPPORTED with a message saying so.
 */
#ifndef GATEHOUSE_SIGN_SSHKEY_H
#define GATEHOUSE_SIGN_SSHKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gatehouse/base/err.h"

/* "SHA256:" + 43 base64 characters + NUL fits. */
#define GTH_SSHKEY_FP_MAX 64

/* Cap on any key blob or signature blob we accept (RSA 16384 is ~2 KB). */
#define GTH_SSHKEY_BLOB_MAX 8192

/* Standard base64 with padding, no line breaks; newly allocated. */
char *gth_b64_encode(const void *p, size_t n);
/*
 * Strict base64 decode of len characters (no whitespace, padding required
 * when the length calls for it).  *out is newly allocated (freed by the
 * caller).  -GTH_E_PARSE on any stray byte.
 */
int gth_b64_decode(const char *s, size_t len, unsigned char **out, size_t *outlen);

/* "SHA256:<base64 without padding>" of the key blob into out. */
void gth_sshkey_fingerprint(const void *blob, size_t len, char out[GTH_SSHKEY_FP_MAX]);

/*
 * Parse "type base64 [comment]" (an authorized_keys / .pub line without
 * options).  The base64 blob's own type must equal the leading type.
 * *blob is newly allocated; comment (may be NULL) receives a newly allocated
 * comment or NULL.
 */
int gth_sshkey_parse_line(const char *line, unsigned char **blob, size_t *len, char **comment,
	struct gth_err *err);

/*
 * Read a small text file (a .pub key, allowed_signers) of at most max bytes
 * into *out (newly allocated, NUL-terminated; *len may be NULL).
 * -GTH_E_IO / -GTH_E_TOOBIG with a message naming what (e.g. "key file").
 */
int gth_sshkey_read_file(const char *path, size_t max, const char *what, char **out,
	size_t *len, struct gth_err *err);

/* "type base64" for a blob; newly allocated, NULL if the blob is malformed. */
char *gth_sshkey_format(const void *blob, size_t len);

/* Is this key type an RSA key (whose agent signatures need the SHA-2 flag)? */
bool gth_sshkey_is_rsa(const void *blob, size_t len);

/* Result details of a verification, for FIDO keys. */
struct gth_sshkey_sigdetail {
	bool is_sk;		/* FIDO (sk-) signature */
	uint8_t sk_flags;	/* 0x01 user presence, 0x04 user verification */
	uint32_t sk_counter;
	char sig_alg[48];	/* signature algorithm name as found in the signature */
};

/*
 * Verify an SSH signature blob (string alg, string sig [, sk fields]) made by
 * key over data.  Returns 0 when it verifies, -GTH_E_VERIFY when it does not,
 * -GTH_E_PARSE for malformed input, -GTH_E_UNSUPPORTED for a key type we
 * cannot check.  detail may be NULL.
 */
int gth_sshkey_verify(const void *key, size_t keylen, const void *sig, size_t siglen,
	const void *data, size_t datalen, struct gth_sshkey_sigdetail *detail,
	struct gth_err *err);

#endif
