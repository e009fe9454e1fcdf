/*
 * SHA-256 (FIPS 180-4), self-contained.
 *
 * For fingerprints of plain data below the sign/ and decide/ layers (the
 * policy hash), where libcrypto may not be used.  Not for secrets: no
 * attempt is made to be constant-time.
 */
#ifndef GATEHOUSE_BASE_SHA256_H
#define GATEHOUSE_BASE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct gth_sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	unsigned char block[64];
	size_t fill;
};

void gth_sha256_init(struct gth_sha256 *c);
void gth_sha256_update(struct gth_sha256 *c, const void *p, size_t n);
/* Write the 32-byte digest; c must be re-initialised before reuse. */
void gth_sha256_final(struct gth_sha256 *c, unsigned char out[32]);
/* Lower-case hex digest of p[0..n) into hex (65 bytes, NUL-terminated). */
void gth_sha256_hex(const void *p, size_t n, char hex[65]);
/* Digest of c as lower-case hex (finalises c). */
void gth_sha256_final_hex(struct gth_sha256 *c, char hex[65]);

#endif
