/*
 * SSH public keys and signatures.  Verification follows OpenSSH's
 * ssh-ed25519.c, ssh-rsa.c, ssh-ecdsa.c and ssh-*-sk.c: the signature blob
 * names its algorithm, which must fit the key, and nothing may follow it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/sign/sshkey.h"
#include "gatehouse/sign/wire.h"

#define RSA_MIN_BITS 1024
#define RSA_MAX_BITS 16384
#define SK_ED25519 "sk-ssh-ed25519@openssh.com"
#define SK_ECDSA "sk-ecdsa-sha2-nistp256@openssh.com"

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
gth_b64_encode(const void *in, size_t n)
{
	const unsigned char *p = in;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = b64chars[p[i] >> 2];
		*o++ = b64chars[(p[i] & 3) << 4 | p[i + 1] >> 4];
		*o++ = b64chars[(p[i + 1] & 15) << 2 | p[i + 2] >> 6];
		*o++ = b64chars[p[i + 2] & 63];
	}
	if (i < n) {
		*o++ = b64chars[p[i] >> 2];
		if (i + 1 < n) {
			*o++ = b64chars[(p[i] & 3) << 4 | p[i + 1] >> 4];
			*o++ = b64chars[(p[i + 1] & 15) << 2];
		} else {
			*o++ = b64chars[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int
b64val(unsigned char c)
{
	const char *q;

	if (c == '\0' || (q = strchr(b64chars, c)) == NULL)
		return -1;
	return (int)(q - b64chars);
}

int
gth_b64_decode(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char *o = NULL;
	size_t i, k = 0, pad = 0;
	int v[4], j;

	*out = NULL;
	*outlen = 0;
	if (len % 4 != 0)
		return -GTH_E_PARSE;
	if (len >= 1 && s[len - 1] == '=')
		pad++;
	if (len >= 2 && s[len - 2] == '=')
		pad++;
	o = xmalloc(len / 4 * 3 + 1);
	for (i = 0; i < len; i += 4) {
		bool last = i + 4 == len;

		for (j = 0; j < 4; j++) {
			if (last && j >= 4 - (int)pad)
				v[j] = 0;
			else if ((v[j] = b64val((unsigned char)s[i + j])) < 0)
				goto bad;
		}
		o[k++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		o[k++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		o[k++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
		/* Non-canonical trailing bits would let two strings mean one blob. */
		if (last && pad == 1 && (v[2] & 3) != 0)
			goto bad;
		if (last && pad == 2 && (v[1] & 15) != 0)
			goto bad;
	}
	*outlen = k - pad;
	*out = o;
	return 0;
bad:
	free(o);
	return -GTH_E_PARSE;
}

void
gth_sshkey_fingerprint(const void *blob, size_t len, char out[GTH_SSHKEY_FP_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *b;
	size_t n;

	EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL);
	b = gth_b64_encode(md, mdlen);
	n = strlen(b);
	while (n > 0 && b[n - 1] == '=')
		b[--n] = '\0';
	snprintf(out, GTH_SSHKEY_FP_MAX, "SHA256:%s", b);
	free(b);
}

int
gth_sshkey_parse_line(const char *line, unsigned char **blob, size_t *len, char **comment,
	struct gth_err *err)
{
	const char *t, *te, *k, *ke, *c;
	char *type = NULL, *btype = NULL;
	unsigned char *b = NULL;
	size_t blen = 0;
	int r;

	*blob = NULL;
	*len = 0;
	if (comment != NULL)
		*comment = NULL;
	t = line + strspn(line, " \t");
	te = t + strcspn(t, " \t\r\n");
	k = te + strspn(te, " \t");
	ke = k + strcspn(k, " \t\r\n");
	if (te == t || ke == k)
		return gth_err_set(err, -GTH_E_PARSE,
			"not a public key line (want \"type base64\")");
	if ((size_t)(ke - k) > GTH_SSHKEY_BLOB_MAX * 2)
		return gth_err_set(err, -GTH_E_TOOBIG, "public key too long");
	if (gth_b64_decode(k, (size_t)(ke - k), &b, &blen) != 0) {
		r = gth_err_set(err, -GTH_E_PARSE, "public key: bad base64");
		goto out;
	}
	type = xstrndup(t, (size_t)(te - t));
	btype = gth_wire_key_type(b, blen);
	if (btype == NULL || strcmp(type, btype) != 0) {
		r = gth_err_set(err, -GTH_E_PARSE,
			"public key: type \"%.40s\" does not match its blob", type);
		goto out;
	}
	c = ke + strspn(ke, " \t");
	if (comment != NULL && *c != '\0' && *c != '\r' && *c != '\n')
		*comment = xstrndup(c, strcspn(c, "\r\n"));
	*blob = b;
	*len = blen;
	b = NULL;
	r = 0;
out:
	free(b);
	free(type);
	free(btype);
	return r;
}

int
gth_sshkey_read_file(const char *path, size_t max, const char *what, char **out, size_t *len,
	struct gth_err *err)
{
	struct gth_buf b = GTH_BUF_INIT;
	char chunk[8192];
	FILE *f;
	size_t n;
	int r = 0;

	*out = NULL;
	if ((f = fopen(path, "re")) == NULL)
		return gth_err_set(err, -GTH_E_IO, "cannot read %s %s: %s", what, path,
			strerror(errno));
	gth_buf_init(&b, max);
	while (r == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		r = gth_buf_add(&b, chunk, n);
	fclose(f);
	if (r != 0) {
		gth_buf_release(&b);
		return gth_err_set(err, r, "%s %s is too large", what, path);
	}
	*out = gth_buf_take(&b, len);
	return 0;
}

char *
gth_sshkey_format(const void *blob, size_t len)
{
	char *type = gth_wire_key_type(blob, len), *b, *s;

	if (type == NULL)
		return NULL;
	b = gth_b64_encode(blob, len);
	s = xasprintf("%s %s", type, b);
	free(type);
	free(b);
	return s;
}

bool
gth_sshkey_is_rsa(const void *blob, size_t len)
{
	struct gth_wire w;
	const unsigned char *p;
	size_t n;

	gth_wire_init(&w, blob, len);
	return gth_wire_string(&w, &p, &n) == 0 && gth_wire_eq(p, n, "ssh-rsa");
}

/* An SSH mpint that must be positive; returns a new BIGNUM or NULL. */
static BIGNUM *
wire_bignum(struct gth_wire *w)
{
	const unsigned char *p;
	size_t n;

	if (gth_wire_string(w, &p, &n) != 0 || n == 0 || n > RSA_MAX_BITS / 8 + 1)
		return NULL;
	if (p[0] & 0x80)
		return NULL;
	if (n > 1 && p[0] == 0 && !(p[1] & 0x80))
		return NULL;	/* non-minimal */
	return BN_bin2bn(p, (int)n, NULL);
}

static int
digest_verify(EVP_PKEY *pkey, const EVP_MD *md, const unsigned char *sig, size_t siglen,
	const void *data, size_t datalen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = 0;

	if (ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, data, datalen) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -GTH_E_VERIFY;
}

static EVP_PKEY *
pkey_fromdata(const char *alg, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	EVP_PKEY *pkey = NULL;

	if (params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
		if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
			pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static int
verify_ed25519(const unsigned char *pk, size_t pklen, const unsigned char *s, size_t slen,
	const void *data, size_t datalen)
{
	EVP_PKEY *pkey;
	int r;

	if (pklen != 32 || slen != 64)
		return -GTH_E_PARSE;
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, pklen);
	if (pkey == NULL)
		return -GTH_E_PARSE;
	r = digest_verify(pkey, NULL, s, slen, data, datalen);
	EVP_PKEY_free(pkey);
	return r;
}

static int
verify_rsa(struct gth_wire *kw, const char *alg, const unsigned char *s, size_t slen,
	const void *data, size_t datalen)
{
	BIGNUM *e = NULL, *n = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char *padded = NULL;
	const EVP_MD *md;
	size_t modlen;
	int r = -GTH_E_PARSE, bits;

	if (strcmp(alg, "rsa-sha2-512") == 0)
		md = EVP_sha512();
	else if (strcmp(alg, "rsa-sha2-256") == 0)
		md = EVP_sha256();
	else
		return -GTH_E_VERIFY;	/* "ssh-rsa" is SHA-1: refused as ssh-keygen does */
	if ((e = wire_bignum(kw)) == NULL || (n = wire_bignum(kw)) == NULL || kw->len != 0)
		goto out;
	bits = BN_num_bits(n);
	if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
		r = -GTH_E_UNSUPPORTED;
		goto out;
	}
	modlen = (size_t)BN_num_bytes(n);
	if (slen > modlen)
		goto out;
	/* OpenSSH accepts signatures shorter than the modulus: left-pad them. */
	padded = xcalloc(1, modlen);
	memcpy(padded + (modlen - slen), s, slen);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	if ((pkey = pkey_fromdata("RSA", bld)) == NULL)
		goto out;
	r = digest_verify(pkey, md, padded, modlen, data, datalen);
out:
	free(padded);
	EVP_PKEY_free(pkey);
	OSSL_PARAM_BLD_free(bld);
	BN_free(e);
	BN_free(n);
	return r;
}

/* Curve of an ecdsa key by its SSH name; md is the hash the curve signs with. */
static const char *
ec_group(const unsigned char *p, size_t n, const EVP_MD **md)
{
	if (gth_wire_eq(p, n, "nistp256")) {
		*md = EVP_sha256();
		return "P-256";
	}
	if (gth_wire_eq(p, n, "nistp384")) {
		*md = EVP_sha384();
		return "P-384";
	}
	if (gth_wire_eq(p, n, "nistp521")) {
		*md = EVP_sha512();
		return "P-521";
	}
	return NULL;
}

/* Turn an SSH ecdsa signature (mpint r, mpint s) into DER for libcrypto. */
static int
ecdsa_der(const unsigned char *s, size_t slen, unsigned char **der, size_t *derlen)
{
	struct gth_wire w;
	BIGNUM *br = NULL, *bs = NULL;
	ECDSA_SIG *es = NULL;
	unsigned char *d = NULL;
	int n, r = -GTH_E_PARSE;

	gth_wire_init(&w, s, slen);
	if ((br = wire_bignum(&w)) == NULL || (bs = wire_bignum(&w)) == NULL || w.len != 0)
		goto out;
	if ((es = ECDSA_SIG_new()) == NULL || !ECDSA_SIG_set0(es, br, bs))
		goto out;
	br = bs = NULL;
	if ((n = i2d_ECDSA_SIG(es, &d)) <= 0)
		goto out;
	*der = d;
	*derlen = (size_t)n;
	r = 0;
out:
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(es);
	return r;
}

static int
verify_ecdsa(const char *group, const EVP_MD *md, const unsigned char *q, size_t qlen,
	const unsigned char *s, size_t slen, const void *data, size_t datalen)
{
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char *der = NULL;
	size_t derlen = 0;
	int r = -GTH_E_PARSE;

	if (ecdsa_der(s, slen, &der, &derlen) != 0)
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q, qlen))
		goto out;
	if ((pkey = pkey_fromdata("EC", bld)) == NULL)
		goto out;
	r = digest_verify(pkey, md, der, derlen, data, datalen);
out:
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	OSSL_PARAM_BLD_free(bld);
	return r;
}

/*
 * FIDO signatures cover sha256(application) || flags || counter ||
 * sha256(data) (PROTOCOL.u2f), not the data itself.
 */
static void
sk_message(const unsigned char *app, size_t applen, uint8_t flags, uint32_t counter,
	const void *data, size_t datalen, unsigned char out[69])
{
	unsigned int mdlen;

	EVP_Digest(app, applen, out, &mdlen, EVP_sha256(), NULL);
	out[32] = flags;
	out[33] = (unsigned char)(counter >> 24);
	out[34] = (unsigned char)(counter >> 16);
	out[35] = (unsigned char)(counter >> 8);
	out[36] = (unsigned char)counter;
	EVP_Digest(data, datalen, out + 37, &mdlen, EVP_sha256(), NULL);
}

int
gth_sshkey_verify(const void *key, size_t keylen, const void *sig, size_t siglen,
	const void *data, size_t datalen, struct gth_sshkey_sigdetail *detail,
	struct gth_err *err)
{
	struct gth_wire kw, sw;
	const unsigned char *ktype, *salg, *s, *a, *b, *app;
	size_t ktlen, salen, slen, alen, blen, applen;
	const EVP_MD *md = NULL;
	const char *group;
	struct gth_sshkey_sigdetail dummy;
	char *kt = NULL;
	int r = -GTH_E_PARSE;

	if (detail == NULL)
		detail = &dummy;
	memset(detail, 0, sizeof(*detail));
	if (keylen > GTH_SSHKEY_BLOB_MAX || siglen > GTH_SSHKEY_BLOB_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "key or signature too large");
	gth_wire_init(&kw, key, keylen);
	gth_wire_init(&sw, sig, siglen);
	if (gth_wire_string(&kw, &ktype, &ktlen) != 0 || gth_wire_string(&sw, &salg, &salen) != 0 ||
	    salen >= sizeof(detail->sig_alg) || gth_wire_string(&sw, &s, &slen) != 0)
		return gth_err_set(err, -GTH_E_PARSE, "malformed key or signature");
	memcpy(detail->sig_alg, salg, salen);
	detail->sig_alg[salen] = '\0';
	kt = xstrndup((const char *)ktype, ktlen);

	if (strcmp(kt, "ssh-rsa") == 0) {
		if (sw.len != 0)
			goto parse;
		if (strcmp(detail->sig_alg, "rsa-sha2-512") != 0 &&
		    strcmp(detail->sig_alg, "rsa-sha2-256") != 0) {
			r = gth_err_set(err, -GTH_E_VERIFY,
				"unsupported RSA signature algorithm %s", detail->sig_alg);
			goto out;
		}
		r = verify_rsa(&kw, detail->sig_alg, s, slen, data, datalen);
	} else if (strcmp(detail->sig_alg, kt) != 0) {
		r = gth_err_set(err, -GTH_E_VERIFY,
			"signature algorithm %s does not match key type %s", detail->sig_alg, kt);
		goto out;
	} else if (strcmp(kt, "ssh-ed25519") == 0) {
		if (gth_wire_string(&kw, &a, &alen) != 0 || kw.len != 0 || sw.len != 0)
			goto parse;
		r = verify_ed25519(a, alen, s, slen, data, datalen);
	} else if (strncmp(kt, "ecdsa-sha2-", 11) == 0) {
		if (gth_wire_string(&kw, &a, &alen) != 0 || gth_wire_string(&kw, &b, &blen) != 0 ||
		    kw.len != 0 || sw.len != 0)
			goto parse;
		if ((group = ec_group(a, alen, &md)) == NULL || !gth_wire_eq(a, alen, kt + 11))
			goto parse;
		r = verify_ecdsa(group, md, b, blen, s, slen, data, datalen);
	} else if (strcmp(kt, SK_ED25519) == 0 || strcmp(kt, SK_ECDSA) == 0) {
		unsigned char msg[69];
		uint8_t flags;
		uint32_t counter;
		bool ed = strcmp(kt, SK_ED25519) == 0;

		if (ed && gth_wire_string(&kw, &a, &alen) != 0)
			goto parse;
		if (!ed && (gth_wire_expect(&kw, "nistp256") != 0 ||
		    gth_wire_string(&kw, &a, &alen) != 0))
			goto parse;
		if (gth_wire_string(&kw, &app, &applen) != 0 || kw.len != 0 ||
		    gth_wire_u8(&sw, &flags) != 0 || gth_wire_u32(&sw, &counter) != 0 ||
		    sw.len != 0)
			goto parse;
		detail->is_sk = true;
		detail->sk_flags = flags;
		detail->sk_counter = counter;
		sk_message(app, applen, flags, counter, data, datalen, msg);
		if (ed)
			r = verify_ed25519(a, alen, s, slen, msg, sizeof(msg));
		else
			r = verify_ecdsa("P-256", EVP_sha256(), a, alen, s, slen, msg, sizeof(msg));
	} else {
		r = gth_err_set(err, -GTH_E_UNSUPPORTED, "key type %.60s is not supported", kt);
		goto out;
	}
	if (r == -GTH_E_VERIFY)
		gth_err_set(err, r, "incorrect signature");
	else if (r == -GTH_E_PARSE)
		gth_err_set(err, r, "malformed %s key or signature", kt);
	else if (r == -GTH_E_UNSUPPORTED)
		gth_err_set(err, r, "%s key size not supported", kt);
	goto out;
parse:
	r = gth_err_set(err, -GTH_E_PARSE, "malformed %s key or signature", kt);
out:
	free(kt);
	return r;
}
