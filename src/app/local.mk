# app/
noinst_LIBRARIES += src/app/libgthapp.a
src_app_libgthapp_a_SOURCES =
