# sign/: ssh-agent client, SSHSIG encode / armor / parse / verify, allowed_signers.
noinst_LIBRARIES += src/sign/libgthsign.a
src_sign_libgthsign_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
src_sign_libgthsign_a_SOURCES = \
	src/sign/agent.c \
	src/sign/allowed.c \
	src/sign/signer.c \
	src/sign/sshkey.c \
	src/sign/sshsig.c \
	src/sign/wire.c

GTH_SIGN_TEST_LIBS = src/sign/libgthsign.a src/model/libgthmodel.a src/base/libgthbase.a \
	$(CRYPTO_LIBS)

check_PROGRAMS += tests/sign/sigtool tests/sign/test_sshkey
tests_sign_sigtool_SOURCES = tests/sign/sigtool.c
tests_sign_sigtool_LDADD = $(GTH_SIGN_TEST_LIBS)
tests_sign_test_sshkey_SOURCES = tests/sign/test_sshkey.c
tests_sign_test_sshkey_LDADD = tests/libtap.a $(GTH_SIGN_TEST_LIBS)
TESTS += tests/sign/test_sshkey tests/sign/test_sshsig.sh
EXTRA_DIST += tests/sign/test_sshsig.sh tests/sign/vectors

# Fuzz targets run as regression tests over their corpora (libFuzzer build: tests/fuzz/standalone.c).
check_PROGRAMS += tests/fuzz/fuzz_sshsig tests/fuzz/fuzz_agent
tests_fuzz_fuzz_sshsig_SOURCES = tests/fuzz/fuzz_sshsig.c tests/fuzz/standalone.c
tests_fuzz_fuzz_sshsig_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_DIRS='"tests/fuzz/corpus/sshsig"'
tests_fuzz_fuzz_sshsig_LDADD = $(GTH_SIGN_TEST_LIBS)
tests_fuzz_fuzz_agent_SOURCES = tests/fuzz/fuzz_agent.c tests/fuzz/standalone.c
tests_fuzz_fuzz_agent_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_DIRS='"tests/fuzz/corpus/agent"'
tests_fuzz_fuzz_agent_LDADD = $(GTH_SIGN_TEST_LIBS)
TESTS += tests/fuzz/fuzz_sshsig tests/fuzz/fuzz_agent
EXTRA_DIST += tests/fuzz/corpus/sshsig tests/fuzz/corpus/agent
