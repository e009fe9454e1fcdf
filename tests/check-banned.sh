#!/bin/sh
# Banned functions (STYLE.md): unbounded copies, atoi, strtok and the shell.
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 99
banned="strcpy sprintf vsprintf strcat gets atoi atol strtok system popen"
echo "1..$(echo $banned | wc -w)"
i=0
fail=0
for fn in $banned; do
	i=$((i + 1))
	# Strip comments and string literals crudely, then look for a call.
	hits=$(find src include -name '*.[ch]' -print0 | xargs -0 grep -nE "(^|[^_a-zA-Z0-9.>])$fn[[:space:]]*\(" \
		| grep -vE "^[^:]+:[0-9]+:[[:space:]]*(\*|/\*|//)" || true)
	if [ -z "$hits" ]; then
		echo "ok $i - no $fn() in src/ or include/"
	else
		echo "not ok $i - $fn() is banned"
		echo "$hits" | sed 's/^/# /'
		fail=1
	fi
done
exit $fail
