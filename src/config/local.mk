# config/: git-config syntax reader (libgit2) and the main configuration.
noinst_LIBRARIES += src/config/libgthconfig.a
src_config_libgthconfig_a_SOURCES = \
	src/config/cfg.c \
	src/config/config.c \
	src/config/match.c
src_config_libgthconfig_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBGIT2_CFLAGS)

check_PROGRAMS += tests/config/test_cfg
tests_config_test_cfg_SOURCES = tests/config/test_cfg.c
tests_config_test_cfg_LDADD = tests/libtap.a src/config/libgthconfig.a src/base/libgthbase.a \
	$(LIBGIT2_LIBS)
TESTS += tests/config/test_cfg

check_PROGRAMS += tests/config/test_match
tests_config_test_match_SOURCES = tests/config/test_match.c
tests_config_test_match_LDADD = tests/libtap.a src/config/libgthconfig.a src/base/libgthbase.a \
	$(LIBGIT2_LIBS)
TESTS += tests/config/test_match

check_PROGRAMS += tests/config/test_config
tests_config_test_config_SOURCES = tests/config/test_config.c
tests_config_test_config_LDADD = tests/libtap.a src/config/libgthconfig.a src/model/libgthmodel.a \
	src/base/libgthbase.a $(LIBGIT2_LIBS)
TESTS += tests/config/test_config
EXTRA_DIST += doc/config.md
