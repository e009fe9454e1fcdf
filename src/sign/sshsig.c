/*
 * SSHSIG encode / armor / parse / verify, after OpenSSH sshsig.c: the same
 * field order, the same 70-column armor, the same refusals (version > 1,
 * trailing data, namespace or hash mismatch, SHA-1 RSA).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/sign/sshsig.h"
#include "gatehouse/sign/wire.h"

#define MAGIC "SSHSIG"
#define MAGIC_LEN 6
#define SIG_VERSION 1
#define ARMOR_COLS 70
#define NS_MAX 256

static const EVP_MD *
hash_md(const char *alg)
{
	if (strcmp(alg, "sha512") == 0)
		return EVP_sha512();
	if (strcmp(alg, "sha256") == 0)
		return EVP_sha256();
	return NULL;
}

int
gth_sshsig_signed_data(const char *ns, const char *hashalg, const void *msg, size_t len,
	struct gth_buf *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const EVP_MD *m = hash_md(hashalg);
	int r;

	if (m == NULL || ns == NULL || *ns == '\0')
		return -GTH_E_INVAL;
	if (EVP_Digest(msg, len, md, &mdlen, m, NULL) != 1)
		return -GTH_E_INTERNAL;
	if ((r = gth_buf_add(out, MAGIC, MAGIC_LEN)) != 0 ||
	    (r = gth_wire_put_cstring(out, ns)) != 0 ||
	    (r = gth_wire_put_string(out, "", 0)) != 0 ||
	    (r = gth_wire_put_cstring(out, hashalg)) != 0 ||
	    (r = gth_wire_put_string(out, md, mdlen)) != 0)
		return r;
	return 0;
}

int
gth_sshsig_wrap(const void *pubkey, size_t pubkey_len, const char *ns, const char *hashalg,
	const void *sig, size_t sig_len, struct gth_buf *out)
{
	int r;

	if ((r = gth_buf_add(out, MAGIC, MAGIC_LEN)) != 0 ||
	    (r = gth_wire_put_u32(out, SIG_VERSION)) != 0 ||
	    (r = gth_wire_put_string(out, pubkey, pubkey_len)) != 0 ||
	    (r = gth_wire_put_cstring(out, ns)) != 0 ||
	    (r = gth_wire_put_string(out, "", 0)) != 0 ||
	    (r = gth_wire_put_cstring(out, hashalg)) != 0 ||
	    (r = gth_wire_put_string(out, sig, sig_len)) != 0)
		return r;
	return 0;
}

char *
gth_sshsig_armor(const void *blob, size_t len)
{
	struct gth_buf b = GTH_BUF_INIT;
	char *b64 = gth_b64_encode(blob, len);
	size_t n = strlen(b64), i;

	gth_buf_adds(&b, GTH_SSHSIG_BEGIN "\n");
	for (i = 0; i < n; i += ARMOR_COLS) {
		gth_buf_add(&b, b64 + i, n - i < ARMOR_COLS ? n - i : ARMOR_COLS);
		gth_buf_addc(&b, '\n');
	}
	gth_buf_adds(&b, GTH_SSHSIG_END "\n");
	free(b64);
	return gth_buf_take(&b, NULL);
}

void
gth_sshsig_free(struct gth_sshsig *s)
{
	if (s == NULL)
		return;
	free(s->pubkey);
	free(s->ns);
	free(s->hashalg);
	free(s->sig);
	free(s);
}

static int
printable(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return 0;
	return 1;
}

int
gth_sshsig_parse_blob(const void *blob, size_t len, struct gth_sshsig **out,
	struct gth_err *err)
{
	struct gth_wire w;
	const unsigned char *magic, *pk, *ns, *res, *ha, *sig;
	size_t pklen, nslen, reslen, halen, siglen;
	uint32_t version;
	struct gth_sshsig *s;
	char *type;

	*out = NULL;
	if (len > GTH_SSHSIG_ARMOR_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "signature too large");
	gth_wire_init(&w, blob, len);
	if (gth_wire_bytes(&w, MAGIC_LEN, &magic) != 0 || memcmp(magic, MAGIC, MAGIC_LEN) != 0)
		return gth_err_set(err, -GTH_E_PARSE, "not an SSH signature (no SSHSIG preamble)");
	if (gth_wire_u32(&w, &version) != 0)
		return gth_err_set(err, -GTH_E_PARSE, "truncated SSH signature");
	if (version != SIG_VERSION)
		return gth_err_set(err, -GTH_E_UNSUPPORTED,
			"SSH signature version %u not supported", (unsigned)version);
	if (gth_wire_string(&w, &pk, &pklen) != 0 || gth_wire_string(&w, &ns, &nslen) != 0 ||
	    gth_wire_string(&w, &res, &reslen) != 0 || gth_wire_string(&w, &ha, &halen) != 0 ||
	    gth_wire_string(&w, &sig, &siglen) != 0)
		return gth_err_set(err, -GTH_E_PARSE, "truncated SSH signature");
	if (w.len != 0)
		return gth_err_set(err, -GTH_E_PARSE, "trailing data after SSH signature");
	if (nslen == 0 || nslen > NS_MAX || !printable(ns, nslen))
		return gth_err_set(err, -GTH_E_PARSE, "bad signature namespace");
	if (!gth_wire_eq(ha, halen, "sha512") && !gth_wire_eq(ha, halen, "sha256"))
		return gth_err_set(err, -GTH_E_UNSUPPORTED, "unsupported signature hash algorithm");
	if (pklen > GTH_SSHKEY_BLOB_MAX || siglen > GTH_SSHKEY_BLOB_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "signature key or blob too large");
	if ((type = gth_wire_key_type(pk, pklen)) == NULL)
		return gth_err_set(err, -GTH_E_PARSE, "malformed signer key");
	free(type);
	s = xcalloc(1, sizeof(*s));
	s->pubkey = xmalloc(pklen);
	memcpy(s->pubkey, pk, pklen);
	s->pubkey_len = pklen;
	s->ns = xstrndup((const char *)ns, nslen);
	s->hashalg = xstrndup((const char *)ha, halen);
	s->sig = xmalloc(siglen ? siglen : 1);
	if (siglen > 0)
		memcpy(s->sig, sig, siglen);
	s->sig_len = siglen;
	gth_sshkey_fingerprint(pk, pklen, s->fp);
	*out = s;
	return 0;
}

int
gth_sshsig_parse(const char *armored, size_t len, struct gth_sshsig **out,
	struct gth_err *err)
{
	struct gth_buf b64 = GTH_BUF_INIT;
	const char *p = armored, *end = armored + len, *nl;
	unsigned char *blob = NULL;
	size_t bloblen = 0, hl = strlen(GTH_SSHSIG_BEGIN), el = strlen(GTH_SSHSIG_END);
	int r, footer = 0;

	*out = NULL;
	if (len > GTH_SSHSIG_ARMOR_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "armored signature too large");
	gth_buf_init(&b64, GTH_SSHSIG_ARMOR_MAX);
	if (len < hl || memcmp(p, GTH_SSHSIG_BEGIN, hl) != 0) {
		r = gth_err_set(err, -GTH_E_PARSE, "missing \"" GTH_SSHSIG_BEGIN "\"");
		goto out;
	}
	p += hl;
	if (p < end && *p == '\r')
		p++;
	if (p >= end || *p != '\n') {
		r = gth_err_set(err, -GTH_E_PARSE, "no newline after the signature header");
		goto out;
	}
	p++;
	while (p < end) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = (nl != NULL ? (size_t)(nl - p) : (size_t)(end - p));
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == el && memcmp(p, GTH_SSHSIG_END, el) == 0) {
			footer = 1;
			p = nl != NULL ? nl + 1 : end;
			break;
		}
		if ((r = gth_buf_add(&b64, p, n)) != 0) {
			gth_err_set(err, r, "armored signature too large");
			goto out;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (!footer || p != end) {
		r = gth_err_set(err, -GTH_E_PARSE, footer ? "text after the signature footer" :
			"missing \"" GTH_SSHSIG_END "\"");
		goto out;
	}
	if (gth_b64_decode(b64.data ? b64.data : "", b64.len, &blob, &bloblen) != 0) {
		r = gth_err_set(err, -GTH_E_PARSE, "signature: bad base64");
		goto out;
	}
	r = gth_sshsig_parse_blob(blob, bloblen, out, err);
out:
	free(blob);
	gth_buf_release(&b64);
	return r;
}

int
gth_sshsig_verify(const struct gth_sshsig *sig, const char *ns, const void *msg, size_t len,
	struct gth_sshkey_sigdetail *detail, struct gth_err *err)
{
	struct gth_buf data = GTH_BUF_INIT;
	int r;

	if (strcmp(sig->ns, ns) != 0)
		return gth_err_set(err, -GTH_E_VERIFY, "namespace does not match");
	if ((r = gth_sshsig_signed_data(ns, sig->hashalg, msg, len, &data)) != 0) {
		gth_buf_release(&data);
		return gth_err_set(err, r, "cannot hash the message");
	}
	r = gth_sshkey_verify(sig->pubkey, sig->pubkey_len, sig->sig, sig->sig_len, data.data,
		data.len, detail, err);
	gth_buf_release(&data);
	return r;
}
