# Shared set-up for the end-to-end tests: a test forge on loopback serving a
# scenario, a private ssh-agent with a fresh key, a private config and state,
# and the real gatehouse binary driven through tmux.  Source it from a test:
#
#	. "$top_srcdir/tests/e2e/lib.sh"
#	e2e_init demo            # scenario name under tests/fixtures/<name>/
#	tui_start 80 24
#	tui_keys j j Enter ; tui_wait "Risk" ; tui_screen | grep ...
#	e2e_ok "$cond" "what the reviewer sees"
#
# Everything started here is stopped by the EXIT trap.  Nothing touches the
# user's own agent, config or state.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/_build}
GATEHOUSE=${GATEHOUSE:-$top_builddir/gatehouse}
PYTHON3=${PYTHON3:-python3}

e2e_n=0
e2e_failed=0
e2e_pids=""
e2e_tmux_socket=""

e2e_ok() {	# e2e_ok STATUS DESCRIPTION (STATUS 0 = pass, as a shell status)
	e2e_n=$((e2e_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $e2e_n - $2"
	else
		echo "not ok $e2e_n - $2"
		e2e_failed=$((e2e_failed + 1))
	fi
}

e2e_check() {	# e2e_check DESCRIPTION COMMAND...
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then e2e_ok 0 "$desc"; else e2e_ok 1 "$desc"; fi
}

e2e_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

e2e_diag() {
	sed 's/^/# /'
}

e2e_cleanup() {
	local p
	if [ -n "$e2e_tmux_socket" ]; then
		tmux -S "$e2e_tmux_socket" kill-server >/dev/null 2>&1 || true
	fi
	for p in $e2e_pids; do
		kill "$p" >/dev/null 2>&1 || true
	done
	wait >/dev/null 2>&1 || true
	if [ -n "${E2E_TMP:-}" ] && [ -z "${TAP_KEEP:-}" ]; then
		rm -rf "$E2E_TMP"
	fi
}

e2e_finish() {
	echo "1..$e2e_n"
	[ "$e2e_failed" -eq 0 ]
	exit $?
}

# Start the test forge on scenario NAME and prepare config, key and agent.
e2e_init() {
	local scenario=${1:-demo}
	e2e_env
	local fixtures=$top_srcdir/tests/fixtures/$scenario
	export E2E_REPOS=$E2E_TMP/repos
	"$fixtures/build-repos.sh" "$E2E_REPOS" >/dev/null 2>&1 ||
		{ echo "Bail out! could not build the $scenario repositories"; exit 1; }
	e2e_forge "$fixtures/scenario.json" "$E2E_REPOS" --shift-times-from 2025-11-20T12:30:00Z
	export GATEHOUSE_TEST_TOKEN=${E2E_TOKEN:-$("$top_srcdir/tools/demo-config.sh" token "$fixtures/scenario.json")}
	e2e_agent
	e2e_write_config
}

# The skips, a private temporary directory, HOME, XDG directories and trace.
e2e_env() {
	[ -n "${GTH_QUICK:-}" ] && e2e_skip_all "GTH_QUICK is set (sanitizer and distcheck runs skip end-to-end tests)"
	command -v tmux >/dev/null 2>&1 || e2e_skip_all "tmux is not installed (./bootstrap installs it)"
	command -v ssh-agent >/dev/null 2>&1 || e2e_skip_all "ssh-agent is not installed"
	[ -x "$GATEHOUSE" ] || e2e_skip_all "no gatehouse binary at $GATEHOUSE"

	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gth-e2e-XXXXXX")
	trap e2e_cleanup EXIT
	export HOME=$E2E_TMP/home
	export XDG_CONFIG_HOME=$E2E_TMP/config XDG_CACHE_HOME=$E2E_TMP/cache XDG_STATE_HOME=$E2E_TMP/state
	mkdir -p "$HOME" "$XDG_CONFIG_HOME/gatehouse" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
	export GIT_CONFIG_NOSYSTEM=1
	export GATEHOUSE_TRACE=$E2E_TMP/trace.log
	unset GH_TOKEN GITHUB_TOKEN
}

# e2e_forge SCENARIO GITROOT [fakeforge args...]: start the test forge; sets FORGE_URL, FORGE_LOG.
e2e_forge() {
	local scenario=$1 gitroot=$2 i
	shift 2
	export FORGE_LOG=$E2E_TMP/forge.jsonl
	"$PYTHON3" "$top_srcdir/tests/fakeforge/fakeforge.py" --scenario "$scenario" \
		--git-root "$gitroot" --port 0 --state-dir "$E2E_TMP/forge-state" --log "$FORGE_LOG" "$@" \
		>"$E2E_TMP/forge.out" 2>"$E2E_TMP/forge.err" &
	e2e_pids="$e2e_pids $!"
	# A loaded CI machine may take a while to start Python and index the repos.
	for i in $(seq 1 "${E2E_FORGE_WAIT:-600}"); do
		FORGE_URL=$(sed -n 's/^listening \(http[^ ]*\).*/\1/p' "$E2E_TMP/forge.out" 2>/dev/null)
		[ -n "$FORGE_URL" ] && break
		sleep 0.1
	done
	[ -n "$FORGE_URL" ] || { e2e_diag <"$E2E_TMP/forge.err"; echo "Bail out! the test forge did not start in $((${E2E_FORGE_WAIT:-600} / 10)) s"; exit 1; }
	export FORGE_URL
}

# A private agent with a fresh key; allowed_signers names the reviewer.
e2e_agent() {
	ssh-keygen -q -t ed25519 -N '' -C reviewer@gatehouse-e2e -f "$E2E_TMP/id_ed25519"
	eval "$(ssh-agent -s -a "$E2E_TMP/agent.sock")" >/dev/null
	e2e_pids="$e2e_pids $SSH_AGENT_PID"
	ssh-add -q "$E2E_TMP/id_ed25519" 2>/dev/null
	printf 'reviewer %s\n' "$(cat "$E2E_TMP/id_ed25519.pub")" >"$E2E_TMP/allowed_signers"
}

e2e_write_config() {
	"$top_srcdir/tools/demo-config.sh" config "$FORGE_URL" "$E2E_TMP/id_ed25519.pub" \
		"$E2E_TMP/allowed_signers" GATEHOUSE_TEST_TOKEN >"$XDG_CONFIG_HOME/gatehouse/config"
}

# tmux: the real binary in a real pseudo-terminal.
tui_start() {	# tui_start COLS ROWS [extra gatehouse args...]
	local cols=$1 rows=$2
	shift 2
	e2e_tmux_socket=$E2E_TMP/tmux.sock
	tmux -S "$e2e_tmux_socket" -f /dev/null new-session -d -x "$cols" -y "$rows" \
		"env TERM=xterm-256color LANG=C.UTF-8 $GATEHOUSE $*; echo \"[exit \$?]\"; sleep 600"
	tmux -S "$e2e_tmux_socket" set-option -g remain-on-exit on >/dev/null
}

tui_stop() {	# end the tmux server and wait until it is gone
	local i
	tmux -S "$e2e_tmux_socket" kill-server >/dev/null 2>&1
	for i in $(seq 1 50); do
		tmux -S "$e2e_tmux_socket" has-session >/dev/null 2>&1 || break
		sleep 0.1
	done
	rm -f "$e2e_tmux_socket"
}

tui_keys() {	# tui_keys KEY... (tmux key names: j Enter Escape C-c, or literal text with -l)
	tmux -S "$e2e_tmux_socket" send-keys "$@"
}

tui_type() {	# tui_type TEXT (literal)
	tmux -S "$e2e_tmux_socket" send-keys -l "$1"
}

tui_screen() {
	tmux -S "$e2e_tmux_socket" capture-pane -p
}

tui_resize() {	# tui_resize COLS ROWS
	tmux -S "$e2e_tmux_socket" resize-window -x "$1" -y "$2" 2>/dev/null ||
		tmux -S "$e2e_tmux_socket" resize-pane -x "$1" -y "$2"
}

tui_pid() {
	tmux -S "$e2e_tmux_socket" list-panes -F '#{pane_pid}'
}

tui_wait() {	# tui_wait TEXT [SECONDS]: wait until TEXT is on screen; 1 on timeout
	local want=$1 secs=${2:-10} i
	for i in $(seq 1 $((secs * 10))); do
		tui_screen | grep -qF -- "$want" && return 0
		sleep 0.1
	done
	return 1
}

# The forge's request log: JSON lines; filter with python.
forge_requests() {	# forge_requests METHOD PATH_REGEX -> matching lines
	"$PYTHON3" - "$FORGE_LOG" "$1" "$2" <<'PY'
import json, re, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
log, method, rx = sys.argv[1], sys.argv[2], re.compile(sys.argv[3])
for line in open(log):
    e = json.loads(line)
    if e.get("method") == method and rx.search(e.get("path", "")):
        print(json.dumps(e))
PY
}
