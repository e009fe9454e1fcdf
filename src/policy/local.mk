# policy/
noinst_LIBRARIES += src/policy/libgthpolicy.a
src_policy_libgthpolicy_a_SOURCES =
