# git/: mirror cache, fetch, diff model builder (the only libgit2 user).
noinst_LIBRARIES += src/git/libgthgit.a
src_git_libgthgit_a_SOURCES = \
	src/git/diff.c \
	src/git/mirror.c \
	src/git/pack.c \
	src/git/priv.h
src_git_libgthgit_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBGIT2_CFLAGS)

GTH_GIT_TEST_LIBS = tests/libtap.a src/git/libgthgit.a src/model/libgthmodel.a \
	src/base/libgthbase.a $(LIBGIT2_LIBS)

check_PROGRAMS += tests/git/test_diff tests/git/test_fetch tests/git/test_pack
tests_git_test_diff_SOURCES = tests/git/test_diff.c tests/git/fixture.c tests/git/fixture.h
tests_git_test_diff_LDADD = $(GTH_GIT_TEST_LIBS)
tests_git_test_fetch_SOURCES = tests/git/test_fetch.c tests/git/fixture.c tests/git/fixture.h
tests_git_test_fetch_LDADD = $(GTH_GIT_TEST_LIBS)
tests_git_test_pack_SOURCES = tests/git/test_pack.c tests/git/fixture.c tests/git/fixture.h
tests_git_test_pack_LDADD = $(GTH_GIT_TEST_LIBS)
TESTS += tests/git/test_diff tests/git/test_fetch tests/git/test_pack
EXTRA_DIST += tests/git/mkfixtures.sh tests/git/mkpacked.sh tests/git/githttp.py

# `make bench-diff`: a generated PR of 2,000 files against `git diff` (not a test).
# Built with the tests so it keeps compiling; run only by `make bench-diff`.
check_PROGRAMS += tests/bench/bench_diff
tests_bench_bench_diff_SOURCES = tests/bench/bench_diff.c
tests_bench_bench_diff_LDADD = src/git/libgthgit.a src/model/libgthmodel.a \
	src/base/libgthbase.a $(LIBGIT2_LIBS)
EXTRA_DIST += tests/bench/bench_diff.sh

bench-diff: tests/bench/bench_diff
	$(SHELL) $(top_srcdir)/tests/bench/bench_diff.sh $(abs_top_builddir)/tests/bench/bench_diff
.PHONY: bench-diff
