# term/: the only curses user (init/restore, keys, colours, blit, OSC 52).
noinst_LIBRARIES += src/term/libgthterm.a
src_term_libgthterm_a_SOURCES = src/term/term.c
src_term_libgthterm_a_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS)
