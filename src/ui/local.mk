# ui/
noinst_LIBRARIES += src/ui/libgthui.a
src_ui_libgthui_a_SOURCES =
