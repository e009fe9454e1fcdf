# Contract-test helpers (sourced by bash TAP tests).
#
#   . "$srcdir/tests/contract/lib.sh"
#   contract_require || exit 0      # prints "1..0 # SKIP reason" when Node/Prism are missing
#   contract_start                  # forge (demo scenario) + prism proxy --errors in front of it
#   ... talk to "$PRISM_URL" with token "$CONTRACT_TOKEN"; git to "$FORGE_URL" ...
#   contract_stop                   # also run from an EXIT trap that contract_start sets
#                                   # when the caller has none (else call it from yours)
#
# Exports FORGE_URL, PRISM_URL, FORGE_LOG (JSONL request log), STATE_DIR, FORGE_PID,
# PRISM_PID, CONTRACT_TOKEN (the demo reviewer's token).  The forge's --public-url is the Prism
# URL, so Link follow-ups stay inside the proxy; clone URLs point at the forge itself, since
# Prism only knows the REST description.  Set CONTRACT_KEEP=1 to keep STATE_DIR for a
# post-mortem; CONTRACT_FORGE_ARGS adds forge options (e.g. "--latency-ms 50").
# Prism takes ~6 s and ~350 MB to start.
#
# A client under test points its REST base at "$PRISM_URL" (no /api/v3: Prism routes the
# description's paths), its GraphQL URL at "$FORGE_URL/graphql" (GraphQL is not in the OpenAPI
# description; validate the documents with validate-graphql.mjs --log "$FORGE_LOG" instead) and
# its web/clone base at "$FORGE_URL".

CONTRACT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONTRACT_ROOT=$(cd "$CONTRACT_DIR/../.." && pwd)
CONTRACT_SPEC=$CONTRACT_DIR/node_modules/@octokit/openapi/generated/api.github.com.json
CONTRACT_PRISM=$CONTRACT_DIR/node_modules/.bin/prism
CONTRACT_TOKEN=ghp_demoReviewer0000000000000000000000001
export CONTRACT_TOKEN

# contract_require: 0 if Node >= 20 and the pinned packages are installed; otherwise print a TAP
# skip plan with the reason and the fix, and return 1.
contract_require() {
	local fix="(cd tests/contract && npm ci --no-audit --no-fund)"
	if ! command -v node >/dev/null 2>&1; then
		echo "1..0 # SKIP node not found; the contract suite needs Node >= 20, then $fix"
		return 1
	fi
	if ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
		echo "1..0 # SKIP node $(node --version) is too old for Prism 5.16 (needs >= 20); install Node 20+, then $fix"
		return 1
	fi
	if [ ! -x "$CONTRACT_PRISM" ] || [ ! -f "$CONTRACT_SPEC" ]; then
		echo "1..0 # SKIP contract packages not installed; run $fix"
		return 1
	fi
	return 0
}

contract_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# contract_start [SCENARIO]: build the demo repositories (cached in $CONTRACT_GIT_CACHE or
# STATE_DIR), start the forge and Prism; fails (returns 1) if either does not come up.
contract_start() {
	local scenario=${1:-$CONTRACT_ROOT/tests/fixtures/demo/scenario.json}
	local port line i
	STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gth-contract.XXXXXX")
	FORGE_LOG=$STATE_DIR/forge.jsonl
	export STATE_DIR FORGE_LOG
	# Never replace the caller's EXIT trap (it may clean up more); a caller that has one
	# calls contract_stop from it.
	if [ -z "$(trap -p EXIT)" ]; then
		trap contract_stop EXIT
	fi
	local gitroot=${CONTRACT_GIT_CACHE:-$STATE_DIR/git}
	"$CONTRACT_ROOT/tests/fixtures/demo/build-repos.sh" "$gitroot" >&2 || return 1
	port=$(contract_free_port)
	PRISM_URL=http://127.0.0.1:$port
	mkfifo "$STATE_DIR/forge.out"
	python3 "$CONTRACT_ROOT/tests/fakeforge/fakeforge.py" --scenario "$scenario" \
		--state-dir "$STATE_DIR/forge" --git-root "$gitroot" --log "$FORGE_LOG" \
		--public-url "$PRISM_URL" ${CONTRACT_FORGE_ARGS:-} \
		>"$STATE_DIR/forge.out" 2>"$STATE_DIR/forge.err" &
	FORGE_PID=$!
	read -r -t 30 line <"$STATE_DIR/forge.out" || {
		echo "# forge did not start:" >&2
		sed 's/^/# /' "$STATE_DIR/forge.err" >&2
		return 1
	}
	FORGE_URL=${line#listening }
	"$CONTRACT_PRISM" proxy "$CONTRACT_SPEC" "$FORGE_URL" --errors -h 127.0.0.1 -p "$port" \
		>"$STATE_DIR/prism.log" 2>&1 &
	PRISM_PID=$!
	export FORGE_URL PRISM_URL FORGE_PID PRISM_PID
	for i in $(seq 1 240); do
		if grep -q "Prism is listening" "$STATE_DIR/prism.log" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$PRISM_PID" 2>/dev/null; then
			break
		fi
		sleep 0.25
	done
	echo "# prism did not start:" >&2
	tail -n 20 "$STATE_DIR/prism.log" | sed 's/^/# /' >&2
	return 1
}

contract_stop() {
	local pid
	for pid in ${PRISM_PID:-} ${FORGE_PID:-}; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	PRISM_PID= FORGE_PID=
	if [ -n "${STATE_DIR:-}" ] && [ -z "${CONTRACT_KEEP:-}" ]; then
		rm -rf "$STATE_DIR"
	fi
	STATE_DIR=
	return 0
}
