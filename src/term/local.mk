# term/: the only curses user (init/restore, keys, colours, blit, OSC 52).
noinst_LIBRARIES += src/term/libgthterm.a
src_term_libgthterm_a_SOURCES = src/term/term.c src/term/paint.c src/term/paint.h
src_term_libgthterm_a_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS)

check_PROGRAMS += tests/term/test_paint
tests_term_test_paint_SOURCES = tests/term/test_paint.c
tests_term_test_paint_LDADD = tests/libtap.a src/term/libgthterm.a src/ui/libgthui.a \
	src/base/libgthbase.a
TESTS += tests/term/test_paint
