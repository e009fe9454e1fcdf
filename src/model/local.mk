# model/: plain data (PRs, checks, assessments, queue); no I/O.
noinst_LIBRARIES += src/model/libgthmodel.a
src_model_libgthmodel_a_SOURCES = \
	src/model/assess.c \
	src/model/decision.c \
	src/model/diff.c \
	src/model/pr.c \
	src/model/queue.c \
	src/model/rationale.c

check_PROGRAMS += tests/model/test_pr
tests_model_test_pr_SOURCES = tests/model/test_pr.c
tests_model_test_pr_LDADD = tests/libtap.a src/model/libgthmodel.a src/base/libgthbase.a
TESTS += tests/model/test_pr

check_PROGRAMS += tests/model/test_diff
tests_model_test_diff_SOURCES = tests/model/test_diff.c
tests_model_test_diff_LDADD = tests/libtap.a src/model/libgthmodel.a src/base/libgthbase.a
TESTS += tests/model/test_diff

check_PROGRAMS += tests/model/test_rationale
tests_model_test_rationale_SOURCES = tests/model/test_rationale.c tests/fuzz/check_sanitized.h
tests_model_test_rationale_LDADD = tests/libtap.a src/model/libgthmodel.a src/base/libgthbase.a
TESTS += tests/model/test_rationale

check_PROGRAMS += tests/fuzz/fuzz_rationale
tests_fuzz_fuzz_rationale_SOURCES = tests/fuzz/fuzz_rationale.c tests/fuzz/standalone.c \
	tests/fuzz/check_sanitized.h
tests_fuzz_fuzz_rationale_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_DIRS='"tests/fixtures/hostile:tests/fuzz/corpus/rationale"'
tests_fuzz_fuzz_rationale_LDADD = src/model/libgthmodel.a src/base/libgthbase.a
TESTS += tests/fuzz/fuzz_rationale
