/* SHA-256 and SHA-1 against the FIPS 180-4 / NIST example vectors. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/sha1.h"
#include "gatehouse/base/sha256.h"
#include "tap.h"

static void
sha1_hex(const void *p, size_t n, char hex[41])
{
	unsigned char d[20];
	size_t k;

	gth_sha1(p, n, d);
	for (k = 0; k < 20; k++)
		snprintf(hex + 2 * k, 3, "%02x", d[k]);
}

int
main(void)
{
	/* The NIST vectors, and 55 and 56 bytes: padding fits one block, or needs a second. */
	static const struct {
		const char *in;
		const char *sha256, *sha1;
	} vectors[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		  "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		  "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
		  "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
		  "a49b2446a02c645bf419f995b67091253a04a259" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
		  "c1c8bbdc22796e28c0e15163d20899b65621d65a" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
		  "c2db330f6083854c99d4b5bfb6e8f29f201be699" },
	};
	struct gth_sha256 c;
	char hex[65];
	char *million;
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		size_t n = strlen(vectors[i].in);

		gth_sha256_hex(vectors[i].in, n, hex);
		is_str(hex, vectors[i].sha256, "sha256 of %zu bytes (vector %zu)", n, i + 1);
		sha1_hex(vectors[i].in, n, hex);
		is_str(hex, vectors[i].sha1, "sha1 of %zu bytes (vector %zu)", n, i + 1);
	}
	/* One million 'a', fed in uneven pieces to cross block boundaries. */
	million = malloc(1000000);
	memset(million, 'a', 1000000);
	gth_sha256_init(&c);
	for (i = 0; i < 1000000;) {
		size_t n = (i % 7 + 1) * 13;

		if (n > 1000000 - i)
			n = 1000000 - i;
		gth_sha256_update(&c, million + i, n);
		i += n;
	}
	gth_sha256_final_hex(&c, hex);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "sha256 of a million 'a' in pieces");
	sha1_hex(million, 1000000, hex);
	is_str(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f", "sha1 of a million 'a'");
	free(million);
	return done_testing();
}
