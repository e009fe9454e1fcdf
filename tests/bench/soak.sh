#!/bin/bash
# The load and soak test: the real binary in tmux at 160x48 on a test forge
# serving a queue of GTH_SOAK_PRS PRs that need a checkpoint (10,000 by
# default, over 20 repositories, so each query matches more than search's
# 1,000), one of them the 2,000-file PR of the benchmarks (tests/bench/mkbigpr.py)
# with its repository over git smart HTTP.  tests/bench/soak.py types
# GTH_SOAK_KEYS keys as fast as the console answers: "8 hours of use" is one
# key every 2 s for 8 hours, 14,400 keys, with as many queue refreshes as 8
# hours at the default 5-minute interval would see (96), while the forge moves
# PRs on (pushes, check results, titles) and some PRs get signed decisions.
# Memory is sampled every 1/200 of the keys, and after each refresh that the
# keys left to do at the end; the series goes to a CSV.
#
# Passes when the program lives to the end, every PR of the queue was listed,
# every key was answered, no request failed, the decisions were posted, and
# memory is flat: the last quarter's peak RSS (of the keys, and the
# refreshes after them) is within max(2 MiB, 5 %) of the second quarter's,
# and so is the peak of the
# main arena (the [heap] mapping, where the UI thread allocates) within
# max(256 KiB, 5 %); and over the refreshes after the keys alone, the last
# quarter's peak of the bytes allocated (gatehouse logs them after each
# refresh) is within max(2 MiB, 5 %) of the first quarter's.
#
#	make soak                                  (the full run: 20 to 60 minutes)
#	tests/bench/test_soak.sh                   (the short run of make check)
#
# Environment: GTH_SOAK_KEYS (14400), GTH_SOAK_PRS (10000), GTH_SOAK_REPOS (20),
# GTH_SOAK_HEADS (distinct head commits, default one per PR), GTH_SOAK_BIG_FILES
# (2000), GTH_SOAK_REFRESHES (96), GTH_SOAK_BIG_OPENS (times the big PR is
# opened, 8), GTH_SOAK_DECISIONS (signed decisions, 12), GTH_SOAK_RSS_MARGIN
# (percent, 5), GTH_SOAK_DATA (where the generated scenario
# and repositories are kept between runs; default a temporary directory),
# GTH_SOAK_CSV (the memory series; default soak-memory.csv in the current
# directory).  Prints TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

keys=${GTH_SOAK_KEYS:-14400}
prs=${GTH_SOAK_PRS:-10000}
repos=${GTH_SOAK_REPOS:-20}
heads=${GTH_SOAK_HEADS:-$prs}
big_files=${GTH_SOAK_BIG_FILES:-2000}
refreshes=${GTH_SOAK_REFRESHES:-96}
big_opens=${GTH_SOAK_BIG_OPENS:-8}
decisions=${GTH_SOAK_DECISIONS:-12}
rss_margin=${GTH_SOAK_RSS_MARGIN:-5}
csv=${GTH_SOAK_CSV:-$(pwd)/soak-memory.csv}

e2e_env
mkdir -p "$(dirname "$csv")"
data=${GTH_SOAK_DATA:-$E2E_TMP/data}
mkdir -p "$data"

# The scenario: PRS-1 generated PRs plus the 2,000-file one in acme/big.
gen=$data/gen-$prs-$repos-$heads.json
if [ ! -f "$gen" ]; then
	"$PYTHON3" "$top_srcdir/tests/fakeforge/genscenario.py" --prs $((prs - 1)) --repos "$repos" \
		--distinct-heads "$heads" --out "$gen.tmp" --git-out "$data/git-$prs-$repos-$heads" \
		>/dev/null || { echo "Bail out! could not generate the scenario"; exit 1; }
	mv "$gen.tmp" "$gen"
fi
gitroot=$data/git-$prs-$repos-$heads
"$PYTHON3" "$top_srcdir/tests/bench/mkbigpr.py" --files "$big_files" "$gitroot/big-$big_files.git" ||
	{ echo "Bail out! could not generate the big PR"; exit 1; }
scenario=$E2E_TMP/scenario.json
"$PYTHON3" - "$gen" "$scenario" "$big_files" <<'PY'
import json, sys
sc = json.load(open(sys.argv[1]))
files = int(sys.argv[3])
sc["repos"].append({"owner": "acme", "name": "big", "git": "big-%d.git" % files,
                    "required_checks": ["build", "test"], "required_approvals": 1,
                    "labels": [{"name": "needs-checkpoint", "color": "d93f0b"}]})
sc["prs"].append({"repo": "acme/big", "number": 1, "author": "claude[bot]",
                  "title": "Mass refactor: compute() takes delta in %d modules" % files,
                  "head": "agent/mass-refactor", "base": "main", "labels": ["needs-checkpoint"],
                  "requested_reviewers": ["reviewer"], "created_at": "2025-11-17T08:00:00Z",
                  "body": "## Summary\nRenames beta to delta across every module.\n",
                  "checks": [{"name": "build", "conclusion": "success"},
                             {"name": "test", "conclusion": "success"}]})
# The soak measures memory over hours of use, not GitHub's hourly budgets.
sc["rate_limits"] = {"core": 10 ** 7, "search": 10 ** 6, "graphql": 10 ** 7}
json.dump(sc, open(sys.argv[2], "w"))
PY
# Times move to now, so ages and SLAs read as on a working day.
E2E_FORGE_WAIT=6000 e2e_forge "$scenario" "$gitroot" --warm --shift-times-from 2025-11-24T08:00:00Z
export GATEHOUSE_TEST_TOKEN=$("$top_srcdir/tools/demo-config.sh" token "$scenario")
e2e_agent
e2e_write_config
printf '[queue]\n\trefresh = 30s\n' >>"$XDG_CONFIG_HOME/gatehouse/config"

tui_start 160 48
gpid=""
for _ in $(seq 1 100); do
	# the program (under valgrind when GATEHOUSE is valgrind-gatehouse.sh), or
	# its child when GATEHOUSE is a wrapper that forks (gdb)
	gpid=$(pgrep -P "$(tui_pid)" -x 'gatehouse|memcheck-amd64-' | head -1)
	[ -z "$gpid" ] && for c in $(pgrep -P "$(tui_pid)"); do
		gpid=$(pgrep -P "$c" -x 'gatehouse|memcheck-amd64-' | head -1)
		[ -n "$gpid" ] && break
	done
	[ -n "$gpid" ] && break
	sleep 0.1
done
[ -n "$gpid" ] || { echo "Bail out! gatehouse did not start"; exit 1; }
tui_wait "checkpoint queue: $prs PRs" 600
e2e_ok $? "the queue lists all $prs PRs at 160x48 ($(tui_screen | head -1 | sed 's/  */ /g'))"

"$PYTHON3" "$top_srcdir/tests/bench/soak.py" --socket "$e2e_tmux_socket" --pid "$gpid" \
	--forge "$FORGE_URL" --forge-log "$FORGE_LOG" --scenario "$scenario" --keys "$keys" \
	--refreshes "$refreshes" --big "acme/big#1" --big-opens "$big_opens" --decisions "$decisions" \
	--rss-margin "$rss_margin" --trace "$GATEHOUSE_TRACE" \
	--csv "$csv" --summary "$E2E_TMP/summary.json"
e2e_ok $? "the session ran to its end"
[ -f "$E2E_TMP/summary.json" ] || { echo "Bail out! no summary"; e2e_finish; }
S() { "$PYTHON3" -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$E2E_TMP/summary.json"; }
echo "# memory series: $csv"
S '"\n".join("# %s: %s" % kv for kv in s.items())'

[ "$(S 's["alive"]')" = True ]; e2e_ok $? "gatehouse is alive after $(S 's["keys"]') keys ($(S 's["seconds"]') s)"
[ "$(S 's["keys"] >= s["keys_target"]')" = True ]; e2e_ok $? "all $keys keys were typed"
[ "$(S 's["slow_keys"]')" -eq 0 ]; e2e_ok $? "every key was answered within 5 s ($(S 's["slow_keys"]') not)"
[ "$(S 's["refreshes"] >= s["refreshes_target"]')" = True ]
e2e_ok $? "$(S 's["refreshes"]') queue refreshes (8 hours at 5 minutes: $refreshes)"
[ "$(S 'max(s["queue_counts"] or [0]) >= '"$prs")" = True ]
e2e_ok $? "the queue showed all $prs PRs (counts seen: $(S 's["queue_counts"][-5:]'))"
[ "$(S 's["big_opened"] == s["big_tried"] > 0')" = True ]
e2e_ok $? "the 2,000-file PR was loaded $(S 's["big_opened"]') times of $(S 's["big_tried"]')"
[ "$(S 's["forge_errors"]')" -eq 0 ]; e2e_ok $? "no request failed at the forge"
[ "$(S 's["screen_errors"]')" -eq 0 ]; e2e_ok $? "no error on the screen $(S 's["screen_error_lines"][:3]')"
[ "$(S 's["decisions_asked"] > 0 and s["decisions_posted"] == s["decisions_asked"]')" = True ]
e2e_ok $? "$(S 's["decisions_posted"]') of $(S 's["decisions_asked"]') signed decisions posted"
[ "$(S 's["flat"]')" = True ]
e2e_ok $? "memory is flat: RSS start $(S 's["rss_start_kb"]') kB, peak $(S 's["rss_peak_kb"]') kB, end $(S 's["rss_end_kb"]') kB; second-quarter peak $(S 's["rss_q2_peak_kb"]') kB, last-quarter peak $(S 's["rss_q4_peak_kb"]') kB (margin $(S 's["margin_kb"]') kB); main arena $(S 's["heap_q2_peak_kb"]') kB then $(S 's["heap_q4_peak_kb"]') kB (margin $(S 's["heap_margin_kb"]') kB); over the $(S 's["tail_refreshes_logged"]') refreshes after the keys $(S 's["allocated_tail_first_quarter_peak_kb"]') kB allocated then $(S 's["allocated_tail_last_quarter_peak_kb"]') kB (margin $(S 's["allocated_margin_kb"]') kB), resident $(S 's["rss_tail_first_quarter_peak_kb"]') kB then $(S 's["rss_tail_last_quarter_peak_kb"]') kB"
tui_keys Escape q q Q
tui_wait "[exit 0]" 300; e2e_ok $? "Q quits with status 0"
e2e_finish
