#!/bin/bash
# The hostile corpus as a reviewer meets it: the real binary in tmux on the
# demo forge, whose repository acme/hostile carries a 1,000,000-line file, a
# 10 MB body, binary files claiming to be text, NUL bytes, path names with
# LF/CR/ESC/BS and bidi controls, a 1 MiB line, Trojan Source and terminal
# escapes in titles, bodies, check summaries and annotations
# (tests/fixtures/demo/README.md).  Every byte gatehouse writes to its
# terminal is kept (tmux pipe-pane) and scanned: no escape sequence of the
# agent's, no C1 control, no bidi or invisible character, no NUL ever reaches
# it.  Then the forge turns hostile at the protocol level (a 1 MiB header
# line, JSON nested 100,000 deep, duplicate keys, a slow-loris answer): each
# refresh ends in a message that says what happened, the queue stays whole,
# and the next refresh after the fault clears shows the forge's news.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_init demo

# scan MODE FILE: 0 when FILE holds nothing dangerous.  MODE "text" (a command's
# output: only \n and \t below 0x20) or "term" (a terminal stream: the cursor
# movements ncurses makes, ESC only before [ ( ) = > 7 8 M).  Findings on stdout.
scan() {
	"$PYTHON3" - "$1" "$2" <<'PY'
import re, sys, unicodedata
mode, data = sys.argv[1], open(sys.argv[2], "rb").read()
bad = []
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    bad.append("invalid UTF-8 at byte %d" % e.start)
    text = data.decode("utf-8", "replace")
allowed = "\n\t" if mode == "text" else "\n\t\r\b\x1b"
for ch in sorted(set(text)):
    o = ord(ch)
    if (o < 0x20 and ch not in allowed) or o == 0x7f:
        bad.append("C0 control 0x%02x" % o)
    elif 0x80 <= o <= 0x9f:
        bad.append("C1 control U+%04X" % o)
    elif unicodedata.category(ch) == "Cf" and o not in (0x200d, 0xfe0f):
        bad.append("format character (bidi/invisible) U+%04X" % o)
for m in re.finditer(r"\x1b(.?)", text):
    if m.group(1) not in tuple("[()=>78M"):
        bad.append("ESC %r at %d" % (m.group(1), m.start()))
        break
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}

# The command line first: the queue lists the hostile PRs, inert.
"$GATEHOUSE" list >"$E2E_TMP/list.out" 2>"$E2E_TMP/list.err"; rc=$?
e2e_ok $rc "list exits 0 with the hostile PRs in the queue"
n=$(grep -c 'acme/hostile#40[1-7]' "$E2E_TMP/list.out")
[ "$n" -eq 7 ]; e2e_ok $? "list shows the 7 hostile PRs ($n)"
scan text "$E2E_TMP/list.out" | e2e_diag
e2e_ok "${PIPESTATUS[0]}" "list writes no control, C1, bidi or invisible character"
"$GATEHOUSE" show 'acme/hostile#407' >"$E2E_TMP/show.out" 2>&1
scan text "$E2E_TMP/show.out" | e2e_diag
e2e_ok "${PIPESTATUS[0]}" "show of the escape-laden PR writes none either"
grep -qF 'build ok^[]52;c;' "$E2E_TMP/show.out"
e2e_ok $? "show renders OSC 52 in a check summary as a visible ^[ token"

# The console, with everything it writes to the terminal kept from the start.
raw=$E2E_TMP/term.raw
: >"$raw"
e2e_tmux_socket=$E2E_TMP/tmux.sock
tmux -S "$e2e_tmux_socket" -f /dev/null new-session -d -x 120 -y 40 \
	"sleep 0.5; env TERM=xterm-256color LANG=C.UTF-8 $GATEHOUSE; echo \"[exit \$?]\"; sleep 600"
tmux -S "$e2e_tmux_socket" set-option -g remain-on-exit on >/dev/null
tmux -S "$e2e_tmux_socket" pipe-pane -o "cat >>'$raw'"

now_ms() { date +%s%3N; }
# answered KEY TEXT SECONDS: press KEY; 0 when TEXT shows within SECONDS.
answered() {
	tui_keys "$1"
	tui_wait "$2" "$3"
}
in_pr=0
open_pr() {	# open_pr N: back to the queue (q there would quit), then :open
	if [ "$in_pr" -eq 1 ]; then
		tui_keys Escape q
		sleep 0.3
	fi
	in_pr=1
	tui_keys :
	tui_type "open acme/hostile#$1"
	tui_keys Enter
}

tui_wait "acme/hostile#407" 60; e2e_ok $? "the queue lists the hostile PRs"
scr=$(tui_screen)
echo "$scr" | head -1 | grep -q "gatehouse"; e2e_ok $? "the header stays on the first line"
echo "$scr" | grep -qF 'Quiet the logs^MApproved by @acme/security^H^H^H'
e2e_ok $? "CR and BS in a title are shown as ^M and ^H, nothing overwritten"

# 1,000,000 lines: keys are answered while it loads, and G reaches the end.
open_pr 401
t0=$(now_ms)
answered 5 'Regenerates `src/gen/crc32c_table.c`' 5; rc=$?
e2e_ok $rc "a key pressed while the 1,000,000-line PR loads is answered ($(($(now_ms) - t0)) ms)"
tui_keys 1
tui_wait '@@ -0,0 +1,1000000 @@' 60; e2e_ok $? "the 1,000,000-line diff opens"
t0=$(now_ms)
answered G '1000000 +};' 10; rc=$?
e2e_ok $rc "G scrolls to its last line ($(($(now_ms) - t0)) ms)"
answered g '1 +/* Generated CRC-32C table' 10; e2e_ok $? "and g back to the first"
pid=$(pgrep -P "$(tui_pid)" -f "$GATEHOUSE" | head -1)
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
[ "${rss:-0}" -gt 0 ] && [ "$rss" -lt 600000 ]
e2e_ok $? "memory with the 12 MB diff open stays under 600 MB (RSS $((rss / 1024)) MB)"

# A 10 MB body renders to its end.
open_pr 402
answered 5 'Documents the retry policy.' 30; e2e_ok $? "the 10 MB body renders"
t0=$(now_ms)
answered G 'End of the 10 MB session log.' 20; rc=$?
e2e_ok $rc "G reaches the last line of the 10 MB body ($(($(now_ms) - t0)) ms)"
! tui_screen | grep -q 'longer than 10 MB'; e2e_ok $? "a body of exactly 10 MiB is not cut"

# Binary claiming to be text, NUL bytes.
open_pr 403
tui_wait 'docs/notes.txt' 30; e2e_ok $? "the firmware PR opens"
tui_screen | grep -q 'Binary file added'; e2e_ok $? "a .c file of binary bytes is shown as a binary file"
tui_screen | grep -q 'untrusted text:.*bad byte'
e2e_ok $? "binary bytes in a file git diffs as text are flagged"
answered 5 'Notes:^@ NUL bytes in the body^@ too.' 5
e2e_ok $? "NUL bytes in the body are shown as ^@ and the text after them is not lost"

# Path names with LF, ESC, CR, BS and bidi controls.
open_pr 404
tui_wait 'docs/release^Jnotes.md' 30; e2e_ok $? "a newline in a path is shown as ^J"
scr=$(tui_screen)
echo "$scr" | grep -qF 'docs/^[[2J^[[Hcleared.md'; e2e_ok $? "ESC in a path is shown as ^["
echo "$scr" | grep -qF 'docs/over^Mwrite.md'; e2e_ok $? "CR in a path is shown as ^M"
echo "$scr" | grep -qF 'docs/back^H^H^Hspace.md'; e2e_ok $? "BS in a path is shown as ^H"
echo "$scr" | grep -qF 'docs/report[U+202E]dm.exe' &&
	echo "$scr" | grep -qF 'docs/[U+2066]isolate[U+2069].md'
e2e_ok $? "bidi controls in paths are shown as [U+XXXX]"

# A single line of 1 MiB.
open_pr 405
tui_wait '+function f0(a){return a*0+0}' 30; e2e_ok $? "a 1 MiB line is shown"
answered 5 'one line of 1 MiB' 5; e2e_ok $? "and the next key is answered"

# Trojan Source.
open_pr 406
tui_wait 'check_token[U+200B](' 30; e2e_ok $? "a zero-width character in a function name is shown"
scr=$(tui_screen)
echo "$scr" | grep -qF '/*[U+202E] } [U+2066]if (admin)[U+2069] [U+2066] begin admins only */'
e2e_ok $? "the bidi override in a comment is shown as tokens, in logical order"
echo "$scr" | grep -q 'untrusted text:.*bidi.*invisible.*mixed-script'
e2e_ok $? "the banner counts bidi, invisible and mixed-script (homoglyph) text"

# Terminal escapes in the title, body, check summaries and an annotation.
open_pr 407
tui_wait 'colour <U+009B>2Kfine^[P+q544e^[\' 30
e2e_ok $? "C1 CSI and DCS in an annotation are shown as tokens"
answered 4 'build ok^[]52;c;cm0gLXJmIH4vLnNzaA==^[\^M<U+009B>32mall green' 5
e2e_ok $? "OSC 52, CR and C1 CSI in a check summary are shown as tokens"
tui_screen | grep -qF '1 problem^[_gatehouse:approve^[\'; e2e_ok $? "APC in a check title is shown as a token"
answered 5 'Removes colour codes from ^[]8;;https://evil.example/approve^[\' 5
e2e_ok $? "OSC 8 in the body is shown as a token"
tui_screen | grep -qF 'Reviewed and approved.^M<U+009B>1A^[P+q544e^[\^[_gatehouse:approve^[\^H^H^H'
e2e_ok $? "CR, C1 CSI, DCS, APC and BS in the body are shown as tokens"

scan term "$raw" | e2e_diag
e2e_ok "${PIPESTATUS[0]}" "nothing the agents wrote reached the terminal raw ($(stat -c %s "$raw") bytes scanned)"

# The forge turns hostile.  Each round: the forge has news (a retitled PR),
# the reviewer refreshes into the fault, then again once it is gone.
tui_keys Escape q
sleep 0.3
round=0
hostile_refresh() {	# hostile_refresh NAME FAULT_JSON MESSAGE_REGEX SECONDS [probe]
	local name=$1 fault=$2 want=$3 secs=$4 probe=${5:-} i got=1
	round=$((round + 1))
	curl -s -X POST "$FORGE_URL/_admin/pr" -d "{\"repo\": \"acme/hostile\", \"number\": 405,
		\"title\": \"Bundle the web app (round $round)\"}" >/dev/null
	curl -s -X POST "$FORGE_URL/_admin/faults" -d "[$fault]" >/dev/null
	tui_keys g R
	if [ -n "$probe" ]; then
		sleep 1
		answered j '[queue] 2/' 2; e2e_ok $? "$name: keys are answered while the forge drips"
		tui_keys k
	fi
	for i in $(seq 1 $((secs * 10))); do
		tui_screen | grep -qE -- "$want" && { got=0; break; }
		sleep 0.1
	done
	e2e_ok $got "$name: the refresh ends in a message that says so" || tui_screen | tail -3 | e2e_diag
	tui_screen | grep -q 'checkpoint queue: 19 PRs'
	e2e_ok $? "$name: the queue is still whole"
	curl -s -X DELETE "$FORGE_URL/_admin/faults" >/dev/null
	tui_keys R
	tui_wait "Bundle the web app (round $round)" 30
	e2e_ok $? "$name: the refresh after the fault clears shows the forge's news"
}
gql='"path_regex": "^/graphql$", "count": -1'
hostile_refresh "a 1 MiB header line" "{$gql, \"kind\": \"huge_header\", \"bytes\": 1048576}" \
	'header line over 100 KB' 40
hostile_refresh "JSON nested 100,000 deep" "{$gql, \"kind\": \"deep_json\", \"depth\": 100000}" \
	'malformed JSON.*depth' 40
hostile_refresh "duplicate keys" "{$gql, \"kind\": \"duplicate_keys\", \"key\": \"headRefOid\"}" \
	'duplicate object key' 40
# Slow loris: a byte every 200 ms for 1 s, then the forge hangs up (each try).
hostile_refresh "slow loris" \
	"{$gql, \"kind\": \"slowloris\", \"interval_ms\": 200, \"max_seconds\": 1}" \
	'refresh: .*(transfer closed|no complete answer|partial|timed out)' 60 probe

tui_keys Q
sleep 1
tui_screen | grep -q '\[exit 0\]'; e2e_ok $? "after all of it Q quits with status 0"
scan term "$raw" >/dev/null; e2e_ok $? "the terminal stream stayed clean to the end"
e2e_finish
