#!/bin/bash
# The test forge's answers match GitHub's OpenAPI description: one request per REST route it
# implements goes through `prism proxy --errors`; negative controls show Prism is strict.
# The GraphQL schema subset it serves is still a literal cut of @octokit/graphql-schema, and the
# documents recorded in the forge's log validate against that schema.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
contract_require || exit 0
if ! contract_start; then
	echo "1..1"
	echo "not ok 1 - forge and prism start"
	exit 1
fi
python3 "$here/replay.py" "$PRISM_URL" "$FORGE_URL" "$CONTRACT_TOKEN" | sed '/^1\.\./d' >"$STATE_DIR/tap"
status=${PIPESTATUS[0]}
n=$(grep -c '^\(not \)\?ok ' "$STATE_DIR/tap")
cat "$STATE_DIR/tap"
n=$((n + 1))
if python3 "$CONTRACT_ROOT/tests/fakeforge/mkschema.py" --check \
	"$here/node_modules/@octokit/graphql-schema/schema.graphql" \
	"$CONTRACT_ROOT/tests/fakeforge/github-subset.graphql"; then
	echo "ok $n - github-subset.graphql is a verbatim cut of @octokit/graphql-schema"
else
	echo "not ok $n - github-subset.graphql is a verbatim cut of @octokit/graphql-schema"
	status=1
fi
n=$((n + 1))
if out=$(node "$here/validate-graphql.mjs" "$CONTRACT_ROOT"/tests/fakeforge/queries/*.graphql 2>&1); then
	echo "ok $n - the forge's own sample queries validate against GitHub's schema"
else
	echo "not ok $n - the forge's own sample queries validate against GitHub's schema"
	echo "$out" | sed 's/^/# /'
	status=1
fi
n=$((n + 1))
if out=$(node "$here/validate-graphql.mjs" --log "$FORGE_LOG" 2>&1); then
	echo "ok $n - every GraphQL document the forge received validates against GitHub's schema"
else
	echo "not ok $n - every GraphQL document the forge received validates against GitHub's schema"
	echo "$out" | sed 's/^/# /'
	status=1
fi
echo "1..$n"
exit $status
