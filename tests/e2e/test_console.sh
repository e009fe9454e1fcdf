#!/bin/bash
# The console as a reviewer uses it: the real binary in tmux on the demo
# forge.  Open the queue, open a PR, move between files and annotations,
# approve, reject and escalate, and check on the forge what was posted;
# resize mid-review; drop the session (SIGHUP) while typing a reason and
# find the draft on restart; hostile titles and bodies stay inert.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_init demo

json=$("$GATEHOUSE" list --json)
pr_where() {	# first PR matching a python expression over p
	echo "$json" | "$PYTHON3" -c '
import json, sys
for p in json.load(sys.stdin):
    if eval(sys.argv[1]):
        print("%s#%d" % (p["repo"], p["number"])); break' "$1"
}
find_pr() {	# put the queue's cursor on the PR whose title has TEXT, with the queue's search
	tui_keys g /
	tui_type "$1"
	tui_keys Enter
	sleep 0.3
}

tui_start 80 24
tui_wait "checkpoint queue" 15; e2e_ok $? "the queue opens at 80x24"
tui_wait "acme/" 20; e2e_ok $? "the queue loads in the background"
scr=$(tui_screen)
echo "$scr" | head -1 | grep -q "gatehouse"; e2e_ok $? "the header stays on the first line (no escape sequence moved it)"
echo "$scr" | grep -q '\^\[\[2J'; e2e_ok $? "an escape sequence in a title is shown as a visible token"
echo "$scr" | grep -q 'acme/'; e2e_ok $? "PRs are listed with repo#number"

# Open the hostile-body PR: bidi and zero-width characters become tokens, with a warning.
hostile=$(pr_where 'p["title"].startswith("Move session storage")')
find_pr "Move session storage"
tui_keys Enter
tui_wait "diff" 20 || true
sleep 1
tui_keys 5
sleep 0.5
scr=$(tui_screen)
echo "$scr" | grep -qE '\[U\+(202E|2066|200B)\]'; e2e_ok $? "bidi and zero-width characters in the body are shown as [U+XXXX]"
echo "$scr" | grep -qiE 'hidden|invisible|bidi|warning'; e2e_ok $? "the PR view warns about hidden characters"
tui_keys q
sleep 0.5

# Approve the test-generation PR with a template: a, 1, Enter.
approve=$(pr_where 'p["title"].startswith("Add unit tests")')
find_pr "Add unit tests"
tui_keys Enter
tui_wait "Risk" 20; e2e_ok $? "opening a PR shows its risk panel"
tui_keys '}'
sleep 0.3
tui_keys a
sleep 0.3
tui_keys 1
sleep 0.3
tui_keys Enter
tui_wait "Sign and record" 5
tui_keys y
tui_wait "$approve: posted" 20; e2e_ok $? "approving with a template: recorded, signed and posted"
repo=${approve%#*}; num=${approve#*#}
forge_requests POST "/repos/$repo/pulls/$num/reviews\$" | grep -q '"event": *"APPROVE"'
e2e_ok $? "the forge received an APPROVE review for $approve"
tui_keys q
sleep 0.5

# Reject from the queue with the template offered for rejections.
reject=$(pr_where 'p["title"].startswith("Move session storage")')
find_pr "Move session storage"
tui_keys r
sleep 0.3
tui_keys 1
sleep 0.3
tui_keys Enter
tui_wait "Sign and record" 5
tui_keys y
tui_wait "$reject: posted" 30; e2e_ok $? "rejecting from the queue is posted" || tui_screen | e2e_diag
repo=${reject%#*}; num=${reject#*#}
forge_requests POST "/repos/$repo/pulls/$num/reviews\$" | grep -q '"event": *"REQUEST_CHANGES"'
e2e_ok $? "the forge received REQUEST_CHANGES for $reject"

# Escalate the auth change: reviewers/team and a label are requested.
esc=$(pr_where '"refresh tokens" in p["title"]')
find_pr "Add rotating refresh tokens"
tui_keys e
sleep 0.3
tui_keys i
tui_type "Touches token rotation; security must look."
tui_keys Escape
sleep 0.3
tui_keys Enter
tui_wait "Sign and record" 5
tui_keys y
tui_wait "$esc: posted" 30; e2e_ok $? "escalating is posted" || tui_screen | e2e_diag
repo=${esc%#*}; num=${esc#*#}
forge_requests POST "/repos/$repo/pulls/$num/reviews\$" | grep -q '"event": *"COMMENT"'
e2e_ok $? "the escalation is a COMMENT review"
forge_requests POST "/repos/$repo/pulls/$num/requested_reviewers" | grep -q 'reviewers'
e2e_ok $? "reviewers are requested from the escalation route"

# Resize mid-review: the side-by-side layout appears at 160 columns.
other=$(pr_where 'p["title"].startswith("Fix rounding")')
find_pr "Fix rounding"
tui_keys Enter
tui_wait "Risk" 20
tui_resize 160 48
sleep 1
scr=$(tui_screen)
echo "$scr" | grep -q "Gates" && echo "$scr" | grep -q "Rationale"
e2e_ok $? "after resizing to 160x48 the risk, gates and rationale panels are side by side"
tui_resize 80 24
sleep 0.5
tui_screen | head -1 | grep -q "$other\|gatehouse"; e2e_ok $? "back at 80x24 the view is intact"

# A dropped session keeps the reason being typed.
tui_keys a
sleep 0.3
tui_keys i
tui_type "Half-written reason about refunds"
sleep 0.3
pid=$(pgrep -P "$(tui_pid)" -f "$GATEHOUSE" | head -1)
[ -z "$pid" ] && pid=$(pgrep -f "^$GATEHOUSE\$" | head -1)
kill -HUP "$pid" 2>/dev/null
sleep 1
tui_screen | grep -q '\[exit'; e2e_ok $? "SIGHUP ends gatehouse"
tui_stop
tui_start 80 24
tui_wait "acme/" 20
tui_keys :
tui_type "open $other"
tui_keys Enter
tui_wait "Risk" 20
tui_keys a
sleep 0.5
tui_screen | grep -q "Half-written reason"; e2e_ok $? "the draft reason is back after the restart"
tui_keys Escape
tui_keys q
sleep 0.3
tui_keys Q
sleep 1
tui_screen | grep -q '\[exit 0\]'; e2e_ok $? "Q quits with status 0"
e2e_finish
