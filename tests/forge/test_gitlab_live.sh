#!/bin/bash
# The real gatehouse binary against the test forge speaking GitLab's API v4
# (fakeforge.py --dialect gitlab) on the demo scenario: list, show, decide
# --approve/--reject/--escalate, verify, and what landed in the forge's state.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
. "$top_srcdir/tests/forge/test_gitea_lib.sh"
e2e_init demo
dialect_start gitlab
dialect_config gitlab gitlab "$DIALECT_URL/api/v4"

dialect_queue gitlab
dialect_flow gitlab
dialect_trap_gitlab
dialect_push gitlab
dialect_contract gitlab /api/v4
e2e_finish
