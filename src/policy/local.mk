# policy/: risk classes, rules, gates, SLA, escalation routes; pure functions over model/.
noinst_LIBRARIES += src/policy/libgthpolicy.a
src_policy_libgthpolicy_a_SOURCES = \
	src/policy/assess.c \
	src/policy/codeowners.c \
	src/policy/internal.h \
	src/policy/load.c
nodist_src_policy_libgthpolicy_a_SOURCES = src/policy/default_policy.c
EXTRA_DIST += policy/default.policy doc/policy.md
CLEANFILES += src/policy/default_policy.c

# The shipped default policy is compiled in, byte for byte, as tig does with its tigrc.
src/policy/default_policy.c: $(top_srcdir)/policy/default.policy
	$(AM_V_GEN)$(MKDIR_P) src/policy && { \
	  echo '/* Generated from policy/default.policy by src/policy/local.mk. */'; \
	  echo '#include "config.h"'; \
	  echo '#include "gatehouse/policy/policy.h"'; \
	  echo 'const char gth_policy_default_text[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/	"/' -e 's/$$/\\n"/' \
	    $(top_srcdir)/policy/default.policy; \
	  echo '	"";'; \
	} > $@-t && mv $@-t $@

POLICY_TEST_LIBS = tests/libtap.a src/policy/libgthpolicy.a src/config/libgthconfig.a \
	src/model/libgthmodel.a src/base/libgthbase.a $(LIBGIT2_LIBS)

check_PROGRAMS += tests/policy/test_policy tests/policy/test_assess tests/policy/test_codeowners
tests_policy_test_policy_SOURCES = tests/policy/test_policy.c
tests_policy_test_policy_LDADD = $(POLICY_TEST_LIBS)
tests_policy_test_assess_SOURCES = tests/policy/test_assess.c
tests_policy_test_assess_LDADD = $(POLICY_TEST_LIBS)
tests_policy_test_codeowners_SOURCES = tests/policy/test_codeowners.c
tests_policy_test_codeowners_LDADD = $(POLICY_TEST_LIBS)
TESTS += tests/policy/test_policy tests/policy/test_assess tests/policy/test_codeowners
