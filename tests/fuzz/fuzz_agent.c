/*
 * libFuzzer target for the ssh-agent reply parsers.  The input is a reply
 * body as an agent would send it (type byte first).  Aborts when a parsed
 * identity list breaks its invariants (blob present, fingerprint set, count
 * within the cap) or when a sign reply is accepted with an algorithm other
 * than the key's (rsa-sha2-512 for RSA).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/sign/agent.h"
#include "gatehouse/sign/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ssh-ed25519 key of security.md A.1 and a small RSA key blob. */
static const unsigned char ed_key[] = {
	0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32,
	0x6b, 0xea, 0x98, 0x04, 0x7a, 0x4f, 0x6b, 0x82, 0xf5, 0x82, 0xbd, 0x21, 0x5c, 0xba,
	0x58, 0x86, 0xd4, 0x89, 0xf9, 0x65, 0xb2, 0x00, 0x66, 0x05, 0xc5, 0x57, 0x22, 0x46,
	0xeb, 0xdc, 0xd8, 0x1a,
};
static const unsigned char rsa_key[] = {
	0, 0, 0, 7, 's', 's', 'h', '-', 'r', 's', 'a', 0, 0, 0, 3, 1, 0, 1, 0, 0, 0, 2, 0, 0xc1,
};

static void
check_sig(const unsigned char *sig, size_t len, const char *want)
{
	struct gth_wire w;
	const unsigned char *alg;
	size_t al;

	gth_wire_init(&w, sig, len);
	if (gth_wire_string(&w, &alg, &al) != 0 || !gth_wire_eq(alg, al, want))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gth_agent_identities ids = { 0 };
	unsigned char *sig = NULL;
	size_t siglen = 0, i;

	if (gth_agent_parse_identities(data, size, &ids, NULL) == 0) {
		if (ids.n > GTH_AGENT_IDS_MAX)
			abort();
		for (i = 0; i < ids.n; i++)
			if (ids.v[i].blob == NULL || strncmp(ids.v[i].fp, "SHA256:", 7) != 0 ||
			    ids.v[i].type == NULL)
				abort();
	}
	gth_agent_identities_release(&ids);
	if (gth_agent_parse_sign_reply(data, size, ed_key, sizeof(ed_key), &sig, &siglen,
	    NULL) == 0) {
		check_sig(sig, siglen, "ssh-ed25519");
		free(sig);
	}
	if (gth_agent_parse_sign_reply(data, size, rsa_key, sizeof(rsa_key), &sig, &siglen,
	    NULL) == 0) {
		check_sig(sig, siglen, "rsa-sha2-512");
		free(sig);
	}
	return 0;
}
