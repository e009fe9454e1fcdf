#!/bin/bash
# The real gatehouse binary against the test forge speaking Gitea's API v1
# (fakeforge.py --dialect gitea) on the demo scenario: list, show, decide
# --approve/--reject/--escalate, verify, and what landed in the forge's state.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
. "$top_srcdir/tests/forge/test_gitea_lib.sh"
e2e_init demo
dialect_start gitea
dialect_config gitea gitea "$DIALECT_URL/api/v1"

dialect_queue gitea
dialect_flow gitea
dialect_trap_gitea
dialect_push gitea
dialect_contract gitea /api/v1
e2e_finish
