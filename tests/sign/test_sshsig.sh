#!/bin/sh
# SSHSIG through a private ssh-agent, compared with ssh-keygen -Y (the oracle).
# Never touches the user's agent: the agent is ours, on a socket in a temp
# dir, its PID recorded and killed on exit.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bld=${top_builddir:-.}
SIGTOOL=$bld/tests/sign/sigtool
V=$top/tests/sign/vectors
NS=gatehouse-decision

if ! command -v ssh-agent >/dev/null || ! command -v ssh-keygen >/dev/null; then
	echo "1..0 # SKIP ssh-agent/ssh-keygen not installed"
	exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/gth-sshsig.XXXXXX")
AGENT_PID=
cleanup() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

n=0
fails=0
ok() {	# ok COND-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
grep_ok() {	# grep_ok PATTERN FILE DESCRIPTION
	grep -q -- "$1" "$2"; gr=$?
	[ $gr -ne 0 ] && sed 's/^/# /' "$2"
	ok $gr "$3"
}

# The agent runs askpass for ssh-add -c: ours denies after a human-like pause,
# well past the 1 s after which gatehouse says it is waiting (GTH_SIGN_WAITING_MS).
cat > "$T/deny-askpass" <<'EOS'
#!/bin/sh
echo "$*" >> "${0%/*}/askpass.log"
sleep "$(cat "${0%/*}/askpass.delay" 2>/dev/null || echo 2)"
exit 1
EOS
chmod 755 "$T/deny-askpass"

SSH_ASKPASS=$T/deny-askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:none \
	ssh-agent -D -a "$T/agent.sock" >/dev/null 2>&1 &
AGENT_PID=$!
export SSH_AUTH_SOCK="$T/agent.sock"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	[ -S "$SSH_AUTH_SOCK" ] && break
	sleep 0.1
done

for k in ed25519 rsa ecdsa; do
	cp "$V/$k" "$V/$k.pub" "$T/"
	chmod 600 "$T/$k"
done
ssh-keygen -q -t ed25519 -N "" -C not-loaded -f "$T/other"
ssh-add -q "$T/ed25519" "$T/rsa" "$T/ecdsa" 2>/dev/null
# Only the agent can sign from here on, as on a bastion.
mkdir "$T/offline" && mv "$T/ed25519" "$T/rsa" "$T/ecdsa" "$T/offline/"
cp "$V/record.json" "$T/msg"

"$SIGTOOL" list > "$T/list" 2>&1
ok $? "our agent client lists the keys"
grep_ok "$(ssh-keygen -lf "$T/ed25519.pub" | cut -d' ' -f2) vector-ed25519" "$T/list" \
	"listed fingerprint matches ssh-keygen -l"

{ cat "$V/allowed_signers"; echo "other@example.com $(cut -d' ' -f1,2 "$T/other.pub")"; } \
	> "$T/allowed"

for k in ed25519 rsa ecdsa; do
	ssh-keygen -q -Y sign -U -n $NS -f "$T/$k.pub" < "$T/msg" > "$T/theirs.$k" 2>"$T/err"
	ok $? "ssh-keygen -Y sign -U works for $k through the private agent"
	"$SIGTOOL" sign "$T/$k.pub" < "$T/msg" > "$T/ours.$k" 2>"$T/err"
	ok $? "sigtool signs with $k through the agent"
	ssh-keygen -Y verify -f "$T/allowed" -I vector@example.com -n $NS -s "$T/ours.$k" \
		< "$T/msg" > "$T/out" 2>&1
	ok $? "ssh-keygen -Y verify accepts our $k signature"
	"$SIGTOOL" verify -f "$T/allowed" -I vector@example.com -s "$T/theirs.$k" \
		< "$T/msg" > "$T/out" 2>&1
	ok $? "our verifier accepts ssh-keygen's $k signature"
	"$SIGTOOL" verify -f "$T/allowed" -I vector@example.com -s "$V/record.json.$k.sig" \
		< "$T/msg" > "$T/out" 2>&1
	ok $? "our verifier accepts the committed $k vector"
	{ cat "$T/msg"; printf ' '; } > "$T/msg.mod"
	"$SIGTOOL" verify -f "$T/allowed" -s "$T/theirs.$k" < "$T/msg.mod" > "$T/out" 2>&1
	[ $? -ne 0 ] && grep -q "incorrect signature" "$T/out"
	ok $? "a modified message fails with $k"
	"$SIGTOOL" verify -n git -f "$T/allowed" -s "$T/theirs.$k" < "$T/msg" > "$T/out" 2>&1
	[ $? -ne 0 ] && grep -q "namespace does not match" "$T/out"
	ok $? "a wrong namespace fails with $k"
	"$SIGTOOL" verify -f "$T/allowed" -I other@example.com -s "$T/theirs.$k" \
		< "$T/msg" > "$T/out" 2>&1
	[ $? -ne 0 ] && grep -q "not allowed" "$T/out"
	ok $? "another principal's key is not accepted for $k"
done
cmp -s "$T/ours.ed25519" "$T/theirs.ed25519"
ok $? "ed25519: byte-identical to ssh-keygen -Y sign -U"
cmp -s "$T/ours.rsa" "$T/theirs.rsa"
ok $? "rsa-sha2-512: byte-identical to ssh-keygen -Y sign -U"
cmp -s "$T/ours.ed25519" "$V/record.json.ed25519.sig" && cmp -s "$T/ours.rsa" "$V/record.json.rsa.sig"
ok $? "ed25519 and rsa signatures equal the committed vectors"
cmp -s "$T/ours.ecdsa" "$T/theirs.ecdsa"
[ $? -ne 0 ]
ok $? "ecdsa signatures are randomized (verified, not compared)"
ssh-keygen -Y check-novalidate -n $NS -s "$T/ours.rsa" < "$T/msg" > "$T/out" 2>&1 &&
	grep -q "RSA key" "$T/out"
ok $? "ssh-keygen check-novalidate accepts our RSA signature (it refuses SHA-1 ones)"

ssh-keygen -Y verify -f "$T/allowed" -I other@example.com -n $NS -s "$T/ours.ed25519" \
	< "$T/msg" > /dev/null 2>&1
[ $? -ne 0 ]
ok $? "ssh-keygen agrees: wrong principal fails"

"$SIGTOOL" raw-sign-flags0 "$T/rsa.pub" > "$T/out" 2>&1
[ $? -ne 0 ] && grep -q "instead of rsa-sha2-512" "$T/out"
ok $? "an RSA reply with the SHA-1 algorithm (flags 0) is refused by our reply check"

# FIDO (sk-) signatures, made in software as a security key would: OpenSSH is the oracle.
for kind in ed25519 ecdsa; do
	"$SIGTOOL" sk-sign $kind 1 < "$T/msg" > "$T/sk.$kind" 2>"$T/err"
	ssh-keygen -Y check-novalidate -n $NS -s "$T/sk.$kind" < "$T/msg" > "$T/out" 2>&1
	ok $? "ssh-keygen accepts the sk-$kind signature (the test signer is right)"
	"$SIGTOOL" check -s "$T/sk.$kind" < "$T/msg" > "$T/out" 2>&1
	ok $? "our verifier accepts an sk-$kind signature"
	grep_ok "(user present)" "$T/out" "sk-$kind: user presence flag reported"
	"$SIGTOOL" check -s "$T/sk.$kind" < "$T/msg.mod" > "$T/out" 2>&1
	[ $? -ne 0 ]
	ok $? "sk-$kind: a modified message fails"
done
"$SIGTOOL" sk-sign ed25519 0 < "$T/msg" > "$T/sk.nup"
"$SIGTOOL" check -s "$T/sk.nup" < "$T/msg" > "$T/out" 2>&1
grep_ok "NO user presence" "$T/out" "a signature made without a touch is reported as such"

# Key choice.
"$SIGTOOL" choose > "$T/out" 2>&1
[ $? -ne 0 ] && grep -q "holds 3 keys: choose one" "$T/out"
ok $? "several keys and nothing configured: asks"
"$SIGTOOL" choose "$(ssh-keygen -lf "$T/rsa.pub" | cut -d' ' -f2)" > "$T/out" 2>&1
grep_ok "vector-rsa" "$T/out" "configured fingerprint picks the RSA key"
"$SIGTOOL" choose "$T/offline/ecdsa" > "$T/out" 2>&1 || true
"$SIGTOOL" choose "$T/ecdsa.pub" > "$T/out" 2>&1
grep_ok "vector-ecdsa" "$T/out" "configured public key file picks the ECDSA key"
"$SIGTOOL" choose "" "key::$(cut -d' ' -f1,2 "$T/ed25519.pub")" ssh > "$T/out" 2>&1
grep_ok "vector-ed25519" "$T/out" "git user.signingkey (key::) is used when gpg.format=ssh"
"$SIGTOOL" choose "" "key::$(cut -d' ' -f1,2 "$T/ed25519.pub")" openpgp > "$T/out" 2>&1
[ $? -ne 0 ]
ok $? "git user.signingkey is ignored when gpg.format is not ssh"

# Messages a reviewer sees.
"$SIGTOOL" sign "$T/other.pub" < "$T/msg" > /dev/null 2> "$T/out"
grep_ok "is not in the ssh-agent" "$T/out" "key not loaded: says so"
env -u SSH_AUTH_SOCK "$SIGTOOL" sign "$T/ed25519.pub" < "$T/msg" > /dev/null 2> "$T/out"
grep_ok "no ssh-agent: SSH_AUTH_SOCK is not set" "$T/out" "no agent: says so"
SSH_AUTH_SOCK=$T/gone.sock "$SIGTOOL" sign "$T/ed25519.pub" < "$T/msg" > /dev/null 2> "$T/out"
grep_ok "cannot reach the ssh-agent" "$T/out" "dead socket: says so"

ssh-add -q -D 2>/dev/null
"$SIGTOOL" sign "$T/ed25519.pub" < "$T/msg" > /dev/null 2> "$T/out"
grep_ok "holds no keys" "$T/out" "empty agent: says so"

ssh-add -q -c "$T/offline/ed25519" 2>/dev/null
"$SIGTOOL" sign-async "$T/ed25519.pub" < "$T/msg" > "$T/sig.c" 2> "$T/out"
r=$?
grep_ok "waiting for the ssh-agent" "$T/out" "a slow answer (confirmation prompt) is shown as waiting"
[ $r -ne 0 ] && grep -q "confirmation denied" "$T/out"
ok $? "confirmation denied (ssh-add -c): says so"
grep_ok "Allow use of key vector-ed25519" "$T/askpass.log" "the agent really asked (askpass ran)"

# The reviewer gives up while the agent waits (Esc in the UI): cancel, no freeze.
echo 4 > "$T/askpass.delay"
start=$(date +%s)
SIGTOOL_CANCEL_ON_WAIT=1 "$SIGTOOL" sign-async "$T/ed25519.pub" < "$T/msg" > /dev/null 2> "$T/out"
r=$?
took=$(( $(date +%s) - start ))
[ $r -ne 0 ] && grep -q "signing cancelled" "$T/out"
ok $? "cancel while waiting: the request is abandoned"
[ "$took" -lt 4 ]
ok $? "cancel returns at once, without waiting for the agent (${took}s)"
sleep 4

# A destination-constrained key (ssh-add -h) refuses at once: the message says why.
ssh-add -q -D 2>/dev/null
ssh-keygen -q -t ed25519 -N "" -f "$T/hostkey"
echo "bastion.example.com $(cut -d' ' -f1,2 "$T/hostkey.pub")" > "$T/known_hosts"
ssh-add -q -H "$T/known_hosts" -h bastion.example.com "$T/offline/ed25519" 2>/dev/null
"$SIGTOOL" sign "$T/ed25519.pub" < "$T/msg" > /dev/null 2> "$T/out"
grep_ok "destination-constrained key" "$T/out" "destination-constrained key: says so"

# A key whose lifetime ends between choosing it and signing (ssh-add -t).
ssh-add -q -D 2>/dev/null
ssh-add -q -t 2 "$T/offline/ed25519" 2>/dev/null
SIGTOOL_SLEEP_BEFORE_SIGN=1 "$SIGTOOL" sign "$T/ed25519.pub" < "$T/msg" > /dev/null 2> "$T/out"
grep_ok "no longer in the ssh-agent" "$T/out" "key expired from the agent: says so"

echo "1..$n"
exit $((fails > 0))
