/* SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/sha256.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char *in;
		const char *hex;
	} vectors[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
		  "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	struct gth_sha256 c;
	char hex[65];
	char *million;
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		gth_sha256_hex(vectors[i].in, strlen(vectors[i].in), hex);
		is_str(hex, vectors[i].hex, "sha256 of %zu-byte vector", strlen(vectors[i].in));
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
	free(million);
	/* 55 and 56 bytes: the two padding cases. */
	gth_sha256_hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 55, hex);
	is_str(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
	    "55 bytes: padding fits one block");
	gth_sha256_hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 56, hex);
	is_str(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
	    "56 bytes: padding needs a second block");
	return done_testing();
}
