# git/
noinst_LIBRARIES += src/git/libgthgit.a
src_git_libgthgit_a_SOURCES =
