/*
 * libFuzzer target for the GitLab decoders (include/gatehouse/forge/gitlab.h):
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
#include "gatehouse/forge/gitlab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { DEC_MR_LIST, DEC_MR, DEC_JOBS, DEC_STATUSES, DEC_NOTES, DEC_DIFFS, DEC_COMMITS,
	DEC_USERNAME, DEC_USER_ID, DEC_ID, DEC__COUNT };

static void
fuzz_mr_list(const char *json, size_t len, struct gth_err *err)
{
	struct gth_strvec paths = GTH_STRVEC_INIT;
	long *iids = NULL;
	size_t n = 0, cap = 0;

	check_ret(gth_gitlab_decode_mr_list(json, len, &paths, &iids, &n, &cap, err), err);
	check_strvec(&paths);
	/* One iid per project path, in step. */
	if (n != paths.n || n > cap || (n > 0 && iids == NULL))
		abort();
	gth_strvec_clear(&paths);
	free(iids);
}

static void
fuzz_mr(const char *json, size_t len, struct gth_err *err)
{
	static const char *agent_names[] = { "duo-bot", "codex" };
	struct gth_strvec agents = { (char **)agent_names, 2, 2 };
	struct gth_gitlab_ctx ctx = { "gitlab", "gitlab.example.org",
		"https://gitlab.example.org", &agents };
	struct gth_gitlab_mr_extra x;
	struct gth_pr *pr = NULL;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = gth_gitlab_decode_mr(json, len, &ctx, &pr, &x, err);
	check_ret(rc, err);
	if (rc == 0 && pr == NULL)
		abort();
	if (pr != NULL) {
		check_pr(pr);
		gth_pr_free(pr);
	}
	check_str(x.start_sha);
	if (x.n_reviewers > 0 && x.reviewer_ids == NULL)
		abort();
	gth_gitlab_mr_extra_release(&x);
}

static void
fuzz_pr_decoder(int which, const char *json, size_t len, struct gth_err *err)
{
	struct gth_pr *pr = gth_pr_new();
	int rc = 0;

	pr->head_sha = xstrdup("0e5cc79430e65b57b871cc41f7a36fba182df876");
	switch (which) {
	case DEC_JOBS:
		rc = gth_gitlab_decode_jobs(json, len, pr, err);
		break;
	case DEC_STATUSES:
		/* Twice: the second pass meets the ids of the first as present. */
		rc = gth_gitlab_decode_jobs(json, len, pr, err);
		check_ret(rc, err);
		rc = gth_gitlab_decode_statuses(json, len, pr, err);
		break;
	case DEC_NOTES:
		rc = gth_gitlab_decode_notes(json, len, &pr->reviews, &pr->n_reviews,
			&pr->cap_reviews, err);
		break;
	case DEC_DIFFS:
		rc = gth_gitlab_decode_diffs(json, len, pr, err);
		break;
	case DEC_COMMITS:
		rc = gth_gitlab_decode_commits(json, len, pr, err);
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
	case DEC_MR_LIST:
		fuzz_mr_list(json, len, &err);
		break;
	case DEC_MR:
		fuzz_mr(json, len, &err);
		break;
	case DEC_USERNAME:
		check_ret(gth_gitlab_decode_username(json, len, &login, &err), &err);
		check_str(login);
		free(login);
		break;
	case DEC_USER_ID:
		check_ret(gth_gitlab_decode_user_id(json, len, &id, &err), &err);
		break;
	case DEC_ID:
		check_ret(gth_gitlab_decode_id(json, len, &id, &err), &err);
		break;
	default:
		fuzz_pr_decoder(which, json, len, &err);
		break;
	}
	return 0;
}
