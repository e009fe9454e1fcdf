# base/: errors, buffers, strings, logging, allocation, UTF-8 and the sanitizer.
noinst_LIBRARIES += src/base/libgthbase.a
src_base_libgthbase_a_SOURCES = \
	src/base/buf.c \
	src/base/err.c \
	src/base/jsonw.c \
	src/base/log.c \
	src/base/sanitize.c \
	src/base/sha.c \
	src/base/str.c \
	src/base/utf8.c \
	src/base/xalloc.c

check_PROGRAMS += tests/base/test_buf tests/base/test_str
tests_base_test_buf_SOURCES = tests/base/test_buf.c
tests_base_test_buf_LDADD = tests/libtap.a src/base/libgthbase.a
tests_base_test_str_SOURCES = tests/base/test_str.c
tests_base_test_str_LDADD = tests/libtap.a src/base/libgthbase.a
TESTS += tests/base/test_buf tests/base/test_str

# Untrusted text: sanitizer, UTF-8 decoder and widths.
check_PROGRAMS += tests/base/test_sanitize tests/base/test_utf8
tests_base_test_sanitize_SOURCES = tests/base/test_sanitize.c tests/fuzz/check_sanitized.h
tests_base_test_sanitize_LDADD = tests/libtap.a src/base/libgthbase.a
tests_base_test_utf8_SOURCES = tests/base/test_utf8.c tests/fuzz/check_sanitized.h
tests_base_test_utf8_LDADD = tests/libtap.a src/base/libgthbase.a
TESTS += tests/base/test_sanitize tests/base/test_utf8

check_PROGRAMS += tests/base/test_sha
tests_base_test_sha_SOURCES = tests/base/test_sha.c
tests_base_test_sha_LDADD = tests/libtap.a src/base/libgthbase.a
TESTS += tests/base/test_sha

# Fuzz targets run as regression tests over their corpora (libFuzzer build: tests/fuzz/standalone.c).
check_PROGRAMS += tests/fuzz/fuzz_sanitize
tests_fuzz_fuzz_sanitize_SOURCES = tests/fuzz/fuzz_sanitize.c tests/fuzz/standalone.c \
	tests/fuzz/check_sanitized.h
tests_fuzz_fuzz_sanitize_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_DIRS='"tests/fixtures/hostile:tests/fuzz/corpus/sanitize"'
tests_fuzz_fuzz_sanitize_LDADD = src/base/libgthbase.a
TESTS += tests/fuzz/fuzz_sanitize
