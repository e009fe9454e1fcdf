# app/: main, subcommands, event loop, worker lanes; wires services to the UI.
noinst_LIBRARIES += src/app/libgthapp.a
src_app_libgthapp_a_SOURCES = \
	src/app/app.c \
	src/app/app_internal.h \
	src/app/cli_decide.c \
	src/app/cli_doctor.c \
	src/app/cli_queue.c \
	src/app/console.c \
	src/app/services.c \
	src/app/sink.c \
	src/app/worker.c

check_PROGRAMS += tests/app/test_worker
tests_app_test_worker_SOURCES = tests/app/test_worker.c
tests_app_test_worker_LDADD = tests/libtap.a src/app/libgthapp.a src/base/libgthbase.a
TESTS += tests/app/test_worker

EXTRA_DIST += tools/demo.sh tools/demo-config.sh tests/e2e/lib.sh
TESTS += tests/app/test_cli.sh tests/app/test_delivery_faults.sh
EXTRA_DIST += tests/app/test_cli.sh tests/app/test_delivery_faults.sh

# End to end: the real binary in tmux on the demo forge.
TESTS += tests/e2e/test_console.sh tests/e2e/test_console_session.sh
EXTRA_DIST += tests/e2e/test_console.sh tests/e2e/test_console_session.sh
