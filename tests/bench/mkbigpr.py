#!/usr/bin/env python3
"""The generated mass-refactor PR of the benchmarks and the soak test.

    mkbigpr.py GITDIR [--files 2000]

Makes the bare repository GITDIR (when it has no refs/pull/1/head yet) with
refs/heads/main and refs/pull/1/head, through git fast-import with fixed dates,
so the SHAs are the same every time.  With the default 2,000 files of 200
lines, the PR rewrites 50 lines of each in 7 hunks, two of them with an
unchanged line inside: 100,000 removed + 100,000 added lines, 155 lines of
`git diff` per file, 310,000 in all, about 15 MB.
"""
import argparse
import os
import subprocess
import sys

LINES = 200
HUNKS = [(8 + 28 * h, 8 if h == 0 else 7) for h in range(7)]


def base_line(f, i):
    return "    value_%04d_%03d = compute(a_%d, beta)  # n%d\n" % (f, i, i % 7, f % 13)


def head_line(f, i):
    return "    value_%04d_%03d = compute(a_%d, delta)  # r%d\n" % (f, i, i % 7, f % 11)


def path(f):
    return "pkg%02d/mod%02d/file_%04d.py" % (f % 20, (f // 20) % 10, f)


def stream(out, files):
    def blob(data):
        data = data.encode()
        out.write(b"data %d\n" % len(data))
        out.write(data)
        out.write(b"\n")

    def commit(ref, when, msg, contents, parent=None):
        out.write(b"commit %s\n" % ref.encode())
        out.write(b"author Bench <bench@example.com> %d +0000\n" % when)
        out.write(b"committer Bench <bench@example.com> %d +0000\n" % when)
        blob(msg)
        if parent:
            out.write(b"from %s\n" % parent.encode())
        for f, text in contents:
            out.write(b"M 100644 inline %s\n" % path(f).encode())
            blob(text)
        out.write(b"\n")

    changed = set()
    for h, (start, n) in enumerate(HUNKS):
        if h < 2:
            changed.update(x for x in range(start, start + n + 1) if x != start + n // 2)
        else:
            changed.update(range(start, start + n))
    commit("refs/heads/main", 1700000000, "base",
           ((f, "".join(base_line(f, i) for i in range(LINES))) for f in range(files)))
    commit("refs/pull/1/head", 1700000600, "the agent's mass refactor",
           ((f, "".join(head_line(f, i) if i in changed else base_line(f, i)
                        for i in range(LINES))) for f in range(files)),
           parent="refs/heads/main")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gitdir")
    ap.add_argument("--files", type=int, default=2000)
    a = ap.parse_args()
    have = subprocess.run(["git", "-C", a.gitdir, "rev-parse", "-q", "--verify",
                           "refs/pull/1/head"], capture_output=True)
    if os.path.isdir(a.gitdir) and have.returncode == 0:
        return 0
    print("generating the PR repository in %s ..." % a.gitdir, file=sys.stderr)
    subprocess.run(["rm", "-rf", a.gitdir], check=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", a.gitdir], check=True)
    fi = subprocess.Popen(["git", "-C", a.gitdir, "fast-import", "--quiet"],
                          stdin=subprocess.PIPE)
    stream(fi.stdin, a.files)
    fi.stdin.close()
    if fi.wait() != 0:
        return 1
    subprocess.run(["git", "-C", a.gitdir, "repack", "-adq"], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
