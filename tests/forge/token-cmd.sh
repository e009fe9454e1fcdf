#!/bin/sh
# A token command for tests/forge/test_auth.c: records its argv (one per
# line) in $TOKEN_CMD_ARGV, then prints the token on stdout and a note on
# stderr.  No shell ever sees the configured command line.
if [ -n "$TOKEN_CMD_ARGV" ]; then
	for a in "$@"; do printf '%s\n' "$a"; done > "$TOKEN_CMD_ARGV"
fi
echo "token command ran" >&2
case $1 in
fail) exit 3 ;;
empty) exit 0 ;;
esac
printf 'ghp_fromCommand0123456789\n'
