# Shared by the GitLab and Gitea live tests (sourced after tests/e2e/lib.sh and
# e2e_init): a second test forge in a dialect on the same demo repositories,
# a config for it, and the decision flow checked against the forge's state.

dialect_start() {	# dialect_start gitlab|gitea -> DIALECT_URL
	local d=$1 i
	DIALECT_LOG=$E2E_TMP/$d.jsonl
	"$PYTHON3" "$top_srcdir/tests/fakeforge/fakeforge.py" --dialect "$d" \
		--scenario "$top_srcdir/tests/fixtures/demo/scenario.json" \
		--git-root "$E2E_REPOS" --port 0 --state-dir "$E2E_TMP/$d-state" --log "$DIALECT_LOG" \
		--shift-times-from 2025-11-20T12:30:00Z \
		>"$E2E_TMP/$d.out" 2>"$E2E_TMP/$d.err" &
	e2e_pids="$e2e_pids $!"
	DIALECT_URL=
	for i in $(seq 1 600); do	# a loaded machine may take a while
		DIALECT_URL=$(sed -n 's/^listening \(http[^ ]*\).*/\1/p' "$E2E_TMP/$d.out" 2>/dev/null)
		[ -n "$DIALECT_URL" ] && break
		sleep 0.1
	done
	[ -n "$DIALECT_URL" ] || { echo "Bail out! the $d test forge did not start"
		e2e_diag <"$E2E_TMP/$d.err"; exit 1; }
	export DIALECT_URL DIALECT_LOG
}

dialect_forge_section() {	# NAME KIND API_URL
	printf '[forge "%s"]\n\tkind = %s\n\turl = %s\n\tweb-url = %s\n\ttoken-env = GATEHOUSE_TEST_TOKEN\n' \
		"$1" "$2" "$3" "$DIALECT_URL"
}

dialect_config() {	# dialect_config NAME KIND API_URL: a config with only that forge
	local cfg=$XDG_CONFIG_HOME/gatehouse/config
	e2e_write_config
	"$PYTHON3" - "$cfg" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r'\[forge "demo"\]\n(\t[^\n]*\n)*', "", s)
open(p, "w").write(s)
PY
	dialect_forge_section "$1" "$2" "$3" >>"$cfg"
}

dialect_state() {	# the dialect forge's whole state as JSON
	curl -fsS "$DIALECT_URL/_admin/state"
}

dialect_same_heads() {	# dialect_same_heads LIST_JSON: heads listed == heads in the forge state
	dialect_state >"$E2E_TMP/state.json" || return 1
	echo "$1" | "$PYTHON3" -c '
import json, sys
st = json.load(open(sys.argv[1]))
q = json.load(sys.stdin)
for pr in q:
    want = st["prs"]["%s#%d" % (pr["repo"], pr["number"])]["head_sha"]
    assert pr["head"] == want, (pr["repo"], pr["number"], pr["head"], want)
' "$E2E_TMP/state.json" 2>&1 | e2e_diag
	return "${PIPESTATUS[1]}"
}

# dialect_check KIND REPO#N WHAT: assert what a decision left in the forge state.
dialect_check() {
	dialect_state >"$E2E_TMP/state.json" || return 1
	"$PYTHON3" - "$E2E_TMP/state.json" "$1" "$2" "$3" <<'PY' 2>&1 | e2e_diag
import json, sys
st, kind, ref, what = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
pr = st["prs"][ref]
repo = ref.split("#")[0]
head = pr["head_sha"]
mine = [r for r in pr["reviews"] if r["user"] == "reviewer"]
notes = [c for c in pr["comments"] if c["user"] == "reviewer"]
statuses = [s for s in st["statuses"].get(repo, {}).get(head, [])
            if s["context"] == "gatehouse/checkpoint"]
def has_record(text):
    return "BEGIN SSH SIGNATURE" in text and '"verdict"' in text
if what == "approve":
    assert any(r["state"] == "APPROVED" and r["commit_id"] == head for r in mine), mine
    if kind == "gitlab":
        assert any(has_record(c["body"]) for c in notes), "no note with the signed record"
    else:
        assert any(has_record(r["body"]) for r in mine if r["state"] == "APPROVED"), mine
    assert statuses and statuses[-1]["state"] == "success", statuses
elif what == "reject":
    if kind == "gitlab":
        assert any(has_record(c["body"]) and "Changes requested" in c["body"] for c in notes), notes
        assert statuses and statuses[-1]["state"] in ("failed", "failure"), statuses
    else:
        assert any(r["state"] == "CHANGES_REQUESTED" and r["commit_id"] == head
                   and has_record(r["body"]) for r in mine), mine
        assert statuses and statuses[-1]["state"] == "failure", statuses
elif what == "escalate":
    if kind == "gitlab":
        assert any(has_record(c["body"]) for c in notes), notes
    else:
        assert any(r["state"] == "COMMENTED" and has_record(r["body"]) for r in mine), mine
    assert statuses and statuses[-1]["state"] in ("pending",), statuses
    assert len(pr["labels"]) > 0
PY
	return "${PIPESTATUS[0]}"
}

dialect_flow() {	# dialect_flow KIND: show, decide three ways, verify
	local kind=$1 low=acme/web-console#202 rej=acme/web-console#204 esc=acme/payments-api#102 out rc
	out=$("$GATEHOUSE" show "$low" 2>"$E2E_TMP/err"); rc=$?
	e2e_ok $rc "show $low exits 0 on $kind"
	[ $rc -ne 0 ] && e2e_diag <"$E2E_TMP/err"
	echo "$out" | grep -qE 'diff +[0-9]+ files'; e2e_ok $? "show reads the diff from git ($kind refs)"

	out=$("$GATEHOUSE" decide "$low" --approve -m "Read every file; tests cover the change." \
		2>"$E2E_TMP/err"); rc=$?
	e2e_ok $rc "decide --approve exits 0 on $kind: $out"
	[ $rc -ne 0 ] && e2e_diag <"$E2E_TMP/err"
	dialect_check "$kind" "$low" approve
	e2e_ok $? "$kind: approval pinned to the head, signed record posted, checkpoint status success"
	out=$("$GATEHOUSE" verify "$low" 2>&1); rc=$?
	e2e_ok $rc "gatehouse verify $low exits 0 on $kind"
	echo "$out" | grep -q '^good .* approve'; e2e_ok $? "verify reports the approval as good: $out"

	out=$("$GATEHOUSE" decide "$rej" --reject -m "Changes reach beyond the task's scope." \
		2>"$E2E_TMP/err"); rc=$?
	e2e_ok $rc "decide --reject exits 0 on $kind: $out"
	[ $rc -ne 0 ] && e2e_diag <"$E2E_TMP/err"
	dialect_check "$kind" "$rej" reject
	e2e_ok $? "$kind: the rejection landed with its signed record and a failed checkpoint status"

	out=$("$GATEHOUSE" decide "$esc" --escalate -m "Token handling needs security's eyes." \
		2>"$E2E_TMP/err"); rc=$?
	e2e_ok $rc "decide --escalate exits 0 on $kind: $out"
	[ $rc -ne 0 ] && e2e_diag <"$E2E_TMP/err"
	dialect_check "$kind" "$esc" escalate
	e2e_ok $? "$kind: the escalation landed (record, label, pending status)"

	out=$("$GATEHOUSE" sync 2>&1); e2e_ok $? "sync exits 0 with nothing pending on $kind: $out"
	! grep -q "$GATEHOUSE_TEST_TOKEN" "$GATEHOUSE_TRACE" 2>/dev/null
	e2e_ok $? "the token never reaches the trace log"
}

dialect_fault() {	# dialect_fault JSON: arm one fault on the dialect forge
	curl -fsS -X POST -H 'Content-Type: application/json' "$DIALECT_URL/_admin/faults" \
		-d "[$1]" >/dev/null
}

# Gitea's trap: an answer that filed the review as PENDING (HTTP 200) is not an approval.
dialect_trap_gitea() {
	local pr=acme/payments-api#104 out rc
	dialect_fault '{"method":"POST","path_regex":"/pulls/104/reviews$","kind":"status","status":200,
		"body":{"id":999,"state":"PENDING","body":"","commit_id":"","user":{"login":"reviewer"}}}'
	out=$("$GATEHOUSE" decide "$pr" --approve -m "Docs only; tests pass." 2>&1); rc=$?
	echo "$out" | grep -q 'PENDING' && ! echo "$out" | grep -q 'signed and posted'
	e2e_ok $? "gitea: a review the forge filed as PENDING is reported, not taken for an approval (exit $rc): $out"
	dialect_state >"$E2E_TMP/state.json"
	"$PYTHON3" - "$E2E_TMP/state.json" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
pr = st["prs"]["acme/payments-api#104"]
sts = st["statuses"].get("acme/payments-api", {}).get(pr["head_sha"], [])
sys.exit(any(s["context"] == "gatehouse/checkpoint" and s["state"] == "success" for s in sts))
PY
	e2e_ok $? "gitea: and no checkpoint success status was set for it"
	grep -q '"method": "DELETE", "path": "/api/v1/repos/acme/payments-api/pulls/104/reviews/999"' \
		"$DIALECT_LOG"
	e2e_ok $? "gitea: and the pending review was deleted, so its record cannot pass for a delivery"
}

# GitLab's trap: /approve answers 409 when the head moved; nothing may claim an approval.
dialect_trap_gitlab() {
	local pr=acme/payments-api#104 out rc
	dialect_fault '{"method":"POST","path_regex":"/merge_requests/104/approve$","kind":"status",
		"status":409,"body":{"message":"SHA does not match HEAD of source branch"}}'
	out=$("$GATEHOUSE" decide "$pr" --approve -m "Docs only; tests pass." 2>&1); rc=$?
	! echo "$out" | grep -q 'signed and posted' && echo "$out" | grep -qi 'head\|SHA'
	e2e_ok $? "gitlab: a 409 from /approve is reported as a moved head (exit $rc): $out"
	dialect_state >"$E2E_TMP/state.json"
	"$PYTHON3" - "$E2E_TMP/state.json" <<'PY'
import json, sys
pr = json.load(open(sys.argv[1]))["prs"]["acme/payments-api#104"]
sys.exit(any(c["user"] == "reviewer" for c in pr["comments"]))
PY
	e2e_ok $? "gitlab: and no verdict note claims the approval"
}

dialect_queue() {	# dialect_queue KIND: the queue through the dialect's API
	local kind=$1 json rc
	json=$("$GATEHOUSE" list --json 2>"$E2E_TMP/err"); rc=$?
	e2e_ok $rc "list --json exits 0 on the $kind dialect"
	[ $rc -ne 0 ] && e2e_diag <"$E2E_TMP/err"
	echo "$json" | "$PYTHON3" -c '
import json, sys
q = json.load(sys.stdin)
assert len(q) >= 12, len(q)
for pr in q:
    assert pr["forge"] == sys.argv[1], pr["forge"]
    assert len(pr["head"]) == 40
' "$kind" 2>&1 | e2e_diag
	e2e_ok ${PIPESTATUS[1]} "the queue holds the demo PRs, from forge $kind, with head SHAs"
	dialect_same_heads "$json"
	e2e_ok $? "each PR's head is the forge's head_sha"
}


# A push moves the head: the forge's API and git ref (refs/pull or refs/merge-requests) follow.
dialect_push() {	# dialect_push KIND
	local new out
	new=$(curl -fsS -X POST -H 'Content-Type: application/json' "$DIALECT_URL/_admin/pr" \
		-d '{"repo":"acme/web-console","number":201,"push":{"message":"more","files":{"NOTES.md":"x\n"}}}' |
		"$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["head_sha"])')
	out=$("$GATEHOUSE" show acme/web-console#201 --json 2>"$E2E_TMP/err")
	echo "$out" | "$PYTHON3" -c '
import json, sys
pr = json.load(sys.stdin)
assert pr["head"] == sys.argv[1], pr["head"]
assert not any("stale" in json.dumps(f).lower() for f in pr.get("flags", [])), pr.get("flags")
' "$new" 2>&1 | e2e_diag
	e2e_ok "${PIPESTATUS[1]}" "$1: after a push, show reads the new head ${new:0:12} through API and git"
	! grep -qi 'stale\|fetch' "$E2E_TMP/err"; e2e_ok $? "$1: and the mirror fetched that head (no stale or fetch warning)"
	[ -s "$E2E_TMP/err" ] && e2e_diag <"$E2E_TMP/err"
	return 0
}

# The traffic of this test against the forge's published API description (see
# tests/forge/test_gitea_contract.py); the schemas come from npm packages installed by
# `npm --prefix tests/fixtures/multiforge ci` (./bootstrap), else the check is skipped.
dialect_contract() {	# dialect_contract KIND API_SUFFIX
	local pkg=gitea-js dts
	[ "$1" = gitlab ] && pkg=@gitbeaker/core
	dts=$top_srcdir/tests/fixtures/multiforge/node_modules/$pkg/dist/index.d.ts
	if [ ! -f "$dts" ]; then
		e2e_n=$((e2e_n + 1))
		echo "ok $e2e_n # SKIP $pkg not installed (npm --prefix tests/fixtures/multiforge ci)"
		return 0
	fi
	"$PYTHON3" "$top_srcdir/tests/forge/test_gitea_contract.py" "$1" "$dts" "$DIALECT_LOG" \
		"$DIALECT_URL$2" "$GATEHOUSE_TEST_TOKEN" 2>&1 | e2e_diag
	e2e_ok "${PIPESTATUS[0]}" "$1: requests and answers match $pkg's schemas (and forge-api.md 2.1)"
}
