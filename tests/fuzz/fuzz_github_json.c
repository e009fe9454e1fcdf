/*
 * libFuzzer target for the GitHub decoders (include/gatehouse/forge/github.h)
 * and the forge error-body reader: the first input byte picks the decoder,
 * the rest is the body.  Aborts when a decoder returns something other than
 * 0 or a negative code with a message, or leaves model structs whose strings,
 * counts or gate states are broken (tests/fuzz/check_pr.h); everything
 * decoded is then freed, so ASan sees double frees and leaks.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_pr.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/github.h"
#include "gatehouse/forge/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { DEC_GRAPHQL, DEC_PULL, DEC_CHECK_RUNS, DEC_STATUS, DEC_ANNOTATIONS, DEC_REVIEWS,
	DEC_REQUESTED, DEC_BRANCH, DEC_FILES, DEC_COMMITS, DEC_ID_LOGIN, DEC_SEARCH, DEC_ERROR,
	DEC_TASK, DEC__COUNT };

static void
fuzz_graphql(const char *json, size_t len, struct gth_err *err)
{
	static const char *agent_names[] = { "devin-ai-integration[bot]", "codex" };
	struct gth_strvec agents = { (char **)agent_names, 2, 2 };
	struct gth_github_ctx ctx = { "github", "github.com", "https://github.com", &agents };
	struct gth_github_page page;
	size_t i;
	int rc;

	memset(&page, 0, sizeof(page));
	rc = gth_github_decode_graphql(json, len, &ctx, &page, err);
	check_ret(rc, err);
	if (page.n > page.cap || (page.n > 0 && page.prs == NULL))
		abort();
	for (i = 0; i < page.n; i++) {
		if (page.prs[i] == NULL)
			abort();
		check_pr(page.prs[i]);
	}
	check_str(page.end_cursor);
	if (memchr(page.rate.resource, '\0', sizeof(page.rate.resource)) == NULL)
		abort();
	gth_github_page_release(&page);
}

static void
fuzz_pr_decoder(int which, const char *json, size_t len, struct gth_err *err)
{
	struct gth_pr *pr = gth_pr_new();
	struct gth_check *c;
	bool open = false, incomplete = false;
	long total = 0;
	int rc = 0;

	/* A check to hang annotations on, as the backend does. */
	c = gth_pr_add_check(pr);
	c->name = xstrdup("ci");
	switch (which) {
	case DEC_PULL:
		rc = gth_github_decode_pull(json, len, pr, &open, err);
		break;
	case DEC_CHECK_RUNS:
		rc = gth_github_decode_check_runs(json, len, pr, &total, err);
		break;
	case DEC_STATUS:
		rc = gth_github_decode_combined_status(json, len, pr, err);
		break;
	case DEC_ANNOTATIONS:
		rc = gth_github_decode_annotations(json, len, &pr->checks[0], err);
		break;
	case DEC_REVIEWS:
		rc = gth_github_decode_reviews(json, len, &pr->reviews, &pr->n_reviews,
			&pr->cap_reviews, err);
		break;
	case DEC_REQUESTED:
		rc = gth_github_decode_requested(json, len, pr, err);
		break;
	case DEC_FILES:
		rc = gth_github_decode_files(json, len, pr, err);
		break;
	case DEC_COMMITS:
		rc = gth_github_decode_commits(json, len, pr, err);
		break;
	case DEC_SEARCH:
		rc = gth_github_decode_search(json, len, &total, &incomplete, err);
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
	struct gth_task_template *t;
	const char *json;
	char *login = NULL, *text;
	char msg[256];
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
	case DEC_GRAPHQL:
		fuzz_graphql(json, len, &err);
		break;
	case DEC_BRANCH:
		check_ret(gth_github_decode_branch_required(json, len, &required, &err), &err);
		check_strvec(&required);
		gth_strvec_clear(&required);
		break;
	case DEC_ID_LOGIN:
		check_ret(gth_github_decode_id_login(json, len, &id, &login, &err), &err);
		check_str(login);
		free(login);
		break;
	case DEC_ERROR:
		memset(msg, 'x', sizeof(msg));
		if (gth_forge_error_message(json, len, msg, sizeof(msg)) &&
		    memchr(msg, '\0', sizeof(msg)) == NULL)
			abort();
		break;
	case DEC_TASK:
		/* The PR body is text, NUL-terminated by the decoders. */
		text = xmalloc(len + 1);
		memcpy(text, json, len);
		text[len] = '\0';
		t = gth_github_task_from_body(text);
		if (t != NULL) {
			struct gth_pr *pr = gth_pr_new();

			pr->task = t;
			check_pr(pr);
			gth_pr_free(pr);
		}
		free(text);
		break;
	default:
		fuzz_pr_decoder(which, json, len, &err);
		break;
	}
	return 0;
}
