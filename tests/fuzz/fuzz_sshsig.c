/*
 * libFuzzer target for the SSHSIG parser and verifier, and the
 * allowed_signers parser.  The first byte selects: 0-127 armored text,
 * 128-191 raw blob, 192-255 allowed_signers text.  Aborts when a parsed
 * signature does not survive wrap + armor + parse unchanged, or when
 * verification of fuzz input over a fixed message succeeds.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/sign/allowed.h"
#include "gatehouse/sign/sshsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
roundtrip(const struct gth_sshsig *s)
{
	struct gth_buf blob = GTH_BUF_INIT;
	struct gth_sshsig *again = NULL;
	char *armored;

	if (gth_sshsig_wrap(s->pubkey, s->pubkey_len, s->ns, s->hashalg, s->sig, s->sig_len,
	    &blob) != 0)
		abort();
	armored = gth_sshsig_armor(blob.data, blob.len);
	if (gth_sshsig_parse(armored, strlen(armored), &again, NULL) != 0)
		abort();
	if (again->pubkey_len != s->pubkey_len || memcmp(again->pubkey, s->pubkey, s->pubkey_len) ||
	    strcmp(again->ns, s->ns) != 0 || again->sig_len != s->sig_len ||
	    memcmp(again->sig, s->sig, s->sig_len) != 0 || strcmp(again->fp, s->fp) != 0)
		abort();
	gth_sshsig_free(again);
	free(armored);
	gth_buf_release(&blob);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char msg[] = "{\"v\":1}";
	struct gth_sshsig *s = NULL;
	const char *in = (const char *)data + 1;
	int r;

	if (size == 0)
		return 0;
	if (data[0] >= 192) {
		struct gth_allowed *a = gth_allowed_parse(in, size - 1, "fuzz");

		for (size_t i = 0; i < a->n; i++)
			if (a->v[i].key == NULL || a->v[i].principals == NULL)
				abort();
		gth_allowed_free(a);
		return 0;
	}
	if (data[0] < 128)
		r = gth_sshsig_parse(in, size - 1, &s, NULL);
	else
		r = gth_sshsig_parse_blob(in, size - 1, &s, NULL);
	if (r != 0)
		return 0;
	roundtrip(s);
	/* A forged signature over our fixed message must never verify. */
	if (gth_sshsig_verify(s, s->ns, msg, sizeof(msg) - 1, NULL, NULL) == 0)
		abort();
	gth_sshsig_free(s);
	return 0;
}
