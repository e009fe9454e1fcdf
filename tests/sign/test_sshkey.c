/* Unit tests for sign/ parsers: base64, keys, agent replies, SSHSIG armor, allowed_signers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/sign/agent.h"
#include "gatehouse/sign/allowed.h"
#include "gatehouse/sign/sshkey.h"
#include "gatehouse/sign/sshsig.h"
#include "gatehouse/sign/wire.h"
#include "tap.h"

/* ssh-keygen's own output (security.md A.1): key, fingerprint and signature. */
#define ED_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGvqmAR6T2uC9YK9IVy6WIbUifllsgBmBcVXIkbr3Nga"
#define ED_FP "SHA256:rb9va+vFu5tnKeB+Ual3UQcR1qbZiwOy7cntIEqaKqo"
#define ED_SIG \
	"-----BEGIN SSH SIGNATURE-----\n" \
	"U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAga+qYBHpPa4L1gr0hXLpYhtSJ+W\n" \
	"WyAGYFxVciRuvc2BoAAAASZ2F0ZWhvdXNlLWRlY2lzaW9uAAAAAAAAAAZzaGE1MTIAAABT\n" \
	"AAAAC3NzaC1lZDI1NTE5AAAAQJkD4ZVz2Rr/XTG1Jwj30Zr9gD+/MHlRf4PlfUDWxdeRi0\n" \
	"AzuE6IF3Bke9A3GMVBoA+8qaC1AMp9LEOzaTnBXAg=\n" \
	"-----END SSH SIGNATURE-----\n"
#define ED_MSG \
	"gatehouse-decision-v1\n" \
	"id=01J8Z3K6Q2V7D9M4XW0B1C2D3E\n" \
	"forge=github.com\n" \
	"repo=example/widget\n" \
	"pr=42\n" \
	"head=3f2c0e1d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n" \
	"decision=approve\n" \
	"reviewer=alice@example.com\n" \
	"time=2025-01-01T12:00:00Z\n" \
	"reason=Looks good; tests pass.\n"

static void
test_b64(void)
{
	static const struct { const char *in, *out; } t[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
	};
	unsigned char *d;
	size_t n, i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *e = gth_b64_encode(t[i].in, strlen(t[i].in));

		is_str(e, t[i].out, "base64 of \"%s\"", t[i].in);
		free(e);
		ok(gth_b64_decode(t[i].out, strlen(t[i].out), &d, &n) == 0 &&
		   n == strlen(t[i].in) && memcmp(d, t[i].in, n) == 0, "base64 decodes \"%s\"",
		   t[i].out);
		free(d);
	}
	ok(gth_b64_decode("Zm9", 3, &d, &n) < 0, "base64 without padding refused");
	ok(gth_b64_decode("Zm9=", 4, &d, &n) < 0, "non-canonical trailing bits refused");
	ok(gth_b64_decode("Zm 9", 4, &d, &n) < 0, "stray byte refused");
}

static void
test_keys(void)
{
	unsigned char *blob = NULL;
	size_t len = 0;
	char fp[GTH_SSHKEY_FP_MAX], *comment = NULL, *s;
	struct gth_err err = { 0 };

	ok(gth_sshkey_parse_line(ED_KEY " reviewer-ed25519\n", &blob, &len, &comment, &err) == 0,
	   "public key line parses");
	is_str(comment, "reviewer-ed25519", "comment kept");
	gth_sshkey_fingerprint(blob, len, fp);
	is_str(fp, ED_FP, "fingerprint is what ssh-keygen -l prints");
	s = gth_sshkey_format(blob, len);
	is_str(s, ED_KEY, "key formats back to the same line");
	free(s);
	free(blob);
	free(comment);
	ok(gth_sshkey_parse_line("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIGvqmAR6T2uC9YK9IVy6WIbUifl"
	   "lsgBmBcVXIkbr3Nga", &blob, &len, NULL, &err) < 0,
	   "type that lies about the blob refused");
}

static void
test_sshsig_known(void)
{
	struct gth_sshsig *s = NULL;
	struct gth_err err = { 0 };
	struct gth_buf blob = GTH_BUF_INIT;
	char *armored, *tampered;

	ok(gth_sshsig_parse(ED_SIG, strlen(ED_SIG), &s, &err) == 0,
	   "ssh-keygen's signature parses");
	if (s == NULL) {
		skip(6, "no signature");
		return;
	}
	is_str(s->ns, "gatehouse-decision", "namespace read");
	is_str(s->hashalg, "sha512", "hash algorithm read");
	is_str(s->fp, ED_FP, "signer fingerprint");
	ok(gth_sshsig_verify(s, "gatehouse-decision", ED_MSG, strlen(ED_MSG), NULL, &err) == 0,
	   "our verifier accepts ssh-keygen's ed25519 signature");
	tampered = strdup(ED_MSG);
	memcpy(strstr(tampered, "approve"), "reject!", 7);
	ok(gth_sshsig_verify(s, "gatehouse-decision", tampered, strlen(tampered), NULL, &err) ==
	   -GTH_E_VERIFY, "a tampered message fails");
	ok(gth_sshsig_verify(s, "git", ED_MSG, strlen(ED_MSG), NULL, &err) == -GTH_E_VERIFY &&
	   strstr(err.msg, "namespace") != NULL, "wrong namespace fails and says so");
	gth_sshsig_wrap(s->pubkey, s->pubkey_len, s->ns, s->hashalg, s->sig, s->sig_len, &blob);
	armored = gth_sshsig_armor(blob.data, blob.len);
	is_str(armored, ED_SIG, "re-wrapping gives ssh-keygen's bytes (70 columns)");
	free(armored);
	free(tampered);
	gth_buf_release(&blob);
	gth_sshsig_free(s);

	{
		char *bad = strdup(ED_SIG);

		bad[strlen(bad) - 2] = 'x';
		ok(gth_sshsig_parse(bad, strlen(bad), &s, &err) < 0, "broken footer refused");
		free(bad);
		bad = NULL;
		ok(gth_sshsig_parse("junk\n" ED_SIG, strlen(ED_SIG) + 5, &s, &err) < 0,
		   "text before the header refused");
		ok(gth_sshsig_parse(ED_SIG "more", strlen(ED_SIG) + 4, &s, &err) < 0,
		   "text after the footer refused");
	}
}

static void
put_reply_sig(struct gth_buf *b, const char *alg)
{
	struct gth_buf inner = GTH_BUF_INIT;

	gth_wire_put_u8(b, GTH_AGENT_SIGN_RESPONSE);
	gth_wire_put_cstring(&inner, alg);
	gth_wire_put_string(&inner, "0123456789", 10);
	gth_wire_put_string(b, inner.data, inner.len);
	gth_buf_release(&inner);
}

static void
test_agent_replies(void)
{
	struct gth_buf b = GTH_BUF_INIT, rsa = GTH_BUF_INIT;
	struct gth_agent_identities ids = { 0 };
	struct gth_err err = { 0 };
	unsigned char *key, *sig;
	size_t keylen, siglen;

	gth_sshkey_parse_line(ED_KEY, &key, &keylen, NULL, &err);
	gth_wire_put_cstring(&rsa, "ssh-rsa");
	gth_wire_put_string(&rsa, "\x01\x00\x01", 3);
	gth_wire_put_string(&rsa, "\x00\xc0", 2);

	gth_wire_put_u8(&b, GTH_AGENT_IDENTITIES_ANSWER);
	gth_wire_put_u32(&b, 2);
	gth_wire_put_string(&b, key, keylen);
	gth_wire_put_cstring(&b, "alice");
	gth_wire_put_string(&b, "\x00\x00\x00\x03\x01\x02\x03", 7);	/* non-printable type */
	gth_wire_put_cstring(&b, "junk");
	ok(gth_agent_parse_identities(b.data, b.len, &ids, &err) == 0 && ids.n == 1,
	   "identity list parsed, malformed key skipped");
	if (ids.n == 1)
		is_str(ids.v[0].fp, ED_FP, "identity fingerprint");
	gth_agent_identities_release(&ids);
	b.data[4] = 9;	/* claims 2304+ keys */
	ok(gth_agent_parse_identities(b.data, b.len, &ids, &err) < 0, "absurd key count refused");
	gth_buf_reset(&b);
	gth_wire_put_u8(&b, GTH_AGENT_FAILURE);
	ok(gth_agent_parse_sign_reply(b.data, b.len, key, keylen, &sig, &siglen, &err) ==
	   -GTH_E_REFUSED, "SSH_AGENT_FAILURE is a refusal");
	gth_buf_reset(&b);
	put_reply_sig(&b, "ssh-ed25519");
	ok(gth_agent_parse_sign_reply(b.data, b.len, key, keylen, &sig, &siglen, &err) == 0,
	   "matching signature algorithm accepted");
	free(sig);
	ok(gth_agent_parse_sign_reply(b.data, b.len, rsa.data, rsa.len, &sig, &siglen, &err) ==
	   -GTH_E_PROTO, "ed25519 signature for an RSA key refused");
	gth_buf_reset(&b);
	put_reply_sig(&b, "ssh-rsa");
	ok(gth_agent_parse_sign_reply(b.data, b.len, rsa.data, rsa.len, &sig, &siglen, &err) ==
	   -GTH_E_PROTO && strstr(err.msg, "rsa-sha2-512") != NULL,
	   "SHA-1 ssh-rsa reply refused with a message");
	gth_buf_addc(&b, 0);
	ok(gth_agent_parse_sign_reply(b.data, b.len, rsa.data, rsa.len, &sig, &siglen, &err) ==
	   -GTH_E_PROTO, "trailing byte refused");
	free(key);
	gth_buf_release(&b);
	gth_buf_release(&rsa);
}

static void
test_allowed(void)
{
	const char *text =
		"# comment\n"
		"\n"
		"alice@example.com,!mallory@example.com namespaces=\"gatehouse-decision\" "
		ED_KEY "\n"
		"*@example.com cert-authority " ED_KEY "\n"
		"bob@example.com valid-before=\"20200101Z\" " ED_KEY "\n"
		"carol@example.com bogus-option " ED_KEY "\n"
		"\"dave smith\" " ED_KEY "\n";
	struct gth_allowed *a = gth_allowed_parse(text, strlen(text), "as");
	struct gth_err err = { 0 };
	unsigned char *key;
	size_t keylen;
	const struct gth_allowed_entry *e;
	char fp[GTH_SSHKEY_FP_MAX], *who = NULL;
	time_t now = 1700000000;

	gth_sshkey_parse_line(ED_KEY, &key, &keylen, NULL, &err);
	is_int(a->n, 4, "four usable lines (one bad option skipped)");
	is_int(a->notes.n, 2, "cert-authority and the bad line are reported");
	ok(gth_allowed_match_list("alice@example.com", "*@example.com,!bob@*"), "glob matches");
	ok(!gth_allowed_match_list("bob@example.com", "*@example.com,!bob@*"), "negation wins");
	e = gth_allowed_find(a, key, keylen, "gatehouse-decision", "alice@example.com", now);
	ok(e != NULL && e->line == 3, "alice found for the decision namespace");
	ok(gth_allowed_find(a, key, keylen, "file", "alice@example.com", now) == NULL,
	   "namespace restriction applies");
	ok(gth_allowed_find(a, key, keylen, "gatehouse-decision", "mallory@example.com", now) ==
	   NULL, "cert-authority line never matches a plain key");
	ok(gth_allowed_find(a, key, keylen, "x", "bob@example.com", now) == NULL,
	   "expired entry does not match");
	ok(gth_allowed_find(a, key, keylen, "x", "dave smith", now) != NULL,
	   "quoted principal with a space");
	ok(gth_allowed_verify(a, ED_SIG, strlen(ED_SIG), ED_MSG, strlen(ED_MSG),
	   "gatehouse-decision", "alice@example.com", now, &who, fp, &err) == 0,
	   "full verification for alice");
	is_str(who, "alice@example.com,!mallory@example.com", "principals reported");
	free(who);
	ok(gth_allowed_verify(a, ED_SIG, strlen(ED_SIG), ED_MSG, strlen(ED_MSG),
	   "gatehouse-decision", "eve@example.org", now, &who, fp, &err) == -GTH_E_VERIFY,
	   "a principal not in the file fails");
	free(key);
	gth_allowed_free(a);
}

int
main(void)
{
	test_b64();
	test_keys();
	test_sshsig_known();
	test_agent_replies();
	test_allowed();
	return done_testing();
}
