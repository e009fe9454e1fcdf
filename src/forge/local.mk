# forge/: the forge interface, the GitHub backend, the HTTP client (the only
# libcurl user) and JSON decoding (jansson).
noinst_LIBRARIES += src/forge/libgthforge.a
src_forge_libgthforge_a_SOURCES = \
	src/forge/auth.c \
	src/forge/forge.c \
	src/forge/gitea.c \
	src/forge/gitea_json.c \
	src/forge/gitea_rest.c \
	src/forge/gitlab.c \
	src/forge/gitlab_json.c \
	src/forge/github.c \
	src/forge/github_json.c \
	src/forge/github_queue.c \
	src/forge/http.c
src_forge_libgthforge_a_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
src/forge/libgthforge_a-github_queue.$(OBJEXT): src/forge/github_queue.inc
CLEANFILES += src/forge/github_queue.inc
EXTRA_DIST += src/forge/github_queue.graphql

# The GraphQL document is kept as a .graphql file (validated against GitHub's
# schema by the tests) and compiled in as a C string literal.
src/forge/github_queue.inc: $(top_srcdir)/src/forge/github_queue.graphql
	$(AM_V_GEN)mkdir -p src/forge && sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
	    -e 's/^/"/' -e 's/$$/\\n"/' $(top_srcdir)/src/forge/github_queue.graphql > $@.tmp && \
	    mv $@.tmp $@

GTH_FORGE_TEST_LIBS = tests/libtap.a src/forge/libgthforge.a src/model/libgthmodel.a \
	src/base/libgthbase.a $(CURL_LIBS) $(JANSSON_LIBS)

check_PROGRAMS += tests/forge/test_http tests/forge/test_github tests/forge/test_auth \
	tests/forge/forgecli tests/forge/test_gitea tests/forge/test_gitlab
tests_forge_test_gitea_SOURCES = tests/forge/test_gitea.c tests/forge/test_gitea_fixture.h
tests_forge_test_gitea_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
tests_forge_test_gitea_LDADD = $(GTH_FORGE_TEST_LIBS)
tests_forge_test_gitlab_SOURCES = tests/forge/test_gitlab.c tests/forge/test_gitea_fixture.h
tests_forge_test_gitlab_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
tests_forge_test_gitlab_LDADD = $(GTH_FORGE_TEST_LIBS)
tests_forge_test_http_SOURCES = tests/forge/test_http.c
tests_forge_test_http_LDADD = $(GTH_FORGE_TEST_LIBS)
tests_forge_test_github_SOURCES = tests/forge/test_github.c
tests_forge_test_github_LDADD = $(GTH_FORGE_TEST_LIBS)
tests_forge_test_auth_SOURCES = tests/forge/test_auth.c
tests_forge_test_auth_LDADD = $(GTH_FORGE_TEST_LIBS)
tests_forge_forgecli_SOURCES = tests/forge/forgecli.c
tests_forge_forgecli_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
tests_forge_forgecli_LDADD = $(GTH_FORGE_TEST_LIBS)
TESTS += tests/forge/test_http tests/forge/test_github tests/forge/test_auth \
	tests/forge/test_gitea tests/forge/test_gitlab \
	tests/forge/test_graphql.sh tests/forge/test_github_live.sh \
	tests/forge/test_gitea_live.sh tests/forge/test_gitlab_live.sh \
	tests/forge/test_gitea_multiforge.sh
EXTRA_DIST += tests/forge/test_gitea_live.sh tests/forge/test_gitlab_live.sh \
	tests/forge/test_gitea_multiforge.sh tests/forge/test_gitea_lib.sh \
	tests/forge/test_gitea_contract.py tests/fakeforge/dialects/gitea.py \
	tests/fakeforge/dialects/gitlab.py \
	tests/fixtures/multiforge/gitea_action_tasks.json \
	tests/fixtures/multiforge/gitea_branch_protections.json \
	tests/fixtures/multiforge/gitea_combined_status.json \
	tests/fixtures/multiforge/gitea_commits.json \
	tests/fixtures/multiforge/gitea_files.json \
	tests/fixtures/multiforge/gitea_issue_search.json \
	tests/fixtures/multiforge/gitea_pull.json \
	tests/fixtures/multiforge/gitea_review_approved.json \
	tests/fixtures/multiforge/gitea_review_pending.json \
	tests/fixtures/multiforge/gitea_reviews.json \
	tests/fixtures/multiforge/gitlab_diffs.json \
	tests/fixtures/multiforge/gitlab_jobs.json \
	tests/fixtures/multiforge/gitlab_mr.json \
	tests/fixtures/multiforge/gitlab_mr_list.json \
	tests/fixtures/multiforge/gitlab_notes.json \
	tests/fixtures/multiforge/gitlab_statuses.json \
	tests/fixtures/multiforge/package-lock.json \
	tests/fixtures/multiforge/package.json
EXTRA_DIST += tests/forge/httpfaults.py tests/forge/fixtures tests/forge/token-cmd.sh \
	tests/forge/test_graphql.sh tests/forge/test_github_live.sh tests/bench/bench_queue.sh

# make bench-queue: 1,000 PRs over 50 repositories from the test forge, 50 ms per request.
bench-queue: tests/forge/forgecli
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(top_srcdir)/tests/bench/bench_queue.sh
.PHONY: bench-queue
