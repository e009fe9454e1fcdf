#!/bin/bash
# Delivery against the test forge when the forge misbehaves, over real HTTP:
# the forge commits the review and drops the connection; a storm of 502s;
# the forge down altogether.  Each decision is recorded first, delivered
# later by `gatehouse sync`, and lands exactly once.  A post whose answer
# was lost is posted again only after core.outbox-settle (60 s by default,
# for forges whose lists lag writes); the test forge's lists do not lag, so
# the retries after that check run with it at 0.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_init demo

gh() { "$GATEHOUSE" "$@"; }
gh0() { "$GATEHOUSE" -c core.outbox-settle=0 "$@"; }
fault() {	# fault JSON: install faults on the forge
	curl -fsS -X POST -H 'Content-Type: application/json' "$FORGE_URL/_admin/faults" -d "$1" >/dev/null
}
reviews_with() {	# reviews_with REPO N ID: how many reviews on the forge carry decision ID
	curl -fsS "$FORGE_URL/_admin/state" | "$PYTHON3" -c '
import json, sys
st = json.load(sys.stdin)
repo, n, ident = sys.argv[1], int(sys.argv[2]), sys.argv[3]
prs = st["prs"].values() if isinstance(st["prs"], dict) else st["prs"]
pr = next(p for p in prs if p["repo"] == repo and int(p["number"]) == n)
print(sum(1 for r in pr["reviews"] if ident in (r.get("body") or "")))' "$@"
}
decision_id() { sed -n 's/.*decision \([0-9A-Z]\{26\}\).*/\1/p'; }

# 1. The forge commits the review, then drops the connection before answering.
fault '[{"method":"POST","path_regex":"/pulls/202/reviews$","kind":"drop_after","count":1}]'
out=$(gh decide acme/web-console#202 --approve -m "Tests only; read them all." 2>&1); rc=$?
id=$(echo "$out" | decision_id)
[ $rc -eq 9 ] && [ -n "$id" ]; e2e_ok $? "a dropped answer leaves the decision recorded, not delivered (exit $rc)"
[ "$(reviews_with acme/web-console 202 "$id")" = 1 ]; e2e_ok $? "the forge did commit that review once"
out=$(gh sync 2>&1); e2e_ok $? "sync finishes the delivery: $(echo "$out" | tail -1)"
[ "$(reviews_with acme/web-console 202 "$id")" = 1 ]; e2e_ok $? "and finds the posted review instead of posting it twice"
forge_requests POST "/repos/acme/web-console/statuses/" | grep -q 'gatehouse/checkpoint'
e2e_ok $? "the checkpoint status was set after the retry"

# 2. A storm of 502s on reviews: nothing lost, delivered once it passes.
fault '[{"method":"POST","path_regex":"/pulls/104/reviews$","kind":"status","status":502,"count":3}]'
out=$(gh decide acme/payments-api#104 --approve -m "Docs match the code." 2>&1); rc=$?
id=$(echo "$out" | decision_id)
[ $rc -eq 9 ] && [ -n "$id" ]; e2e_ok $? "a 502 keeps the decision in the outbox (exit $rc)"
for i in 1 2 3 4; do gh sync >/dev/null 2>&1 && break; done
[ "$(reviews_with acme/payments-api 104 "$id")" = 1 ]; e2e_ok $? "after the storm it is delivered exactly once"

# 3. The forge is down for reviews a while: recorded, kept, then delivered once.
fault '[{"method":"POST","path_regex":"/pulls/204/reviews$","kind":"drop_before","count":-1}]'
out=$(gh decide acme/web-console#204 --reject -m "Scope creep: unrelated storage change." 2>&1); rc=$?
id=$(echo "$out" | decision_id)
[ $rc -eq 9 ] && [ -n "$id" ]; e2e_ok $? "with the forge not answering, the decision is recorded (exit $rc)"
posts() { forge_requests POST "/pulls/204/reviews\$" | wc -l; }
before=$(posts)
out=$(gh sync 2>&1); rc=$?
[ $rc -eq 9 ] && echo "$out" | grep -q "^retry *$id  review: the last post's outcome is unknown; checking the forge again after [0-9:]* (in [0-9]* s)"
e2e_ok $? "within the settle time, sync says the last post's outcome is unknown (exit $rc): $(echo "$out" | head -1)"
[ "$(posts)" = "$before" ]; e2e_ok $? "and does not post the review again"
gh0 sync >/dev/null 2>&1; rc1=$?
gh0 sync >/dev/null 2>&1; rc2=$?
[ $rc1 -eq 9 ] && [ $rc2 -eq 9 ]; e2e_ok $? "sync keeps it pending while the forge is down ($rc1, $rc2)"
[ "$(posts)" -eq $((before + 2)) ]; e2e_ok $? "each of those syncs tried the post again"
[ "$(reviews_with acme/web-console 204 "$id")" = 0 ]; e2e_ok $? "nothing reached the forge meanwhile"
curl -fsS -X DELETE "$FORGE_URL/_admin/faults" >/dev/null
gh0 sync >/dev/null 2>&1; e2e_ok $? "once the forge is back, sync delivers it"
[ "$(reviews_with acme/web-console 204 "$id")" = 1 ]; e2e_ok $? "exactly once"
forge_requests POST "/repos/acme/web-console/pulls/204/reviews\$" | grep -q '"event": *"REQUEST_CHANGES"'
e2e_ok $? "as a request-changes review"
gh log --verify >/dev/null; e2e_ok $? "the audit log verifies through all of it"
e2e_finish
