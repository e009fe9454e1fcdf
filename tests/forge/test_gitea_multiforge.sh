#!/bin/bash
# One config holding a GitHub, a GitLab and a Gitea forge (three test forges
# serving the demo scenario in their dialects): `gatehouse list --json` shows
# one merged queue with every forge's PRs, each under its forge's name.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
. "$top_srcdir/tests/forge/test_gitea_lib.sh"
e2e_init demo
cfg=$XDG_CONFIG_HOME/gatehouse/config
dialect_start gitlab
dialect_forge_section corp-gitlab gitlab "$DIALECT_URL/api/v4" >>"$cfg"
dialect_start gitea
dialect_forge_section forgejo gitea "$DIALECT_URL/api/v1" >>"$cfg"

json=$("$GATEHOUSE" list --json 2>"$E2E_TMP/err"); rc=$?
e2e_ok $rc "list --json exits 0 with three forges configured"
[ $rc -ne 0 ] && e2e_diag <"$E2E_TMP/err"
echo "$json" | "$PYTHON3" -c '
import collections, json, sys
q = json.load(sys.stdin)
by = collections.Counter(pr["forge"] for pr in q)
assert set(by) == {"demo", "corp-gitlab", "forgejo"}, by
assert all(n >= 12 for n in by.values()), by
refs = collections.defaultdict(set)
for pr in q:
    refs[pr["forge"]].add("%s#%d" % (pr["repo"], pr["number"]))
assert refs["demo"] == refs["corp-gitlab"] == refs["forgejo"], refs
' 2>&1 | e2e_diag
e2e_ok ${PIPESTATUS[1]} "one merged queue: the demo PRs from each of github, gitlab and gitea, named by forge"
n=$("$GATEHOUSE" list 2>/dev/null | grep -c '#[0-9]')
[ "$n" -ge 36 ]; e2e_ok $? "the plain list shows the merged queue too ($n PRs)"
e2e_finish
