# app/: main, subcommands, event loop, worker lanes; wires services to the UI.
noinst_LIBRARIES += src/app/libgthapp.a
src_app_libgthapp_a_SOURCES = \
	src/app/worker.c

check_PROGRAMS += tests/app/test_worker
tests_app_test_worker_SOURCES = tests/app/test_worker.c
tests_app_test_worker_LDADD = tests/libtap.a src/app/libgthapp.a src/base/libgthbase.a
TESTS += tests/app/test_worker
