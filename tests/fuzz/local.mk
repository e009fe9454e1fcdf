# make fuzz: every libFuzzer target in tests/fuzz/ for FUZZ_SECONDS each
# (default 30), built with clang -fsanitize=fuzzer,address,undefined apart
# from the regular build.  A crashing input is kept in the target's corpus,
# which `make check` replays.  Run by hand; not part of `make check` or CI.
FUZZ_SECONDS = 30
EXTRA_DIST += tests/fuzz/run-fuzz.sh

fuzz: config.h src/forge/github_queue.inc src/policy/default_policy.c
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_CPPFLAGS='$(LIBGIT2_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(CRYPTO_CFLAGS)' \
	    FUZZ_LIBS='$(LIBGIT2_LIBS) $(CURL_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS)' \
	    bash $(top_srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_TARGETS)

# The instrumented build, the fuzzers' working corpora and the memcheck logs.
clean-local: clean-fuzz-bench
clean-fuzz-bench:
	rm -rf tests/fuzz/work tests/bench/valgrind-logs
.PHONY: clean-fuzz-bench

# The forge decoders' fuzz targets, run as regression tests over their
# corpora like the layers' own (libFuzzer build: tests/fuzz/standalone.c).
check_PROGRAMS += tests/fuzz/fuzz_github_json
tests_fuzz_fuzz_github_json_SOURCES = tests/fuzz/fuzz_github_json.c tests/fuzz/standalone.c \
	tests/fuzz/check_pr.h
tests_fuzz_fuzz_github_json_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) \
	-DFUZZ_DIRS='"tests/fuzz/corpus/github_json"'
tests_fuzz_fuzz_github_json_LDADD = $(GTH_FORGE_TEST_LIBS)
TESTS += tests/fuzz/fuzz_github_json
EXTRA_DIST += tests/fuzz/corpus/github_json
check_PROGRAMS += tests/fuzz/fuzz_gitea_json tests/fuzz/fuzz_gitlab_json
tests_fuzz_fuzz_gitea_json_SOURCES = tests/fuzz/fuzz_gitea_json.c tests/fuzz/standalone.c \
	tests/fuzz/check_pr.h
tests_fuzz_fuzz_gitea_json_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) \
	-DFUZZ_DIRS='"tests/fuzz/corpus/gitea_json"'
tests_fuzz_fuzz_gitea_json_LDADD = $(GTH_FORGE_TEST_LIBS)
tests_fuzz_fuzz_gitlab_json_SOURCES = tests/fuzz/fuzz_gitlab_json.c tests/fuzz/standalone.c \
	tests/fuzz/check_pr.h
tests_fuzz_fuzz_gitlab_json_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) \
	-DFUZZ_DIRS='"tests/fuzz/corpus/gitlab_json"'
tests_fuzz_fuzz_gitlab_json_LDADD = $(GTH_FORGE_TEST_LIBS)
TESTS += tests/fuzz/fuzz_gitea_json tests/fuzz/fuzz_gitlab_json
EXTRA_DIST += tests/fuzz/corpus/gitea_json tests/fuzz/corpus/gitlab_json
check_PROGRAMS += tests/fuzz/fuzz_policy
tests_fuzz_fuzz_policy_SOURCES = tests/fuzz/fuzz_policy.c tests/fuzz/standalone.c \
	tests/fuzz/check_pr.h
tests_fuzz_fuzz_policy_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_DIRS='"tests/fuzz/corpus/policy"'
tests_fuzz_fuzz_policy_LDADD = $(POLICY_TEST_LIBS)
TESTS += tests/fuzz/fuzz_policy
EXTRA_DIST += tests/fuzz/corpus/policy
check_PROGRAMS += tests/fuzz/fuzz_patch
tests_fuzz_fuzz_patch_SOURCES = tests/fuzz/fuzz_patch.c tests/fuzz/standalone.c \
	tests/fuzz/check_diff.h
tests_fuzz_fuzz_patch_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_DIRS='"tests/fuzz/corpus/patch"'
tests_fuzz_fuzz_patch_LDADD = src/model/libgthmodel.a src/base/libgthbase.a
TESTS += tests/fuzz/fuzz_patch
EXTRA_DIST += tests/fuzz/corpus/patch
# The diff model built from git over arbitrary trees: each corpus input is
# a program that builds two trees in a scratch mirror under $TMPDIR.
check_PROGRAMS += tests/fuzz/fuzz_difftree
tests_fuzz_fuzz_difftree_SOURCES = tests/fuzz/fuzz_difftree.c tests/fuzz/standalone.c \
	tests/fuzz/check_diff.h tests/fuzz/check_sanitized.h
tests_fuzz_fuzz_difftree_CPPFLAGS = $(AM_CPPFLAGS) $(LIBGIT2_CFLAGS) \
	-DFUZZ_DIRS='"tests/fuzz/corpus/difftree"'
tests_fuzz_fuzz_difftree_LDADD = src/git/libgthgit.a src/model/libgthmodel.a \
	src/base/libgthbase.a $(LIBGIT2_LIBS)
TESTS += tests/fuzz/fuzz_difftree
EXTRA_DIST += tests/fuzz/corpus/difftree
