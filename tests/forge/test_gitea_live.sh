#!/bin/bash
# The real gatehouse binary against the test forge speaking Gitea's API v1
# (fakeforge.py --dialect gitea) on the demo scenario: list, show, decide
# --approve/--reject/--escalate, verify, and what landed in the forge's state.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
. "$top_srcdir/tests/forge/test_gitea_lib.sh"
e2e_init demo
dialect_start gitea
dialect_config gitea gitea "$DIALECT_URL/api/v1"

gh() { "$GATEHOUSE" "$@"; }

json=$(gh list --json 2>"$E2E_TMP/err"); rc=$?
e2e_ok $rc "list --json exits 0 on the Gitea dialect"
[ $rc -ne 0 ] && e2e_diag <"$E2E_TMP/err"
echo "$json" | "$PYTHON3" -c '
import json, sys
q = json.load(sys.stdin)
assert len(q) >= 12, len(q)
for pr in q:
    assert pr["forge"] == "gitea", pr["forge"]
    assert len(pr["head"]) == 40
' 2>&1 | e2e_diag
e2e_ok ${PIPESTATUS[1]} "the queue holds the demo PRs, from forge gitea, with head SHAs"
dialect_same_heads "$json"
e2e_ok $? "each PR's head is the forge's head_sha"

dialect_flow gitea
dialect_trap_gitea
e2e_finish
