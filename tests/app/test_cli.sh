#!/bin/bash
# The command line against the test forge, as a script or a reviewer uses it:
# list, show, decide, verify, sync, log, doctor, and the errors a user meets
# (forge unreachable, token refused, malformed config).
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_init demo

gh() { "$GATEHOUSE" "$@"; }

# --version / --help
out=$(gh --version); e2e_ok $? "--version exits 0"
echo "$out" | grep -q '^gatehouse [0-9]'; e2e_ok $? "--version prints the version"
gh --help | grep -q 'decide OWNER/REPO#N'; e2e_ok $? "--help lists the commands"
gh frobnicate 2>/dev/null; [ $? -eq 2 ]; e2e_ok $? "an unknown command exits 2"

# list
out=$(gh list 2>"$E2E_TMP/err"); rc=$?
e2e_ok $rc "list exits 0 on the demo forge"
[ -s "$E2E_TMP/err" ] && e2e_diag <"$E2E_TMP/err"
n=$(echo "$out" | grep -c '#[0-9]')
[ "$n" -ge 12 ]; e2e_ok $? "list shows the demo queue ($n PRs)"
echo "$out" | head -2 | tail -1 | grep -qE '^(critical|high)'; e2e_ok $? "the riskiest PR comes first"
! echo "$out" | grep -q $'\033'; e2e_ok $? "no escape byte from a hostile title reaches the terminal"
echo "$out" | grep -q '\^\['; e2e_ok $? "the escape in a hostile title is shown as a visible ^[ token"

json=$(gh list --json)
echo "$json" | "$PYTHON3" -c '
import json, sys
q = json.load(sys.stdin)
assert len(q) >= 12, len(q)
for pr in q:
    for k in ("forge","repo","number","title","head","risk","reasons","gates","sla_deadline","labels"):
        assert k in pr, k
    assert pr["risk"] in ("low","medium","high","critical")
    assert len(pr["head"]) == 40
' 2>&1 | e2e_diag
e2e_ok ${PIPESTATUS[1]} "list --json gives every PR with head, risk, reasons, gates and SLA"

# show
ci=$(echo "$json" | "$PYTHON3" -c '
import json, sys
for pr in json.load(sys.stdin):
    if pr["title"].startswith("ci:"):
        print("%s#%d" % (pr["repo"], pr["number"])); break')
[ -n "$ci" ]; e2e_ok $? "the demo has a CI-workflow PR ($ci)"
out=$(gh show "$ci" 2>"$E2E_TMP/err"); rc=$?
e2e_ok $rc "show $ci exits 0"
[ $rc -ne 0 ] && e2e_diag <"$E2E_TMP/err"
echo "$out" | grep -q 'risk      critical'; e2e_ok $? "a PR editing CI config is critical"
echo "$out" | grep -q '.github/workflows'; e2e_ok $? "the reason names the workflow file"
echo "$out" | grep -qE 'diff +[0-9]+ files'; e2e_ok $? "show reads the diff from git"

out=$(gh show acme/payments-api#105 2>/dev/null)
echo "$out" | grep -qE 'missing +tests +required +integration: required by branch protection'
e2e_ok $? "a check branch protection requires that never ran makes its gate missing"
echo "$out" | grep -q 'approval needs a typed override'; e2e_ok $? "and approval then needs a typed override"

gh decide acme/payments-api#105 --approve -m "Looks fine." >/dev/null 2>"$E2E_TMP/err"; rc=$?
[ $rc -eq 10 ] && grep -q 'override' "$E2E_TMP/err"
e2e_ok $? "approving over a missing required gate without --override is refused (exit $rc)"

gh show acme/payments-api#9999 >/dev/null 2>"$E2E_TMP/err"; rc=$?
[ $rc -eq 4 ] && grep -q 'no such pull request\|Not Found' "$E2E_TMP/err"
e2e_ok $? "show of a missing PR says so and exits 4"

# Errors a user meets.
gh -c forge.demo.url=http://127.0.0.1:9/api/v3 -c forge.demo.graphql-url=http://127.0.0.1:9/api/graphql list >/dev/null 2>"$E2E_TMP/err"; rc=$?
[ $rc -eq 4 ]; e2e_ok $? "an unreachable forge exits 4 (got $rc)"
[ -s "$E2E_TMP/err" ] && ! grep -q "$GATEHOUSE_TEST_TOKEN" "$E2E_TMP/err"; e2e_ok $? "and says why, without the token"
GATEHOUSE_TEST_TOKEN=ghp_wrong_token_000000000000000000000 gh list >/dev/null 2>"$E2E_TMP/err"; rc=$?
[ $rc -eq 5 ] && grep -qi 'token\|credentials' "$E2E_TMP/err"; e2e_ok $? "a refused token exits 5 with a clear message (got $rc)"
bad=$E2E_TMP/bad.config
printf '[forge "demo"]\n\tkind = github\n\turl = %s\n[queue]\n\trefresh = soon\n' "$FORGE_URL" >"$bad"
gh --config "$bad" list >/dev/null 2>"$E2E_TMP/err"; rc=$?
[ $rc -eq 3 ] && grep -q "bad.config:5" "$E2E_TMP/err"; e2e_ok $? "a malformed config exits 3 naming file:line (got $rc: $(head -c 200 "$E2E_TMP/err"))"

# decide: signed through the private agent, posted, verified by ssh-keygen.
low=$(echo "$json" | "$PYTHON3" -c '
import json, sys
for pr in json.load(sys.stdin):
    if pr["title"].startswith("Add unit tests"):
        print("%s#%d" % (pr["repo"], pr["number"])); break')
[ -n "$low" ]; e2e_ok $? "the demo has a test-generation PR to approve ($low)"
out=$(gh decide "$low" --approve -m "Read every file; tests cover the change." 2>"$E2E_TMP/err"); rc=$?
e2e_ok $rc "decide --approve exits 0: $out"
[ $rc -ne 0 ] && e2e_diag <"$E2E_TMP/err"
repo=${low%#*}; num=${low#*#}
reviews=$(forge_requests POST "/repos/$repo/pulls/$num/reviews\$")
echo "$reviews" | grep -q '"event": *"APPROVE"'; e2e_ok $? "an APPROVE review was posted"
echo "$reviews" | grep -q '"commit_id": *"[0-9a-f]\{40\}"'; e2e_ok $? "pinned to the head commit"
forge_requests POST "/repos/$repo/statuses/" | grep -q 'gatehouse/checkpoint'
e2e_ok $? "the gatehouse/checkpoint status was set"

# The posted signature verifies with ssh-keygen itself.
body=$(echo "$reviews" | tail -1 | "$PYTHON3" -c 'import json,sys; print(json.loads(sys.stdin.read())["body"]["body"])')
echo "$body" | "$PYTHON3" -c '
import re, sys
b = sys.stdin.read()
blocks = re.findall(r"```(?:json|text)?\n(.*?)\n```", b, re.S)
rec = [x for x in blocks if x.startswith("{")][0]
sig = [x for x in blocks if "BEGIN SSH SIGNATURE" in x][0]
open(sys.argv[1], "w").write(rec)
open(sys.argv[2], "w").write(sig + "\n")
' "$E2E_TMP/record.json" "$E2E_TMP/record.sig"
e2e_ok $? "the review body carries the record and its armored signature"
ssh-keygen -Y verify -n gatehouse-decision -f "$E2E_TMP/allowed_signers" -I reviewer \
	-s "$E2E_TMP/record.sig" <"$E2E_TMP/record.json" >/dev/null 2>&1
e2e_ok $? "ssh-keygen -Y verify accepts the posted signature"

out=$(gh verify "$low" 2>&1); rc=$?
e2e_ok $rc "gatehouse verify $low exits 0"
echo "$out" | grep -q '^good .* approve'; e2e_ok $? "verify reports the approval as good"

# Deciding twice on a moved head is refused.
curl -fsS -X POST -H 'Content-Type: application/json' "$FORGE_URL/_admin/pr" \
	-d "{\"repo\":\"$repo\",\"number\":$num,\"push\":true}" >/dev/null 2>&1
gh decide "$low" --reject -m "second look" --head 0000000000000000000000000000000000000000 >/dev/null 2>"$E2E_TMP/err"; rc=$?
[ $rc -eq 6 ] && grep -q 'head moved' "$E2E_TMP/err"; e2e_ok $? "a decision on a head that moved is refused (exit $rc)"

# Two keys in the agent and none configured: a script is told which keys there
# are; a reviewer at a terminal is asked.
ssh-keygen -q -t ed25519 -N '' -C second@gatehouse-e2e -f "$E2E_TMP/id_second"
ssh-add -q "$E2E_TMP/id_second" 2>/dev/null
alt=$E2E_TMP/nokey.config
sed '/^[[:space:]]*key = /d' "$XDG_CONFIG_HOME/gatehouse/config" >"$alt"
fp2=$(ssh-keygen -lf "$E2E_TMP/id_second.pub" | cut -d' ' -f2)
gh --config "$alt" decide acme/web-console#204 --reject -m "Wrong scope." </dev/null >/dev/null 2>"$E2E_TMP/err"; rc=$?
[ $rc -eq 7 ] && grep -q "$fp2" "$E2E_TMP/err"; e2e_ok $? "without a terminal, several keys stop the decision and name them (exit $rc)"
tui_start 120 30 --config "$alt" decide acme/web-console#204 --reject -m Out-of-scope
tui_wait "sign with which" 20; e2e_ok $? "at a terminal, gatehouse asks which key to sign with"
n2=$(tui_screen | grep -F "$fp2" | awk '{print $1}')
tui_type "$n2"
tui_keys Enter
tui_wait "[exit 0]" 30; e2e_ok $? "the picked key signs and the decision is posted"
tui_stop
gh verify acme/web-console#204 --allowed-signers <(printf 'reviewer %s\n' "$(cat "$E2E_TMP/id_second.pub")") 2>/dev/null | grep -q "good .*$fp2"
e2e_ok $? "the posted decision verifies as signed by the picked key"

out=$(gh sync); e2e_ok $? "sync exits 0 with nothing pending"
out=$(gh log --verify); e2e_ok $? "the audit log verifies: $out"
gh log | grep -q '"event"'; e2e_ok $? "log prints the audit entries"
out=$(gh doctor 2>&1); rc=$?
e2e_ok $rc "doctor finds nothing wrong"
[ $rc -ne 0 ] && echo "$out" | e2e_diag
echo "$out" | grep -q 'ok   key'; e2e_ok $? "doctor names the signing key"
! grep -q "$GATEHOUSE_TEST_TOKEN" "$GATEHOUSE_TRACE" 2>/dev/null; e2e_ok $? "the token never reaches the trace log"
e2e_finish
