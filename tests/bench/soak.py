#!/usr/bin/env python3
"""Drive a long review session through tmux and sample the program's memory.

    soak.py --socket TMUX.sock --pid PID --forge URL --forge-log FILE.jsonl --scenario FILE
            --keys N --csv FILE --summary FILE [--big REPO#N] [--refreshes R] [--seed S]
            [--big-opens N] [--decisions N]

Called by tests/bench/soak.sh, which starts the test forge and gatehouse.  The
session is a seeded sequence of what a reviewer does: move through the queue,
filter, search, open PRs and read them (files, hunks, pages, whitespace,
whole-file context, the side panels), open the 2,000-file PR, decide on some
PRs (signed through the real ssh-agent), ask for refreshes.  Meanwhile the
forge changes PRs (new heads, new check results, titles) through /_admin/pr.

A key counts as answered once the program has read it from the terminal (the
pty's input queue is empty) and its UI thread is back asleep in poll(), that
is, the key is handled and the screen drawn.  Memory is
sampled every K keys from /proc/PID/status (VmRSS, VmHWM) and
/proc/PID/smaps_rollup (anonymous memory), with the [heap] mapping's RSS.
Refresh cycles are counted in the forge's log: each one starts with one
conditional search per configured query.
"""
import argparse
import fcntl
import json
import os
import random
import re
import struct
import subprocess
import sys
import termios
import time
import urllib.request


class Tui:
    def __init__(self, sock, pid):
        self.sock, self.pid = sock, pid
        tty = os.readlink("/proc/%d/fd/0" % pid)
        self.tty = os.open(tty, os.O_RDWR | os.O_NOCTTY)
        self.keys = 0
        self.history = []
        self.slow = 0		# keys not answered within the limit
        self.last = ""

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.sock] + list(args), capture_output=True,
                              text=True).stdout

    def screen(self):
        return self.tmux("capture-pane", "-p")

    def pending(self):
        return struct.unpack("i", fcntl.ioctl(self.tty, termios.FIONREAD, b"\0\0\0\0"))[0]

    def alive(self):
        try:
            with open("/proc/%d/status" % self.pid) as fh:
                return "State:\tZ" not in fh.read()
        except OSError:
            return False

    def idle(self):
        """The UI thread is back in poll(): the key is handled and the screen drawn."""
        try:
            with open("/proc/%d/wchan" % self.pid) as fh:
                wchan = fh.read()
            with open("/proc/%d/stat" % self.pid) as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        return state == "S" and "poll" in wchan

    def settle(self, limit=5.0):
        """Wait until the key was read and the program is idle again (twice, 1 ms apart)."""
        t0 = time.monotonic()
        while self.pending() > 0 and time.monotonic() - t0 < limit:
            time.sleep(0.001)
        calm = 0
        while time.monotonic() - t0 < limit:
            calm = calm + 1 if self.idle() else 0
            if calm >= 2:
                return True
            time.sleep(0.001)
        self.slow += 1
        return False

    def key(self, *names):
        for k in names:
            self.history.append(k)
            self.tmux("send-keys", k)
            self.keys += 1
            self.settle()
            if k == "Escape":
                time.sleep(0.04)	# past the console's 25 ms ESC delay: a key, not Alt-

    def type(self, text):
        self.history.append(repr(text))
        self.tmux("send-keys", "-l", text)
        self.keys += len(text)
        self.settle()

    def until(self, ok, secs, step=0.1):
        """Look at the screen until ok(screen) holds (True) or secs pass (False)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < secs:
            s = self.screen()
            if ok(s):
                self.last = s
                return True
            time.sleep(step)
        return False

    def wait_top(self, text, secs):
        return self.until(lambda s: text in (s.splitlines() or [""])[0], secs, 0.05)

    def wait_gone(self, text, secs):
        return self.until(lambda s: text not in s, secs)

    def wait(self, text, secs):
        return self.until(lambda s: text in s, secs)


def memory(pid):
    m = {}
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                m[k] = int(v.split()[0])
    with open("/proc/%d/smaps_rollup" % pid) as fh:
        for line in fh:
            k, _, v = line.partition(":")
            if k == "Anonymous":
                m["Anon"] = int(v.split()[0])
    heap, cur = 0, None
    with open("/proc/%d/smaps" % pid) as fh:
        for line in fh:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                cur = line.rstrip().endswith("[heap]")
            elif cur and line.startswith("Rss:"):
                heap += int(line.split()[1])
    m["Heap"] = heap
    return m


class Forge:
    def __init__(self, url, log, prs):
        self.url, self.log, self.prs = url, log, prs
        self.off = 0
        self.searches = 0
        self.errors = 0		# 5xx answers and dropped connections
        self.changes = 0

    def scan(self):
        with open(self.log, "rb") as fh:
            fh.seek(self.off)
            data = fh.read()
        end = data.rfind(b"\n") + 1
        self.off += end
        for line in data[:end].splitlines():
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("method") == "GET" and e.get("path", "").endswith("/search/issues"):
                self.searches += 1
            st = e.get("status")
            if e.get("route") != "admin" and (st is None or st >= 500):
                self.errors += 1

    def change(self, rnd, kind):
        """A PR moves on while the reviewer works: a push (0), a new check result (1), a title."""
        p = rnd.choice(self.prs)
        if kind == 0:
            body = {"push": {"message": "agent: follow-up %d" % self.changes,
                             "files": {"src/mod%d.py" % rnd.randrange(20):
                                       "x = %d\n" % rnd.randrange(10 ** 6)}}}
        elif kind == 1:
            body = {"checks": [{"name": "test", "conclusion": rnd.choice(
                ["success", "failure"])}]}
        else:
            body = {"title": "%s (rev %d)" % (p["title"].split(" (rev")[0], self.changes)}
        body.update({"repo": p["repo"], "number": p["number"]})
        req = urllib.request.Request(self.url + "/_admin/pr", data=json.dumps(body).encode(),
                                     method="POST")
        try:
            urllib.request.urlopen(req, timeout=60).read()
            self.changes += 1
        except OSError as e:
            print("# forge change failed: %s" % e, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--socket", "--forge", "--forge-log", "--scenario", "--csv", "--summary", "--big",
              "--trace"):
        ap.add_argument(a, required=a not in ("--big", "--trace"))
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--keys", type=int, default=14400)
    ap.add_argument("--refreshes", type=int, default=96)
    ap.add_argument("--queries", type=int, default=2)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--big-opens", type=int, default=8)
    ap.add_argument("--decisions", type=int, default=12)
    ap.add_argument("--rss-margin", type=int, default=5)
    ap.add_argument("--seed", type=int, default=9)
    a = ap.parse_args()

    rnd = random.Random(a.seed)
    sc = json.load(open(a.scenario))
    prs = [p for p in sc["prs"] if "#%d" % p["number"] not in (a.big or "") or
           p["repo"] != a.big.split("#")[0]]
    forge = Forge(a.forge, a.forge_log, prs)
    tui = Tui(a.socket, a.pid)
    every = max(1, a.keys // a.samples)
    series, errors, seen_counts = [], [], set()
    decisions = {"asked": 0, "posted": 0}
    big_opened = big_tried = 0
    t0 = time.monotonic()
    next_sample = 0
    next_big = a.keys // (2 * a.big_opens)
    next_change = a.keys // 24
    next_decision = a.keys // (2 * a.decisions)

    def sample():
        nonlocal next_sample
        forge.scan()
        m = memory(a.pid)
        row = {"keys": tui.keys, "secs": round(time.monotonic() - t0, 1),
               "refreshes": forge.searches // a.queries, "rss_kb": m["VmRSS"],
               "hwm_kb": m["VmHWM"], "anon_kb": m.get("Anon", 0), "heap_kb": m["Heap"]}
        series.append(row)
        next_sample = tui.keys + every

    def note_screen():
        s = tui.last = tui.screen()
        m = re.search(r"checkpoint queue: (?:\d+ of )?(\d+) PRs", s)
        if m:
            seen_counts.add(int(m.group(1)))
        for line in s.splitlines()[-2:]:
            if re.search(r"\b(error|failed)\b", line, re.I):
                errors.append(line.strip())

    def back_to_queue():
        for _ in range(4):
            # The terminal may show the last frame a moment after the program
            # drew it: look again before another q (q in the queue quits).
            if tui.wait_top("checkpoint queue", 2):
                return
            tui.key("Escape", "q")

    def read_pr(n):
        moves = ["j", "j", "j", "Space", "b", "}", "}", "{", "]", "]", "[", "@", "C-d", "C-u",
                 "G", "g", "W", "W", "+", "l", "h", "Tab", "S-Tab", "2", "j", "1", "3", "4",
                 "5", "1", "u", "v", ">", "<", "z", "z", "n"]
        for _ in range(n):
            tui.key(rnd.choice(moves))

    sample()
    while tui.keys < a.keys:
        if not tui.alive():
            break
        forge.scan()
        # Refresh cycles keep pace with the keys: as many as the 8 hours would see.
        if forge.searches // a.queries < a.refreshes * tui.keys // a.keys:
            tui.key("R")
        if tui.keys >= next_change:	# 12 times: a push, a check result and a title
            next_change += a.keys // 12
            for kind in range(3):
                forge.change(rnd, kind)
        episode = rnd.random()
        if a.big and tui.keys >= next_big:	# the 2,000-file PR, --big-opens times
            next_big += a.keys // a.big_opens
            tui.key(":")
            tui.type("open %s" % a.big)
            tui.key("Enter")
            # Loaded once the status line counts its files; the PR opens on the
            # forge lane, behind a refresh in progress (minutes at 10,000 PRs).
            big_tried += 1
            if tui.wait("%s file " % a.big, 300):
                big_opened += 1
            # Memory with the big diff loaded, and again once it is closed: every
            # quarter that opens it has its peak, whatever the sampling rhythm.
            sample()
            read_pr(rnd.randrange(60, 200))
            back_to_queue()
            sample()
        elif tui.keys >= next_decision:	# a decision, signed by the agent's key
            next_decision += a.keys // a.decisions
            verdict = rnd.choice(["r", "e"])
            tui.key(rnd.choice(["j", "k", "Space"]))
            tui.key(verdict)
            if verdict == "e":
                tui.key("i")
                tui.type("Needs an owner's look (soak %d)." % decisions["asked"])
                tui.key("Escape")
            else:
                tui.key("1")
            tui.key("Enter")
            if tui.wait("Sign and record", 10):
                tui.key("y")
                decisions["asked"] += 1
                if tui.wait(": posted", 60):
                    decisions["posted"] += 1
            back_to_queue()
        elif episode < 0.30:		# move through the queue
            for _ in range(rnd.randrange(5, 30)):
                tui.key(rnd.choice(["j", "j", "j", "k", "Space", "b", "C-d", "C-u", "G", "g",
                                    "Down", "Up", "PgDn", "PgUp"]))
        elif episode < 0.40:		# filters
            tui.key("f")
            tui.type(rnd.choice(["gate=fail", "risk=high", "repo=svc-0%d" % rnd.randrange(10),
                                 "agent=claude", "text=migration", "risk=critical gate=pending"]))
            tui.key("Enter")
            for _ in range(rnd.randrange(3, 12)):
                tui.key(rnd.choice(["j", "k", "Space", "F", "X"]))
            tui.key("c")
        elif episode < 0.50:		# search
            tui.key("/")
            tui.type(rnd.choice(["security", "PR 7", "dependency", "infra", "mass refactor"]))
            tui.key("Enter")
            for _ in range(rnd.randrange(2, 8)):
                tui.key(rnd.choice(["n", "n", "N"]))
        elif episode < 0.80:		# read a PR
            tui.key("Enter")
            tui.wait("Risk", 30)
            read_pr(rnd.randrange(20, 80))
            back_to_queue()
        else:				# help, then back
            tui.key("?")
            tui.key(rnd.choice(["j", "Space"]))
            tui.key("q")
        note_screen()
        if tui.keys >= next_sample and tui.alive():
            sample()
    def allocated():
        """The bytes in use gatehouse logged after each refresh (GATEHOUSE_TRACE), in order."""
        if not a.trace:
            return []
        try:
            with open(a.trace, errors="replace") as fh:
                return [int(m.group(1)) for m in
                        re.finditer(r"refresh: \d+ PRs, (-?\d+) bytes allocated", fh.read())]
        except OSError:
            return []

    keys_done_refreshes = len(allocated())
    # The rest of the refresh cycles, if the keys ran ahead of them: each R once
    # the last refresh is over (an R while one runs is no new one), memory
    # sampled as often as during the keys.
    t_end = time.monotonic() + 120 * a.refreshes
    tail_every = max(1, (a.refreshes - forge.searches // a.queries) * a.samples // max(1, a.keys) // 4)
    while tui.alive() and forge.searches // a.queries < a.refreshes and time.monotonic() < t_end:
        before = forge.searches
        tui.wait_gone("syncing", 120)
        tui.key("R")
        while forge.searches == before and time.monotonic() < t_end:
            time.sleep(0.2)
            forge.scan()
        if (forge.searches // a.queries) % tail_every == 0:
            tui.wait_gone("syncing", 120)
            sample()
    alive = tui.alive()
    if not alive:
        time.sleep(0.5)
        print("# gatehouse ended after %d keys; its screen:" % tui.keys)
        for line in tui.screen().splitlines():
            print("#   " + line)
        print("# the keys before: %s" % " ".join(tui.history[-60:]))
    if alive:
        tui.settle()
        tui.wait_gone("syncing", 120)	# between refreshes, as the tail's samples
        sample()
    elapsed = time.monotonic() - t0
    forge.scan()

    with open(a.csv, "w") as fh:
        cols = list(series[0].keys())
        fh.write(",".join(cols) + "\n")
        for r in series:
            fh.write(",".join(str(r[c]) for c in cols) + "\n")

    # Flat: the last quarter's peak RSS may exceed the second quarter's by at
    # most max(2 MiB, --rss-margin %), and the peak of the main arena by at
    # most max(256 KiB, 5 %).
    # Quarters are of the keys; the samples of the refreshes after the keys
    # belong to the last.
    def peak(lo, hi, col="rss_kb"):
        v = [r[col] for r in series if lo * a.keys <= r["keys"] <= hi * a.keys]
        return max(v) if v else 0
    q2, q4 = peak(0.25, 0.5), peak(0.75, float("inf"))
    margin = max(2048, q2 * a.rss_margin // 100)
    # The UI thread allocates from the main arena, the [heap] mapping: a leak
    # per key grows it, where the workers' arenas only add noise.
    h2, h4 = peak(0.25, 0.5, "heap_kb"), peak(0.75, float("inf"), "heap_kb")
    hmargin = max(256, h2 * 5 // 100)
    # The refreshes after the keys on their own, the screen the same each
    # time: a leak per refresh shows as a rise in the bytes allocated from
    # their first quarter to their last.  (Resident memory is reported: it
    # also counts the pages the allocator keeps free.)
    def quarters(v):
        if len(v) < 8:
            return 0, 0
        return max(v[:len(v) // 4]), max(v[-(len(v) // 4):])
    tail = [r["rss_kb"] for r in series if r["keys"] >= a.keys]
    t1, t4 = quarters(tail)
    inuse = [b // 1024 for b in allocated()[keys_done_refreshes:] if b >= 0]
    u1, u4 = quarters(inuse)
    umargin = max(2048, u1 * a.rss_margin // 100)
    summary = {
        "alive": alive, "keys": tui.keys, "keys_target": a.keys, "slow_keys": tui.slow,
        "seconds": round(elapsed), "refreshes": forge.searches // a.queries,
        "refreshes_target": a.refreshes, "forge_changes": forge.changes,
        "forge_errors": forge.errors, "screen_errors": len(errors),
        "screen_error_lines": sorted(set(errors))[:10],
        "queue_counts": sorted(seen_counts), "big_opened": big_opened, "big_tried": big_tried,
        "decisions_asked": decisions["asked"], "decisions_posted": decisions["posted"],
        "rss_start_kb": series[0]["rss_kb"],
        "rss_after_warmup_kb": next((r["rss_kb"] for r in series if r["keys"] >= a.keys // 10),
                                    series[-1]["rss_kb"]),
        "rss_peak_kb": max(r["rss_kb"] for r in series), "rss_end_kb": series[-1]["rss_kb"],
        "hwm_end_kb": series[-1]["hwm_kb"], "heap_q2_peak_kb": h2, "heap_q4_peak_kb": h4,
        "rss_q2_peak_kb": q2, "rss_q4_peak_kb": q4, "margin_kb": margin,
        "heap_margin_kb": hmargin, "refresh_tail_samples": len(tail),
        "rss_tail_first_quarter_peak_kb": t1, "rss_tail_last_quarter_peak_kb": t4,
        "tail_refreshes_logged": len(inuse), "allocated_tail_first_quarter_peak_kb": u1,
        "allocated_tail_last_quarter_peak_kb": u4, "allocated_margin_kb": umargin,
        "flat": bool(q2) and q4 <= q2 + margin and h4 <= h2 + hmargin and u4 <= u1 + umargin,
        "samples": len(series)}
    with open(a.summary, "w") as fh:
        json.dump(summary, fh, indent=1)
    for r in series[:: max(1, len(series) // 20)]:
        print("# keys %6d  %5.0fs  refreshes %3d  RSS %7d kB  HWM %7d kB  anon %7d kB  heap %7d kB"
              % (r["keys"], r["secs"], r["refreshes"], r["rss_kb"], r["hwm_kb"], r["anon_kb"],
                 r["heap_kb"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
