# term/
noinst_LIBRARIES += src/term/libgthterm.a
src_term_libgthterm_a_SOURCES =
