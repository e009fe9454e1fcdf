/*
 * libFuzzer target for the Gitea decoders (include/gatehouse/forge/gitea.h):
 * the first input byte picks the decoder, the rest is the body.  Aborts when
 * a decoder returns something other than 0 or a negative code with a
 * message, or leaves model structs whose strings, counts or gate states are
 * broken (tests/fuzz/check_pr.h); everything decoded is then freed.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_pr.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/gitea.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { DEC_PULL, DEC_ISSUE_SEARCH, DEC_STATUS, DEC_ACTION_TASKS, DEC_REVIEWS, DEC_PROTECTIONS,
	DEC_FILES, DEC_COMMITS, DEC_CREATED_REVIEW, DEC_LOGIN, DEC__COUNT };

static void
fuzz_pull(const char *json, size_t len, struct gth_err *err)
{
	static const char *agent_names[] = { "renovate", "codex" };
	struct gth_strvec agents = { (char **)agent_names, 2, 2 };
	struct gth_gitea_ctx ctx = { "gitea", "gitea.example.org", "https://gitea.example.org",
		&agents };
	struct gth_pr *pr = NULL;
	bool open = false;
	int rc;

	rc = gth_gitea_decode_pull(json, len, &ctx, &pr, &open, err);
	check_ret(rc, err);
	if (rc == 0 && pr == NULL)
		abort();
	if (pr != NULL) {
		check_pr(pr);
		gth_pr_free(pr);
	}
}

static void
fuzz_issue_search(const char *json, size_t len, struct gth_err *err)
{
	struct gth_strvec repos = GTH_STRVEC_INIT;
	long *numbers = NULL;
	size_t n = 0, cap = 0;

	check_ret(gth_gitea_decode_issue_search(json, len, &repos, &numbers, &n, &cap, err), err);
	check_strvec(&repos);
	/* One number per repository, in step. */
	if (n != repos.n || n > cap || (n > 0 && numbers == NULL))
		abort();
	gth_strvec_clear(&repos);
	free(numbers);
}

static void
fuzz_pr_decoder(int which, const char *json, size_t len, struct gth_err *err)
{
	struct gth_pr *pr = gth_pr_new();
	int rc = 0;

	/* The head the Actions runs of the seed corpus were made on. */
	pr->head_sha = xstrdup("0e5cc79430e65b57b871cc41f7a36fba182df876");
	switch (which) {
	case DEC_STATUS:
		rc = gth_gitea_decode_combined_status(json, len, pr, err);
		break;
	case DEC_ACTION_TASKS:
		rc = gth_gitea_decode_action_tasks(json, len, pr, err);
		break;
	case DEC_REVIEWS:
		rc = gth_gitea_decode_reviews(json, len, &pr->reviews, &pr->n_reviews,
			&pr->cap_reviews, err);
		break;
	case DEC_FILES:
		rc = gth_gitea_decode_files(json, len, pr, err);
		break;
	case DEC_COMMITS:
		rc = gth_gitea_decode_commits(json, len, pr, err);
		break;
	default:
		abort();
	}
	check_ret(rc, err);
	check_pr(pr);
	gth_pr_free(pr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gth_err err;
	struct gth_strvec required = GTH_STRVEC_INIT;
	const char *json;
	char *login = NULL;
	long long id = 0;
	size_t len;
	int which;

	if (size < 1)
		return 0;
	which = data[0] % DEC__COUNT;
	json = (const char *)data + 1;
	len = size - 1;
	memset(&err, 0, sizeof(err));
	switch (which) {
	case DEC_PULL:
		fuzz_pull(json, len, &err);
		break;
	case DEC_ISSUE_SEARCH:
		fuzz_issue_search(json, len, &err);
		break;
	case DEC_PROTECTIONS:
		check_ret(gth_gitea_decode_protections(json, len, "main", &required, &err), &err);
		check_strvec(&required);
		gth_strvec_clear(&required);
		break;
	case DEC_CREATED_REVIEW:
		check_ret(gth_gitea_decode_created_review(json, len, &id, &err), &err);
		break;
	case DEC_LOGIN:
		check_ret(gth_gitea_decode_login(json, len, &login, &err), &err);
		check_str(login);
		free(login);
		break;
	default:
		fuzz_pr_decoder(which, json, len, &err);
		break;
	}
	return 0;
}
