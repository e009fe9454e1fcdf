/*
 * SHA-1 (FIPS 180-4), self-contained.
 *
 * For git's own checksums (a pack index ends with the SHA-1 of the rest),
 * where libcrypto may not be used.  Not for anything an attacker chooses:
 * SHA-1 collisions can be made.
 */
#ifndef GATEHOUSE_BASE_SHA1_H
#define GATEHOUSE_BASE_SHA1_H

#include <stddef.h>

/* The 20-byte digest of p[0..n). */
void gth_sha1(const void *p, size_t n, unsigned char out[20]);

#endif
