#!/bin/bash
# The console across sessions and around the edges of a review: viewed marks
# survive a restart and lapse for files a new push changed; $EDITOR may be a
# command with arguments, as git allows; whole-file context is built on the
# worker while the keys are answered; with two keys in a real ssh-agent and
# no sign.key, the console asks which one signs and keeps the answer; a diff
# from a stale mirror or the files API carries a banner that says so.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_init demo

pr=acme/payments-api#101

open_pr() {	# open_pr REF: open a PR from the command line and wait for its diff
	tui_keys :
	tui_type "open $1"
	tui_keys Enter
	tui_wait "Risk" 20 && tui_wait "@@" 20
}

files_tab() {	# the PR's file list, as the Files tab shows it
	tui_keys 2
	sleep 0.5
	tui_screen
	tui_keys 1
}

check() {	# check STATUS DESCRIPTION: e2e_ok, showing the screen when it fails
	e2e_ok "$1" "$2"
	[ "$1" -eq 0 ] || tui_screen | e2e_diag
}

forge_admin() {	# forge_admin WHAT JSON: change the test forge (POST /_admin/WHAT)
	curl -fsS -X POST -H 'Content-Type: application/json' "$FORGE_URL/_admin/$1" -d "$2"
}

quit_console() {
	tui_keys q
	sleep 0.3
	tui_keys Q
	tui_wait "[exit" 10
	tui_stop
}

# ---- viewed marks persist ------------------------------------------------
tui_start 80 24
tui_wait "acme/" 20
open_pr "$pr"; e2e_ok $? "$pr opens with its diff"
tui_keys v
sleep 0.3
tui_keys '}'
sleep 0.3
tui_keys v
sleep 0.3
scr=$(files_tab)
echo "$scr" | grep -q '✔ M .*payments/refunds.py' && echo "$scr" | grep -q '✔ M .*tests/test_refunds.py'
check $? "both files are marked viewed"
quit_console

tui_start 80 24
tui_wait "acme/" 20
open_pr "$pr"
scr=$(files_tab)
echo "$scr" | grep -q '✔ M .*payments/refunds.py' && echo "$scr" | grep -q '✔ M .*tests/test_refunds.py'
check $? "after a restart both viewed marks are back"
quit_console

# The agent pushes a new head that changes the test file only.
forge_admin pr \
	'{"repo":"acme/payments-api","number":101,"push":{"message":"More tests","files":{"tests/test_refunds.py":"def test_more():\n    assert 1 + 1 == 2\n"}}}' \
	>/dev/null
e2e_ok $? "the agent pushes a new head changing tests/test_refunds.py"
tui_start 80 24
tui_wait "acme/" 20
open_pr "$pr"
scr=$(files_tab)
echo "$scr" | grep -q '✔ M .*payments/refunds.py'
check $? "on the new head the unchanged file keeps its viewed mark"
echo "$scr" | grep -q 'tests/test_refunds.py' && ! echo "$scr" | grep -q '✔ M .*tests/test_refunds.py'
check $? "on the new head the changed file's mark is gone"
quit_console

# ---- $EDITOR with arguments ------------------------------------------------
# An editor command with options and a quoted argument, run as git runs it.
cat >"$E2E_TMP/say-editor" <<'SH'
#!/bin/sh
# say-editor --say TEXT FILE: write TEXT and how many arguments came into FILE.
[ "$1" = --say ] || exit 3
printf '%s (%d arguments)\n' "$2" "$#" >"$3"
SH
chmod +x "$E2E_TMP/say-editor"
unset VISUAL
export EDITOR="$E2E_TMP/say-editor --say 'Read every hunk twice'"
tui_start 80 24
tui_wait "acme/" 20
open_pr acme/payments-api#104
tui_keys a
tui_wait "Reason" 5
tui_keys E
tui_wait "Read every hunk twice (3 arguments)" 10
check $? "EDITOR=\"say-editor --say 'Read every hunk twice'\" gets its arguments, quotes honoured, and the file"
tui_keys Escape
sleep 0.3
quit_console

export EDITOR="$E2E_TMP/say-editor --unknown-option"
tui_start 80 24
tui_wait "acme/" 20
open_pr acme/payments-api#104
tui_keys a
tui_wait "Reason" 5
tui_keys i
tui_type "Typed before the editor"
tui_keys Escape
tui_keys E
tui_wait "editor failed (exit 3); the reason is unchanged" 10
check $? "an editor that exits with an error is reported with its status"
tui_screen | grep -q "Typed before the editor"
e2e_ok $? "and the reason typed before it is kept"
tui_keys Escape
sleep 0.3
quit_console
unset EDITOR

# ---- the review lane does not wait behind the forge lane ------------------------
# A refresh held up by the forge (the test forge delays the queue's GraphQL
# search by 20 s, room for a loaded machine) holds the forge lane; opening a
# PR and whole-file context run on the review lane with the forges' reader
# twins, so both arrive while the status bar still says the queue is
# syncing, and keys are answered meanwhile.
tui_start 80 24
tui_wait "acme/" 20
forge_admin faults \
	'[{"method":"*","path_regex":"^/graphql","kind":"delay","ms":20000,"count":1}]' >/dev/null
tui_keys R
tui_wait "syncing" 5
check $? "R starts a refresh that the forge holds up"
open_pr "$pr"
check $? "a PR opens while the refresh is held up"
tui_screen | grep -q '@@ -12,8 +12,8 @@'; e2e_ok $? "payments/refunds.py shows its hunk with 3 lines of context"
tui_screen | grep -q 'syncing'; check $? "and the refresh is still running: the PR did not wait for it"
tui_keys +
tui_wait '"""Refund amounts for partial captures."""' 10
check $? "+ brings the whole file while the refresh is still held up: line 1 is on screen"
tui_screen | grep -q '@@ -1,20 +1,20 @@'; e2e_ok $? "as one hunk over the whole file"
tui_keys 2
for i in $(seq 1 20); do
	tui_screen | grep -qE '^ *M +\+[0-9]+ +-[0-9]+ tests/test_refunds.py' && break
	sleep 0.1
done
tui_screen | grep -qE '^ *M +\+[0-9]+ +-[0-9]+ tests/test_refunds.py'
e2e_ok $? "keys are answered meanwhile (2 shows the file list)"
tui_keys 1
for i in $(seq 1 300); do
	tui_screen | grep -q 'syncing' || break
	sleep 0.1
done
! tui_screen | grep -q 'syncing'
check $? "the held-up refresh then finishes"
curl -fsS -X DELETE "$FORGE_URL/_admin/faults" >/dev/null
quit_console

# ---- R while a refresh runs ------------------------------------------------------
# What changed at the forge after a refresh began may not be in it: R pressed
# meanwhile, once or three times, queues exactly one more refresh, and says so.
tui_start 80 24
tui_wait "acme/" 20
sleep 1
searches() { forge_requests GET '/search/issues' | wc -l; }
n0=$(searches)
forge_admin faults '[{"method":"GET","path_regex":"/search/issues","kind":"delay","ms":5000,"count":1}]' \
	>/dev/null
tui_keys R
tui_wait "syncing" 5
tui_keys R
tui_wait "a refresh is running: another follows it" 5
check $? "R during a refresh says another follows it"
tui_keys R R
for i in $(seq 1 300); do
	[ "$(searches)" -ge $((n0 + 4)) ] && ! tui_screen | grep -q 'syncing' && break
	sleep 0.1
done
sleep 2
n1=$(searches)
[ "$n1" -eq $((n0 + 4)) ]
check $? "one more refresh ran after it, not three ($((n1 - n0)) searches, 2 per refresh)"
curl -fsS -X DELETE "$FORGE_URL/_admin/faults" >/dev/null
quit_console

# ---- the key picker --------------------------------------------------------------
# A second key in the agent, and no sign.key: the console asks which key signs.
ssh-keygen -q -t ecdsa -b 256 -N '' -C second-key@gatehouse-e2e -f "$E2E_TMP/id_ecdsa"
ssh-add -q "$E2E_TMP/id_ecdsa" 2>/dev/null
cfg=$XDG_CONFIG_HOME/gatehouse/config
sed -i '/^[[:space:]]*key = /d' "$cfg"
printf 'reviewer %s\n' "$(cat "$E2E_TMP/id_ecdsa.pub")" >>"$E2E_TMP/allowed_signers"
fp_ed=$(ssh-keygen -lf "$E2E_TMP/id_ed25519.pub" | awk '{print $2}')
fp_ec=$(ssh-keygen -lf "$E2E_TMP/id_ecdsa.pub" | awk '{print $2}')
outbox=$XDG_STATE_HOME/gatehouse/outbox
signed_by() {	# signed_by FP: how many decision records in the outbox name that key
	grep -rlF "\"$1\"" "$outbox" 2>/dev/null | wc -l
}

decide_from_view() {	# decide_from_view REF KEY: open REF, verdict KEY with its first template, confirm
	open_pr "$1"
	decide_here "$2"
}

decide_here() {	# decide_here KEY: in the PR view, verdict KEY with its first template, confirm
	tui_keys "$1"
	sleep 0.3
	tui_keys 1
	sleep 0.3
	tui_keys Enter
	tui_wait "Sign and record" 5
	tui_keys y
}

approve=acme/web-console#202
tui_start 80 24
tui_wait "acme/" 20
decide_from_view "$approve" a
tui_wait "Sign with which key?" 20
check $? "with two keys in the agent and no sign.key, approving opens the key picker"
scr=$(tui_screen)
echo "$scr" | grep -q "ssh-ed25519  reviewer@gatehouse-e2e" &&
	echo "$scr" | grep -q "ecdsa-sha2-nistp256  second-key@gatehouse-e2e" &&
	echo "$scr" | grep -qF "$fp_ed" && echo "$scr" | grep -qF "$fp_ec"
check $? "the picker lists both keys by type, comment and fingerprint"
tui_keys Escape
tui_wait "no key picked, nothing recorded" 5
check $? "Esc gives up and says nothing was recorded"
! forge_requests POST "/repos/acme/web-console/pulls/202/reviews\$" | grep -q .
e2e_ok $? "nothing was posted for $approve"
# Again from the same PR view: the picker comes back.
decide_here a
tui_wait "Sign with which key?" 20
tui_keys j
sleep 0.2
tui_keys Enter
tui_wait "$approve: posted" 30
check $? "picking the second key with j and Enter signs and posts the approval"
[ "$(signed_by "$fp_ec")" -eq 1 ]
e2e_ok $? "the decision record names the picked (ECDSA) key"
tui_keys q
sleep 0.3
reject=acme/web-console#204
decide_from_view "$reject" r
tui_wait "$reject: posted" 30
check $? "a second decision in the same session signs without asking again"
! tui_screen | grep -q "Sign with which key?"
e2e_ok $? "no picker the second time"
[ "$(signed_by "$fp_ec")" -eq 2 ] && [ "$(signed_by "$fp_ed")" -eq 0 ]
e2e_ok $? "both decisions are signed with the key picked once"
quit_console

# ---- ^Z and fg from a shell with job control ------------------------------------
# After scrolling a diff, ^Z gives the terminal back to the shell, and fg
# brings the whole screen back.  (Whether a scroll region or a style is left
# behind cannot be seen here: tmux resets both when the alternate screen is
# left; tests/term/test_paint.c checks that every scroll resets its region.)
e2e_tmux_socket=$E2E_TMP/tmux.sock
tmux -S "$e2e_tmux_socket" -f /dev/null new-session -d -x 80 -y 24 \
	"env TERM=xterm-256color LANG=C.UTF-8 PS1='shell> ' bash --norc --noprofile -i"
tui_wait 'shell>' 10
tui_type "$GATEHOUSE"
tui_keys Enter
tui_wait "acme/" 20
check $? "gatehouse started from an interactive shell"
open_pr acme/payments-api#101
for i in $(seq 1 30); do tui_keys j; done
sleep 0.3
tui_keys C-z
tui_wait "Stopped" 10
check $? "^Z stops it and the shell says so"
! tui_screen | grep -q "@@"
check $? "the shell's screen is back, without the diff on it"
tui_type "fg"
tui_keys Enter
tui_wait "Risk" 10 && tui_wait "@@" 5 && tui_wait "acme/payments-api#101" 5
check $? "fg brings the PR view back, redrawn whole"
tui_keys q
sleep 0.3
tui_keys Q
tui_wait 'shell>' 10 && tui_type 'echo "status $?"' && tui_keys Enter && tui_wait "status 0" 5
check $? "Q then returns to the shell with status 0"
tui_stop

# ---- leaving a PR while it loads ----------------------------------------------------
# The forge is slow to answer for the PR; the reviewer goes back to the queue
# before it loads.  Its progress bar goes with it, and stays gone once the
# abandoned load ends.
tui_start 80 24
tui_wait "acme/" 20
forge_admin faults \
	'[{"method":"GET","path_regex":"/pulls/102$","kind":"delay","ms":3000,"count":1}]' >/dev/null
tui_keys :
tui_type "open acme/payments-api#102"
tui_keys Enter
tui_wait "loading" 5
check $? "a PR the forge is slow on shows that it is loading"
tui_keys q
sleep 4
! tui_screen | grep -q "loading"
check $? "back in the queue before it loaded, no progress bar is left behind"
curl -fsS -X DELETE "$FORGE_URL/_admin/faults" >/dev/null
quit_console

# ---- a resize with no key pressed --------------------------------------------------
# The window grows while the reviewer reads: the view is drawn at the new size
# at once, without waiting for a key.
tui_start 80 24
tui_wait "acme/" 20
open_pr acme/payments-api#101
tui_resize 120 40
for i in $(seq 1 50); do
	[ -n "$(tui_screen | sed -n 40p | tr -d ' ')" ] && break
	sleep 0.1
done
[ -n "$(tui_screen | sed -n 40p | tr -d ' ')" ]
check $? "a resize to 120x40 redraws the PR view down to its new last row with no key"
quit_console

# ---- diffs the reviewer must be warned about -------------------------------------
# The API has a new head while git still serves the old one (GitHub moves
# refs/pull/N/head after the PR's head.sha): the mirror is stale and lacks the
# new head, so the diff comes from the files API.  One banner says both, with
# both SHAs, and stays while the PR is open.
out=$(forge_admin pr \
	'{"repo":"acme/infra","number":303,"push":{"message":"Add notes","files":{"NOTES.md":"lagging\n"}}}')
old=$(echo "$out" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["previous_head"])')
new=$(echo "$out" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["head_sha"])')
forge_admin pr "{\"repo\":\"acme/infra\",\"number\":303,\"pull_ref_sha\":\"$old\"}" >/dev/null
tui_start 220 40
tui_wait "acme/" 20
open_pr acme/infra#303
check $? "a PR whose git head lags the forge's opens with a diff"
tui_screen | grep -q "diff: stale: the forge says the head is $new but git has $old"
check $? "a banner says the mirror is stale, with both heads"
tui_screen | grep -q "; diff from the forge's files API, may be partial"
check $? "and, in the same banner, that the diff came from the files API"
tui_screen | grep -q "NOTES.md"; e2e_ok $? "the files API's diff has the new head's file"
tui_keys j j j j j 2
sleep 0.5
tui_keys 1
sleep 0.5
tui_screen | grep -q "diff: stale: the forge says the head is $new"
check $? "the banner stays while the reviewer moves about the PR"
quit_console

# No git access at all (git refuses the token): the files API, said in the banner.
forge_admin faults \
	'[{"method":"*","path_regex":"^/acme/infra\\.git/","kind":"status","status":403,"count":-1}]' >/dev/null
tui_start 160 40
tui_wait "acme/" 20 && open_pr acme/infra#301
check $? "with git refused, a PR still opens with a diff"
tui_screen | grep -q "diff: diff from the forge's files API, may be partial"
check $? "and a banner says it came from the files API and may be partial"
curl -fsS -X DELETE "$FORGE_URL/_admin/faults" >/dev/null
quit_console

# ---- drawn through curses ---------------------------------------------------------
# Terminals that do not speak xterm's sequences are drawn through curses; the
# same session there: the queue, a PR's diff, moving in it, a resize.
export GATEHOUSE_OUTPUT=curses
tui_start 80 24
tui_wait "acme/" 20
check $? "through curses (GATEHOUSE_OUTPUT=curses) the queue shows"
open_pr acme/payments-api#101
check $? "and a PR opens with its diff"
tui_keys j j j j j j j j j j
sleep 0.3
tui_screen | grep -q '@@'; check $? "moving down the diff keeps a hunk on screen"
tui_resize 120 40
tui_wait "Risk" 10 && tui_screen | grep -q '@@'
check $? "after a resize to 120x40 the view is drawn again"
quit_console
unset GATEHOUSE_OUTPUT

e2e_finish
