#!/bin/sh
# The GraphQL documents gatehouse sends validate against GitHub's published
# schema (@octokit/graphql-schema), and the compiled-in copy is the file.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
doc=$top/src/forge/github_queue.graphql
val=$top/tests/contract/validate-graphql.mjs
if ! command -v node >/dev/null 2>&1 || [ ! -d "$top/tests/contract/node_modules/@octokit/graphql-schema" ]; then
	echo "1..0 # SKIP node or @octokit/graphql-schema missing (cd tests/contract && npm ci)"
	exit 0
fi
echo "1..3"
if out=$(cd "$top/tests/contract" && node "$val" "$doc" 2>&1); then
	echo "ok 1 - github_queue.graphql validates against GitHub's schema"
else
	echo "not ok 1 - github_queue.graphql validates against GitHub's schema"
	echo "$out" | sed 's/^/# /'
fi
# a negative control: the validator must reject a field GitHub does not have
bad=$(mktemp)
sed 's/headRefOid/headSha/' "$doc" > "$bad"
if (cd "$top/tests/contract" && node "$val" "$bad") >/dev/null 2>&1; then
	echo "not ok 2 - a document asking for PullRequest.headSha is rejected"
else
	echo "ok 2 - a document asking for PullRequest.headSha is rejected"
fi
rm -f "$bad"
inc=${top_builddir:-.}/src/forge/github_queue.inc
if [ -f "$inc" ] && [ "$(wc -l < "$inc")" -eq "$(wc -l < "$doc")" ] && [ "$inc" -nt "$doc" ]; then
	echo "ok 3 - the compiled-in document has the file's lines"
else
	echo "not ok 3 - the compiled-in document has the file's lines"
fi
