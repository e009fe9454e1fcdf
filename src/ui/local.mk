# ui/: the views (queue, PR, decision prompt, help), screen buffer, keymap and
# themes.  Pure: no curses, no network, no disk except through config/.
noinst_LIBRARIES += src/ui/libgthui.a
src_ui_libgthui_a_SOURCES = \
	src/ui/internal.h \
	src/ui/keymap.c \
	src/ui/keypick.c \
	src/ui/prompt.c \
	src/ui/prview.c \
	src/ui/queue.c \
	src/ui/screen.c \
	src/ui/theme.c \
	src/ui/ui.c
nodist_src_ui_libgthui_a_SOURCES = src/ui/default_theme.c
CLEANFILES += src/ui/default_theme.c

# The default theme is compiled in byte for byte, so built-in and file never differ.
src/ui/default_theme.c: $(top_srcdir)/themes/default.theme
	$(AM_V_GEN)$(MKDIR_P) src/ui && { \
	  echo '/* Generated from themes/default.theme by src/ui/local.mk. */'; \
	  echo '#include "config.h"'; \
	  echo '#include "gatehouse/ui/theme.h"'; \
	  echo 'const char gth_theme_default_text[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/	"/' -e 's/$$/\\n"/' \
	    $(top_srcdir)/themes/default.theme; \
	  echo '	"";'; \
	} > $@-t && mv $@-t $@

dist_themes_DATA += themes/default.theme
dist_themes_DATA += themes/light.theme
dist_themes_DATA += themes/high-contrast.theme
dist_themes_DATA += themes/mono.theme

GTH_UI_TEST_LIBS = tests/libtap.a src/ui/libgthui.a src/policy/libgthpolicy.a src/config/libgthconfig.a \
	src/model/libgthmodel.a src/base/libgthbase.a $(LIBGIT2_LIBS)

check_PROGRAMS += tests/ui/test_screen tests/ui/test_keymap tests/ui/test_views
tests_ui_test_screen_SOURCES = tests/ui/test_screen.c
tests_ui_test_screen_LDADD = $(GTH_UI_TEST_LIBS)
tests_ui_test_keymap_SOURCES = tests/ui/test_keymap.c
tests_ui_test_keymap_LDADD = $(GTH_UI_TEST_LIBS)
tests_ui_test_views_SOURCES = tests/ui/test_views.c
tests_ui_test_views_LDADD = $(GTH_UI_TEST_LIBS)
TESTS += tests/ui/test_screen tests/ui/test_keymap tests/ui/test_views
EXTRA_DIST += tests/ui/golden
