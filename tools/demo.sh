#!/usr/bin/env bash
# Open gatehouse on the bundled demo forge: builds the demo repositories,
# starts the test forge on loopback, a private ssh-agent with a demo key, and
# a private config and state under DEMO_DIR, then runs gatehouse in this
# terminal.  Quitting gatehouse stops the forge and the agent.
# GATEHOUSE_DEMO_FORGES="github gitlab gitea" adds a GitLab and a Gitea
# test forge serving the same PRs: one merged queue over three forges.
#
#   tools/demo.sh GATEHOUSE_BINARY DEMO_DIR
set -euo pipefail
bin=$1
dir=$2
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM HUP

export XDG_CONFIG_HOME=$dir/config XDG_CACHE_HOME=$dir/cache XDG_STATE_HOME=$dir/state
mkdir -p "$XDG_CONFIG_HOME/gatehouse" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"

if [ ! -d "$dir/repos" ]; then
	echo "demo: building the demo repositories..." >&2
	"$top/tests/fixtures/demo/build-repos.sh" "$dir/repos" >/dev/null
fi

python3 "$top/tests/fakeforge/fakeforge.py" --scenario "$top/tests/fixtures/demo/scenario.json" \
	--git-root "$dir/repos" --port 0 --state-dir "$dir/forge-state" --log "$dir/forge.jsonl" \
	--shift-times-from 2025-11-20T12:30:00Z \
	>"$dir/forge.out" 2>"$dir/forge.err" &
pids+=($!)
url=""
for _ in $(seq 1 100); do
	url=$(sed -n 's/^listening \(http[^ ]*\).*/\1/p' "$dir/forge.out" 2>/dev/null)
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || { echo "demo: the demo forge did not start:" >&2; cat "$dir/forge.err" >&2; exit 1; }

# A demo signing key in a private agent: the reviewer's own agent is never used.
[ -f "$dir/demo_key" ] || ssh-keygen -q -t ed25519 -N '' -C reviewer@gatehouse-demo -f "$dir/demo_key"
eval "$(ssh-agent -s -a "$dir/agent.$$.sock")" >/dev/null
pids+=("$SSH_AGENT_PID")
ssh-add -q "$dir/demo_key" 2>/dev/null
printf 'reviewer %s\n' "$(cat "$dir/demo_key.pub")" >"$dir/allowed_signers"

"$top/tools/demo-config.sh" config "$url" "$dir/demo_key.pub" "$dir/allowed_signers" \
	GATEHOUSE_DEMO_TOKEN >"$XDG_CONFIG_HOME/gatehouse/config"
GATEHOUSE_DEMO_TOKEN=$("$top/tools/demo-config.sh" token "$top/tests/fixtures/demo/scenario.json")
export GATEHOUSE_DEMO_TOKEN

# GATEHOUSE_DEMO_FORGES="github gitlab gitea": the same demo PRs also served
# by a GitLab and a Gitea test forge, for one merged queue over three forges.
for dialect in ${GATEHOUSE_DEMO_FORGES:-github}; do
	case $dialect in
	github) continue ;;
	gitlab) api=/api/v4 name=corp-gitlab ;;
	gitea) api=/api/v1 name=forgejo ;;
	*) echo "demo: unknown forge '$dialect' in GATEHOUSE_DEMO_FORGES" >&2; exit 2 ;;
	esac
	python3 "$top/tests/fakeforge/fakeforge.py" --dialect "$dialect" \
		--scenario "$top/tests/fixtures/demo/scenario.json" --git-root "$dir/repos" --port 0 \
		--state-dir "$dir/$dialect-state" --log "$dir/$dialect.jsonl" \
		--shift-times-from 2025-11-20T12:30:00Z >"$dir/$dialect.out" 2>"$dir/$dialect.err" &
	pids+=($!)
	durl=""
	for _ in $(seq 1 100); do
		durl=$(sed -n 's/^listening \(http[^ ]*\).*/\1/p' "$dir/$dialect.out" 2>/dev/null)
		[ -n "$durl" ] && break
		sleep 0.1
	done
	[ -n "$durl" ] || { echo "demo: the $dialect forge did not start:" >&2; cat "$dir/$dialect.err" >&2; exit 1; }
	printf '[forge "%s"]\n\tkind = %s\n\turl = %s%s\n\tweb-url = %s\n\ttoken-env = GATEHOUSE_DEMO_TOKEN\n' \
		"$name" "$dialect" "$durl" "$api" "$durl" >>"$XDG_CONFIG_HOME/gatehouse/config"
	echo "demo: $dialect forge at $durl" >&2
done
echo "demo: forge at $url; state in $dir" >&2
"$bin"
