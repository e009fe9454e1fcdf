# sign/
noinst_LIBRARIES += src/sign/libgthsign.a
src_sign_libgthsign_a_SOURCES =
