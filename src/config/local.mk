# config/
noinst_LIBRARIES += src/config/libgthconfig.a
src_config_libgthconfig_a_SOURCES =
