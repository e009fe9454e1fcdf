#!/bin/sh
# The demo forge's gatehouse config and token, shared by tools/demo.sh and
# the end-to-end tests (tests/e2e/lib.sh).
#
#   tools/demo-config.sh config FORGE_URL SIGNING_KEY.pub ALLOWED_SIGNERS TOKEN_ENV
#   tools/demo-config.sh token SCENARIO.json     (the reviewer's token)
set -eu
case ${1:-} in
config)
	url=$2 key=$3 allowed=$4 token_env=$5
	cat <<CFG
# Written by tools/demo-config.sh for the bundled demo forge.
[forge "demo"]
	kind = github
	url = $url/api/v3
	graphql-url = $url/api/graphql
	web-url = $url
	token-env = $token_env
[sign]
	key = $key
	allowed-signers = $allowed
[template "lgtm"]
	verdict = approve
	text = "Read the whole diff; gates pass; scope matches the task."
[template "scope"]
	verdict = reject
	text = "Changes reach beyond the task's declared scope."
[template "security"]
	verdict = escalate
	text = "Touches authentication; needs a security owner."
CFG
	;;
token)
	python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(next(t for t, u in s["tokens"].items() if u == s["default_user"]))' "$2"
	;;
*)
	sed -n '2,7p' "$0" >&2
	exit 2
	;;
esac
