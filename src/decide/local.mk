# decide/: decision record, review body, outbox, audit log, drafts, verification.
noinst_LIBRARIES += src/decide/libgthdecide.a
src_decide_libgthdecide_a_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(CRYPTO_CFLAGS)
src_decide_libgthdecide_a_SOURCES = \
	src/decide/audit.c \
	src/decide/body.c \
	src/decide/draft.c \
	src/decide/fsutil.c \
	src/decide/outbox.c \
	src/decide/jsondump.h \
	src/decide/record.c \
	src/decide/verify.c \
	src/decide/viewed.c

GTH_DECIDE_TEST_LIBS = src/decide/libgthdecide.a src/sign/libgthsign.a \
	src/model/libgthmodel.a src/base/libgthbase.a $(JANSSON_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/decide/test_record tests/decide/test_body tests/decide/test_outbox \
	tests/decide/test_audit tests/decide/test_draft tests/decide/test_viewed \
	tests/decide/outbox_driver
tests_decide_test_record_SOURCES = tests/decide/test_record.c
tests_decide_test_record_LDADD = tests/libtap.a $(GTH_DECIDE_TEST_LIBS)
tests_decide_test_body_SOURCES = tests/decide/test_body.c tests/decide/fixture.c \
	tests/decide/fixture.h
tests_decide_test_body_LDADD = tests/libtap.a $(GTH_DECIDE_TEST_LIBS)
tests_decide_test_outbox_SOURCES = tests/decide/test_outbox.c tests/decide/fixture.c \
	tests/decide/fixture.h
tests_decide_test_outbox_LDADD = tests/libtap.a $(GTH_DECIDE_TEST_LIBS)
tests_decide_test_audit_SOURCES = tests/decide/test_audit.c
tests_decide_test_audit_LDADD = tests/libtap.a $(GTH_DECIDE_TEST_LIBS)
tests_decide_test_draft_SOURCES = tests/decide/test_draft.c
tests_decide_test_draft_LDADD = tests/libtap.a $(GTH_DECIDE_TEST_LIBS)
tests_decide_test_viewed_SOURCES = tests/decide/test_viewed.c
tests_decide_test_viewed_LDADD = tests/libtap.a $(GTH_DECIDE_TEST_LIBS)
tests_decide_outbox_driver_SOURCES = tests/decide/outbox_driver.c tests/decide/fixture.c \
	tests/decide/fixture.h
tests_decide_outbox_driver_LDADD = $(GTH_DECIDE_TEST_LIBS)
TESTS += tests/decide/test_record tests/decide/test_body tests/decide/test_outbox \
	tests/decide/test_audit tests/decide/test_draft tests/decide/test_viewed \
	tests/decide/test_killloop.sh
EXTRA_DIST += tests/decide/test_killloop.sh

# Fault injection on a decision's path to the outbox: allocation failure, full and read-only
# disk, fsync failure (faultshim.c, an LD_PRELOAD object the script compiles), a dying ssh-agent.
check_PROGRAMS += tests/decide/faults_driver
tests_decide_faults_driver_SOURCES = tests/decide/faults_driver.c tests/decide/fixture.c \
	tests/decide/fixture.h
tests_decide_faults_driver_LDADD = $(GTH_DECIDE_TEST_LIBS)
TESTS += tests/decide/test_faults.sh
EXTRA_DIST += tests/decide/test_faults.sh tests/decide/faultshim.c

# Fuzz targets run as regression tests over their corpora (libFuzzer build: tests/fuzz/standalone.c).
check_PROGRAMS += tests/fuzz/fuzz_outbox tests/fuzz/fuzz_audit
tests_fuzz_fuzz_outbox_SOURCES = tests/fuzz/fuzz_outbox.c tests/fuzz/standalone.c
tests_fuzz_fuzz_outbox_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_DIRS='"tests/fuzz/corpus/outbox"'
tests_fuzz_fuzz_outbox_LDADD = $(GTH_DECIDE_TEST_LIBS)
tests_fuzz_fuzz_audit_SOURCES = tests/fuzz/fuzz_audit.c tests/fuzz/standalone.c
tests_fuzz_fuzz_audit_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_DIRS='"tests/fuzz/corpus/audit"'
tests_fuzz_fuzz_audit_LDADD = $(GTH_DECIDE_TEST_LIBS)
TESTS += tests/fuzz/fuzz_outbox tests/fuzz/fuzz_audit
EXTRA_DIST += tests/fuzz/corpus/outbox tests/fuzz/corpus/audit
