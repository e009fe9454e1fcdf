# forge/
noinst_LIBRARIES += src/forge/libgthforge.a
src_forge_libgthforge_a_SOURCES =
