#!/bin/bash
# Start or stop one `prism proxy --errors` in front of an upstream (the test forge), with GitHub's
# OpenAPI description.  For scripts that manage the forge themselves; tests use lib.sh.
#
#   prism.sh start UPSTREAM_URL PORT RUNDIR   # waits for "Prism is listening"; PID in RUNDIR/prism.pid
#   prism.sh stop RUNDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
spec=$here/node_modules/@octokit/openapi/generated/api.github.com.json
case "${1:-}" in
start)
	[ $# -eq 4 ] || { echo "usage: $0 start UPSTREAM_URL PORT RUNDIR" >&2; exit 2; }
	mkdir -p "$4"
	if [ -f "$4/prism.pid" ] && kill -0 "$(cat "$4/prism.pid")" 2>/dev/null; then
		echo "prism already running (pid $(cat "$4/prism.pid"))" >&2
		exit 0
	fi
	"$here/node_modules/.bin/prism" proxy "$spec" "$2" --errors -h 127.0.0.1 -p "$3" \
		>"$4/prism.log" 2>&1 &
	echo $! >"$4/prism.pid"
	for _ in $(seq 1 240); do
		if grep -q "Prism is listening" "$4/prism.log"; then
			echo "http://127.0.0.1:$3"
			exit 0
		fi
		kill -0 "$(cat "$4/prism.pid")" 2>/dev/null || break
		sleep 0.25
	done
	echo "prism did not start; see $4/prism.log" >&2
	exit 1
	;;
stop)
	[ $# -eq 2 ] || { echo "usage: $0 stop RUNDIR" >&2; exit 2; }
	if [ -f "$2/prism.pid" ]; then
		kill "$(cat "$2/prism.pid")" 2>/dev/null || true
		rm -f "$2/prism.pid"
	fi
	;;
*)
	echo "usage: $0 start UPSTREAM_URL PORT RUNDIR | stop RUNDIR" >&2
	exit 2
	;;
esac
