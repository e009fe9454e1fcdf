/*
 * Fixture bodies for the Gitea and GitLab decoding tests
 * (tests/fixtures/multiforge/, written from the forges' API descriptions and
 * the field tables of forge-api.md Part 2).
 */
#ifndef GATEHOUSE_TESTS_FORGE_MULTIFORGE_FIXTURE_H
#define GATEHOUSE_TESTS_FORGE_MULTIFORGE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "gatehouse/base/xalloc.h"
#include "tap.h"

/* The whole file, NUL-terminated and owned; "" (and a diagnostic) when missing. */
static char *
mf_fixture(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/tests/fixtures/multiforge/%s", top != NULL ? top : ".", name);
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	*len = 0;
	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0) {
		diag("cannot read %s", path);
		if (fp != NULL)
			fclose(fp);
		free(path);
		return xstrdup("");
	}
	rewind(fp);
	buf = xmalloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, fp);
	buf[*len] = '\0';
	fclose(fp);
	free(path);
	return buf;
}

#endif
