/*
 * libFuzzer target for the policy loaders and the CODEOWNERS parser: the
 * first input byte picks host policy text (gth_policy_load_string), a
 * repository policy over the shipped default (gth_policy_add_repo_rules) or
 * CODEOWNERS (gth_codeowners_parse); the rest is the text.  Aborts when a
 * loader returns something other than 0 with a policy or a negative code
 * with a message, when a loaded policy's hash is not 64 hex digits or not
 * stable, when a repository policy changes its base, or when owners looked
 * up are not a sound string list.  Everything loaded is freed.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_pr.h"
#include "gatehouse/policy/codeowners.h"
#include "gatehouse/policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_policy(const struct gth_policy *p)
{
	char h1[65], h2[65];
	size_t i;

	if (p == NULL || gth_policy_canonical(p) == NULL)
		abort();
	check_str(gth_policy_canonical(p));
	check_strvec(gth_policy_flags(p));
	memset(h1, 'x', sizeof(h1));
	gth_policy_hash(p, h1);
	gth_policy_hash(p, h2);
	if (h1[64] != '\0' || strcmp(h1, h2) != 0)
		abort();
	for (i = 0; i < 64; i++)
		if (strchr("0123456789abcdef", h1[i]) == NULL || h1[i] == '\0')
			abort();
}

static void
fuzz_host(const char *text, size_t len)
{
	struct gth_policy *p = NULL;
	struct gth_err err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = gth_policy_load_string(text, len, "fuzz.policy", &p, &err);
	check_ret(rc, &err);
	if (rc == 0)
		check_policy(p);
	gth_policy_free(p);
}

static void
fuzz_repo(const char *text, size_t len)
{
	static struct gth_policy *base;
	static char base_hash[65];
	struct gth_policy *p = NULL;
	struct gth_err err;
	char h[65];
	int rc;

	memset(&err, 0, sizeof(err));
	if (base == NULL) {
		if (gth_policy_load_string(gth_policy_default_text,
			strlen(gth_policy_default_text), "default", &base, &err) != 0)
			abort();
		gth_policy_hash(base, base_hash);
	}
	rc = gth_policy_add_repo_rules(base, text, len, "acme/api@1a2b3c:.gatehouse/policy",
		&p, &err);
	check_ret(rc, &err);
	if (rc == 0)
		check_policy(p);
	gth_policy_free(p);
	/* The host policy is authoritative: nothing a repository says touches it. */
	gth_policy_hash(base, h);
	if (strcmp(h, base_hash) != 0)
		abort();
}

static void
fuzz_codeowners(const char *text, size_t len)
{
	static const char *paths[] = { "README.md", "src/main.c", "docs/a/b.md", ".github/CODEOWNERS",
		"a", "" };
	struct gth_codeowners *co = NULL;
	struct gth_err err;
	size_t skipped = 0, i;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = gth_codeowners_parse(text, len, &co, &skipped, &err);
	check_ret(rc, &err);
	if (rc == 0 && co == NULL)
		abort();
	for (i = 0; co != NULL && i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct gth_strvec *owners = gth_codeowners_for_path(co, paths[i]);

		if (owners != NULL) {
			check_strvec(owners);
			if (owners->n == 0)
				abort();
		}
	}
	gth_codeowners_free(co);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_host(text, size - 1);
		break;
	case 1:
		fuzz_repo(text, size - 1);
		break;
	default:
		fuzz_codeowners(text, size - 1);
		break;
	}
	return 0;
}
