#!/bin/bash
# The GitHub backend against the test forge (tests/fakeforge) on the demo
# scenario: queue, details, every write, checked in the forge's own state;
# faults (5xx, rate limits, malformed and huge bodies, drops) end in clear
# messages.  Then the same reads and writes through Prism with GitHub's
# OpenAPI description (--errors), when tests/contract is installed, with every
# GraphQL document the forge received validated against GitHub's schema.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bld=${top_builddir:-.}
cli=$bld/tests/forge/forgecli
n=0
fails=0
ok() {	# ok COND-EXIT-STATUS "description"
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
have() { grep -q -- "$2" <<<"$1"; }

if ! command -v python3 >/dev/null || [ ! -x "$cli" ] || [ ! -f "$top/tests/fakeforge/fakeforge.py" ]; then
	echo "1..0 # SKIP python3, forgecli or the test forge missing"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/gth-forge-live.XXXXXX")
cleanup() {
	[ -f "$work/state/forge.pid" ] && kill "$(cat "$work/state/forge.pid")" 2>/dev/null
	[ -n "${bigpid:-}" ] && kill "$bigpid" 2>/dev/null
	type contract_stop >/dev/null 2>&1 && contract_stop
	rm -rf "$work"
}
trap cleanup EXIT
if ! "$top/tests/fixtures/demo/run-demo-forge.sh" "$work/state" >"$work/url" 2>"$work/start.err"; then
	echo "1..0 # SKIP the demo forge did not start: $(tail -1 "$work/start.err")"
	exit 0
fi
U=$(tail -1 "$work/url")
GH_TOKEN=$(cat "$work/state/token")
export GH_TOKEN GATEHOUSE_TRACE=$work/trace.log
F() { "$cli" --api "$U" --web "$U" --cache "$work/cache" "$@"; }
state() { curl -s "$U/_admin/state" | python3 -c "import json,sys; s=json.load(sys.stdin); $1"; }
fault() { curl -s -X POST -d "$1" "$U/_admin/faults" >/dev/null; }
clear_faults() { curl -s -X DELETE "$U/_admin/faults" >/dev/null; }

out=$(F whoami 2>&1)
have "$out" "login reviewer"; ok $? "whoami: the token's login"

out=$(F --stats queue 2>&1)
have "$out" "total 19"; ok $? "queue: 19 PRs need a checkpoint (labelled or review requested, merged)"
have "$out" "acme/payments-api#105 .*task=performance"; ok $? "task template read from the body"
have "$out" "acme/payments-api#102 .*author=devin-ai-integration bot=1 .*teams=security .*test:fail"
ok $? "bot author, requested team, failing gate"
have "$out" "acme/web-console#203 .*unit-tests:awaiting-approval"; ok $? "a check waiting for approval"
have "$out" "clone=$U/acme/infra.git"; ok $? "clone URL from the configured web URL"
have "$out" "stats requests=4 "; ok $? "cold refresh: 2 searches + 2 GraphQL pages ($(grep stats <<<"$out"))"
out=$(F --stats queue 2>&1)
have "$out" "total 19" && have "$out" "stats requests=2 not_modified=2 "
ok $? "warm refresh: two 304s, no GraphQL ($(grep stats <<<"$out"))"
out=$(F --max-age -1 --stats queue 2>&1)
have "$out" "total 19" && have "$out" "stats requests=2 not_modified=0"
ok $? "with the cache disabled: GraphQL only ($(grep stats <<<"$out"))"

# Enterprise Server layout: only the REST base is configured; GraphQL and web URLs derived
out=$("$cli" --api "$U/api/v3" queue 2>&1)
have "$out" "total 19" && have "$out" "clone=$U/acme/infra.git"
ok $? "GHES: /api/v3 configured, /api/graphql and the web URL derived"

out=$(F details acme/payments-api 102 2>&1)
have "$out" "^head=edbf073b" && have "$out" "check run test fail" && have "$out" "files=[1-9]"
ok $? "details: head, check runs, files"
have "$out" "annotations=[1-9]"; ok $? "details: annotations of the failing run"

head=$(state "print(s['prs']['acme/infra#303']['head_sha'])")
out=$(F review acme/infra 303 APPROVE "$head" "Checked the plan." 2>&1)
have "$out" "^review [0-9]"; ok $? "approve posted: $out"
state "r=s['prs']['acme/infra#303']['reviews'][-1]; sys.exit(not (r['state']=='APPROVED' and r['commit_id']=='$head' and r['user']=='reviewer'))"
ok $? "forge holds an APPROVED review by reviewer pinned to the head"
# a line inside the first hunk of the first file with a patch
where=$(curl -s -H "Authorization: Bearer $GH_TOKEN" "$U/repos/acme/infra/pulls/303/files" | python3 -c "
import json, re, sys
f = next(f for f in json.load(sys.stdin) if f.get('patch'))
print('%s:%s' % (f['filename'], re.match(r'@@ -\\d+(?:,\\d+)? \\+(\\d+)', f['patch']).group(1)))")
out=$(F review acme/infra 303 REQUEST_CHANGES "$head" "Two things." "$where:RIGHT:why this line?" 2>&1)
have "$out" "^review [0-9]"; ok $? "request-changes with an inline comment posted: $out"
state "r=s['prs']['acme/infra#303']['reviews'][-1]; sys.exit(not (r['state']=='CHANGES_REQUESTED' and len(r.get('comments') or [])==1))"
ok $? "forge holds CHANGES_REQUESTED with one inline comment"
out=$(F review acme/infra 303 APPROVE 0000000000000000000000000000000000000000 "x" 2>&1)
have "$out" "error HTTP 422: .*[a-z]" && ! have "$out" "error HTTP 422: HTTP 422"
ok $? "a refused review shows the forge's message: $out"

long=$(python3 -c "print('é' * 200)")
out=$(F status acme/infra "$head" success "$long" 2>&1)
have "$out" "status posted"; ok $? "status with a 200-character description posted: $out"
state "st=s['statuses']['acme/infra']['$head'][-1]; sys.exit(not (st['context']=='gatehouse/checkpoint' and st['state']=='success' and len(st['description'])==140))"
ok $? "forge holds gatehouse/checkpoint success, description cut to 140 characters"
out=$(F labels acme/infra 303 checkpoint:approved 2>&1)
state "sys.exit(not 'checkpoint:approved' in s['prs']['acme/infra#303']['labels'])"
ok $? "label added"
out=$(F reviewers acme/infra 303 maria-sec --team security 2>&1)
state "p=s['prs']['acme/infra#303']; sys.exit(not ('maria-sec' in p['requested_reviewers'] and 'security' in p['requested_teams']))"
ok $? "reviewer and team requested: $out"
out=$(F comment acme/infra 303 "escalated to security" 2>&1)
have "$out" "comment posted"; ok $? "comment posted"
out=$(F reviews acme/infra 303 2>&1)
have "$out" "reviewer APPROVED $head"; ok $? "list_reviews shows our approval pinned to the head"

# the warm refresh must notice changes: our label, and a new head pushed to a PR
out=$(F --stats queue 2>&1)
have "$out" "acme/infra#303 .*labels=[^ ]*checkpoint:approved"
ok $? "after a label is added, the refresh is not served stale ($(grep stats <<<"$out"))"
new=$(curl -s -X POST -d '{"repo":"acme/infra","number":302,"push":{"message":"more","files":{"NEWFILE.md":"x\n"}}}' \
	"$U/_admin/pr" | python3 -c "import json,sys; print(json.load(sys.stdin)['head_sha'])")
out=$(F --stats queue 2>&1)
have "$out" "acme/infra#302 head=$new"; ok $? "after a push, the refresh shows the new head ($(grep stats <<<"$out"))"
out=$(F --stats queue 2>&1)
have "$out" "stats requests=2 not_modified=2 "; ok $? "and the next refresh is warm again"

# faults
fault '[{"method":"GET","path_regex":"/check-runs$","kind":"status","status":502,"count":2}]'
out=$(F details acme/payments-api 102 2>&1)
have "$out" "check run test fail"; ok $? "two 502s on check runs are retried away"
clear_faults
fault '[{"method":"POST","path_regex":"^/graphql","kind":"ratelimit_403","reset_in":3600,"count":1}]'
start=$(date +%s)
out=$(F --max-age -1 queue 2>&1)
have "$out" "error RATELIMIT 403: .*UTC"; ok $? "exhausted limit with a far reset: stop with the reset time: $out"
[ $(($(date +%s) - start)) -lt 10 ]; ok $? "without sleeping until the reset"
clear_faults
fault '[{"method":"POST","path_regex":"^/graphql","kind":"ratelimit_429","retry_after":1,"count":1}]'
out=$(F --max-age -1 queue 2>&1)
have "$out" "total 19"; ok $? "429 + Retry-After: 1 waited out"
clear_faults
fault '[{"method":"POST","path_regex":"^/graphql","kind":"malformed","body":"{\"data\": {","count":-1}]'
out=$(F --max-age -1 queue 2>&1)
have "$out" "error PARSE .*malformed JSON"; ok $? "malformed GraphQL answer: $out"
clear_faults
fault '[{"method":"GET","path_regex":"^/user$","kind":"huge","count":1}]'
out=$(F whoami 2>&1)
have "$out" "error TOOBIG .*MiB limit"; ok $? "a 50 MB body is refused: $out"
clear_faults
fault '[{"method":"GET","path_regex":"^/user$","kind":"truncated","missing":10,"count":-1}]'
out=$(timeout 60 "$cli" --api "$U" whoami 2>&1)
have "$out" "error NET"; ok $? "a truncated body ends in a network error after retries: $out"
clear_faults
before=$(state "print(len(s['prs']['acme/infra#302']['reviews']))")
fault '[{"method":"POST","path_regex":"/reviews$","kind":"drop_after","count":1}]'
h302=$(state "print(s['prs']['acme/infra#302']['head_sha'])")
out=$(F review acme/infra 302 COMMENT "$h302" "note" 2>&1)
have "$out" "error NET"; ok $? "a write whose answer is lost reports NET: $out"
after=$(state "print(len(s['prs']['acme/infra#302']['reviews']))")
[ "$after" -eq $((before + 1)) ]; ok $? "and was not retried (one review landed, the outbox decides)"
clear_faults
! grep -q "$GH_TOKEN" "$work/trace.log"; ok $? "the token is not in the trace log"
grep -q "GET /user -> 200" "$work/trace.log"; ok $? "the trace log shows requests"

# A queue larger than search shows (1,000 results a query): 2,500 PRs, 2,250
# of them under the label query, read in windows of creation time.
mkdir -p "$work/big"
python3 "$top/tests/fakeforge/genscenario.py" --prs 2500 --repos 10 --distinct-heads 20 \
	--out "$work/big/sc.json" >/dev/null 2>&1
python3 "$top/tests/fakeforge/fakeforge.py" --scenario "$work/big/sc.json" --port 0 \
	--state-dir "$work/big/state" --log "$work/big/log.jsonl" >"$work/big/out" 2>"$work/big/err" &
bigpid=$!
for _ in $(seq 1 300); do
	BU=$(sed -n 's/^listening \(http[^ ]*\).*/\1/p' "$work/big/out" 2>/dev/null)
	[ -n "$BU" ] && break
	sleep 0.1
done
out=$(GH_TOKEN=$(python3 -c 'import json,sys; print(next(iter(json.load(open(sys.argv[1]))["tokens"])))' \
	"$work/big/sc.json") "$cli" --api "$BU" --web "$BU" --cache "$work/big/cache" --stats queue 2>&1)
have "$out" "^total 2500$"; ok $? "a queue of 2,500 PRs is listed whole ($(grep '^total' <<<"$out"))"
[ "$(grep -c '^bench[0-9]/svc-[0-9]*#[0-9]* ' <<<"$out")" -eq 2500 ] &&
	[ "$(grep -o '^bench[0-9]/svc-[0-9]*#[0-9]* ' <<<"$out" | sort -u | wc -l)" -eq 2500 ]
ok $? "each of them once"
grep -q 'created:\*\.\.20' "$work/big/log.jsonl"; ok $? "the label query was read in windows of creation time"
kill "$bigpid" 2>/dev/null
wait "$bigpid" 2>/dev/null
bigpid=

# through Prism, with GitHub's OpenAPI description
if [ -f "$top/tests/contract/lib.sh" ]; then
	. "$top/tests/contract/lib.sh"
	if contract_require >/dev/null && contract_start 2>"$work/contract.err"; then
		export GH_TOKEN=$CONTRACT_TOKEN
		P() { "$cli" --api "$PRISM_URL" --graphql "$FORGE_URL/graphql" --web "$FORGE_URL" \
			--cache "$work/pcache" "$@"; }
		out=$(P queue 2>&1); have "$out" "total 19"; ok $? "Prism: queue (search through the proxy)"
		out=$(P details acme/payments-api 102 2>&1); have "$out" "check run test fail"
		ok $? "Prism: details (pull, check runs, status, reviews, files, commits, annotations)"
		h=$(curl -s "$FORGE_URL/_admin/state" | python3 -c "import json,sys; print(json.load(sys.stdin)['prs']['acme/infra#301']['head_sha'])")
		out=$(P review acme/infra 301 COMMENT "$h" "Looks fine." 2>&1); have "$out" "^review [0-9]"
		ok $? "Prism: review accepted by the description: $out"
		out=$(P status acme/infra "$h" pending "checkpoint escalated" 2>&1); have "$out" "status posted"
		ok $? "Prism: status: $out"
		out=$(P labels acme/infra 301 escalated 2>&1); have "$out" "labels posted"; ok $? "Prism: labels: $out"
		out=$(P reviewers acme/infra 301 maria-sec --team security 2>&1); have "$out" "reviewers posted"
		ok $? "Prism: reviewers: $out"
		out=$(P comment acme/infra 301 "note" 2>&1); have "$out" "comment posted"; ok $? "Prism: comment: $out"
		out=$(P whoami 2>&1); have "$out" "login reviewer"; ok $? "Prism: whoami"
		(cd "$top/tests/contract" && node validate-graphql.mjs --log "$FORGE_LOG") >"$work/gql.out" 2>&1
		ok $? "every GraphQL document sent validates against GitHub's schema"
		! grep -q "sl-violations\|VIOLATIONS\|UNPROCESSABLE_ENTITY\|NO_PATH_MATCHED" "$work/contract.err" \
			"$STATE_DIR/prism.log" 2>/dev/null
		ok $? "Prism reported no violations"
		contract_stop
	else
		echo "# contract suite skipped: $(tail -1 "$work/contract.err" 2>/dev/null)"
	fi
fi
echo "1..$n"
exit 0
