#!/bin/sh
# Runs gatehouse under valgrind memcheck, for `make valgrind-e2e`: point
# GATEHOUSE at this script and the end-to-end tests drive the real binary
# through it.  Each process writes its own log, VALGRIND_LOG_DIR/vg.PID.log;
# an error or a definite leak makes the process exit 99.  The script's own
# path stays on valgrind's command line (a comment option), so a test that
# finds the process with `pgrep -f "$GATEHOUSE"` still finds it.
#
#	GATEHOUSE_REAL   the binary (default $top_builddir/gatehouse)
#	VALGRIND_LOG_DIR where the logs go (default ${TMPDIR:-/tmp}/gatehouse-valgrind)
real=${GATEHOUSE_REAL:-${top_builddir:-.}/gatehouse}
logs=${VALGRIND_LOG_DIR:-${TMPDIR:-/tmp}/gatehouse-valgrind}
mkdir -p "$logs"
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=30 \
	--xml-user-comment="$0" --log-file="$logs/vg.%p.log" "$real" "$@"
