#!/bin/sh
# kill -9 during recording and delivery, over at least 200 decisions.
# Each round runs the driver, which records decisions and delivers them to a
# forge kept in a directory (with its own fsync); the round is killed with
# SIGKILL either at a named durable step (cycling through all of them) or at a
# random moment.  Then recovery and delivery run to the end, and every
# decision that was reported "recorded" must be on the forge exactly once.
bld=${top_builddir:-.}
DRIVER=$bld/tests/decide/outbox_driver
MIN=${GTH_KILLLOOP_DECISIONS:-200}
if [ ! -x "$DRIVER" ]; then
	echo "Bail out! $DRIVER not built"
	exit 99
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/gth-killloop.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
STATE=$T/state
FORGE=$T/forge
LOG=$T/recorded.log
: > "$LOG"

steps="record:written record:linked record:durable deliver:claimed deliver:before-post \
forge:committed deliver:after-post deliver:step deliver:done"
nsteps=9
round=0
kills=0
step_kills=0
while :; do
	got=$(grep -c '^recorded ' "$LOG")
	[ "$got" -ge "$MIN" ] && [ "$round" -ge 2 ] && [ "$step_kills" -ge "$nsteps" ] && break
	[ "$round" -ge 400 ] && break
	round=$((round + 1))
	if [ $((round % 2)) -eq 1 ]; then
		# A named step, the k-th time it is reached.
		i=$(( (round / 2) % nsteps + 1 ))
		step=$(echo $steps | cut -d' ' -f$i)
		k=$(( (round % 5) + 1 ))
		GTH_CHAOS=10 GTH_KILL_AT="$step:$k" "$DRIVER" run "$STATE" "$FORGE" 12 >> "$LOG" 2>/dev/null
		if [ $? -eq 137 ]; then
			kills=$((kills + 1))
			echo "$step" >> "$T/killed-steps"
			step_kills=$(sort -u "$T/killed-steps" | wc -l)
		fi
	else
		GTH_CHAOS=10 "$DRIVER" run "$STATE" "$FORGE" 12 >> "$LOG" 2>/dev/null &
		pid=$!
		sleep "0.0$(( (round * 7919) % 90 + 10 ))"
		kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
		wait "$pid" 2>/dev/null
	fi
done

"$DRIVER" finish "$STATE" "$FORGE" > "$T/finish" 2>&1
fin=$?
"$DRIVER" count "$STATE" "$FORGE" "$LOG" > "$T/count" 2>&1
cnt=$?
recorded=$(grep -c '^recorded ' "$LOG")

echo "1..7"
echo "# rounds=$round kills=$kills (distinct named steps: $step_kills of $nsteps)"
sed 's/^/# /' "$T/count"
[ "$recorded" -ge "$MIN" ] && echo "ok 1 - at least $MIN decisions recorded ($recorded)" ||
	echo "not ok 1 - only $recorded decisions recorded"
[ "$step_kills" -ge "$nsteps" ] && echo "ok 2 - killed at each of the $nsteps durable steps" ||
	echo "not ok 2 - killed at only $step_kills of the $nsteps steps"
[ $fin -eq 0 ] && echo "ok 3 - recovery delivered everything pending" ||
	echo "not ok 3 - recovery left entries: $(cat "$T/finish")"
grep -q '^lost=0 ' "$T/count" && echo "ok 4 - lost=0" || echo "not ok 4 - $(grep '^lost' "$T/count")"
grep -q ' duplicated=0$' "$T/count" && echo "ok 5 - duplicated=0" ||
	echo "not ok 5 - $(grep '^lost' "$T/count")"
"$DRIVER" audit "$STATE" > "$T/audit" 2>&1 && echo "ok 6 - the audit log verifies after every kill" ||
	echo "not ok 6 - audit log: $(cat "$T/audit")"
# Every signature posted to the forge, checked by OpenSSH itself.
if command -v ssh-keygen >/dev/null; then
	mkdir "$T/export"
	posted=$("$DRIVER" export "$FORGE" "$T/export")
	bad=0
	i=1
	while [ "$i" -le "$posted" ]; do
		ssh-keygen -Y verify -f "$STATE/allowed_signers" -I reviewer@example.com \
			-n gatehouse-decision -s "$T/export/$i.json.sig" \
			< "$T/export/$i.json" > /dev/null 2>&1 || bad=$((bad + 1))
		i=$((i + 1))
	done
	[ "$posted" -gt 0 ] && [ $bad -eq 0 ] &&
		echo "ok 7 - ssh-keygen -Y verify accepts all $posted posted signatures" ||
		echo "not ok 7 - ssh-keygen rejected $bad of $posted posted signatures"
else
	echo "ok 7 # SKIP ssh-keygen not installed"
fi
[ $cnt -eq 0 ]
