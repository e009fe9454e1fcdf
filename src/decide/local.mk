# decide/
noinst_LIBRARIES += src/decide/libgthdecide.a
src_decide_libgthdecide_a_SOURCES =
