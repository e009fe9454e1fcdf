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
