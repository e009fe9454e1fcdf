#!/usr/bin/env python3
"""Generate a big scenario for benchmarks, plus the git repository it needs.

    genscenario.py --prs 1000 --repos 50 --out FILE [--git-out DIR] [--files-per-pr N]
                   [--distinct-heads K]

All repositories share one small template repository (DIR/template.git, default
FILE's directory + "/<name>-git"), so PR numbers are unique across the scenario: PR N lives in
repo N mod R, on branch agent/pr-N with refs/pull/N/head.  With --distinct-heads K, only K head
commits are made and PR N's refs point at commit (N-1) mod K + 1: the test forge then computes
K diffs instead of one per PR (soak tests with thousands of PRs start in seconds).  Output is
deterministic (fixed dates, a seeded generator), so two runs give the same SHAs and the same JSON.
"""

import argparse
import json
import os
import random
import subprocess

AGENTS = ["devin-ai-integration[bot]", "Copilot", "claude[bot]", "openhands-agent"]
T0 = 1763370000
TASKS = ["documentation", "test_generation", "bug_fix_isolated", "dependency_update",
         "performance", "security_critical", "infra_ci", "data_migration"]
PATHS = {"documentation": "docs/guide-%d.md", "test_generation": "tests/test_mod%d.py",
         "bug_fix_isolated": "src/mod%d.py", "dependency_update": "requirements-%d.txt",
         "performance": "src/mod%d.py", "security_critical": "src/auth/session%d.py",
         "infra_ci": ".github/workflows/job%d.yml", "data_migration": "db/migrations/%04d.sql"}


def build_git(gitdir, n_prs, files_per_pr, heads=None):
    if os.path.isdir(gitdir):
        return
    tmp = gitdir + ".tmp"
    subprocess.run(["rm", "-rf", tmp], check=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", tmp], check=True)
    parts = []

    def data(s):
        b = s.encode()
        parts.append(b"data %d\n" % len(b) + b + b"\n")

    def commit(ref, mark, t, msg, files, parent=None):
        parts.append(("commit %s\nmark :%d\nauthor Bench <bench@example.invalid> %d +0000\n"
                      "committer Bench <bench@example.invalid> %d +0000\n"
                      % (ref, mark, t, t)).encode())
        data(msg)
        if parent:
            parts.append(("from :%d\n" % parent).encode())
        for path, content in files.items():
            parts.append(("M 100644 inline %s\n" % path).encode())
            data(content)
    base = {"src/mod%d.py" % i: "".join("def f%d_%d():\n    return %d\n\n" % (i, j, j)
                                        for j in range(40)) for i in range(20)}
    base["README.md"] = "# bench\n"
    commit("refs/heads/main", 1, T0, "Initial import\n", base)
    heads = min(heads or n_prs, n_prs)
    for n in range(1, heads + 1):
        task = TASKS[n % len(TASKS)]
        files = {}
        for k in range(files_per_pr):
            path = PATHS[task] % ((n * 7 + k) % 1000)
            files[path] = "# change %d of PR %d\n" % (k, n) + "x = %d\n" % n * (1 + n % 5)
        commit("refs/heads/agent/pr-%d" % n, n + 1, T0 + 60 * n, "PR %d: %s\n" % (n, task),
               files, parent=1)
    for n in range(1, n_prs + 1):
        k = (n - 1) % heads + 1
        if n > heads:
            parts.append(("reset refs/heads/agent/pr-%d\nfrom :%d\n\n" % (n, k + 1)).encode())
        parts.append(("reset refs/pull/%d/head\nfrom :%d\n\n" % (n, k + 1)).encode())
    subprocess.run(["git", "--git-dir", tmp, "fast-import", "--quiet"], input=b"".join(parts),
                   check=True)
    os.rename(tmp, gitdir)


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prs", type=int, default=1000)
    ap.add_argument("--repos", type=int, default=50)
    ap.add_argument("--out", required=True)
    ap.add_argument("--git-out")
    ap.add_argument("--files-per-pr", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--distinct-heads", type=int)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out_dir = os.path.dirname(os.path.abspath(a.out))
    git_root = os.path.abspath(a.git_out or os.path.join(
        out_dir, os.path.splitext(os.path.basename(a.out))[0] + "-git"))
    os.makedirs(git_root, exist_ok=True)
    build_git(os.path.join(git_root, "template.git"), a.prs, a.files_per_pr, a.distinct_heads)
    repos = [{"owner": "bench%d" % (i % 5), "name": "svc-%02d" % i, "git": "template.git",
              "required_checks": ["build", "test"], "required_approvals": 1,
              "labels": [{"name": "needs-checkpoint", "color": "d93f0b"}]}
             for i in range(a.repos)]
    prs = []
    for n in range(1, a.prs + 1):
        repo = repos[n % a.repos]
        task = TASKS[n % len(TASKS)]
        roll = rnd.random()
        if roll < 0.6:
            checks = [{"name": "build", "conclusion": "success"},
                      {"name": "test", "conclusion": "success"}]
        elif roll < 0.8:
            checks = [{"name": "build", "conclusion": "success"},
                      {"name": "test", "conclusion": "failure", "title": "1 failed",
                       "annotations": [{"path": "src/mod%d.py" % (n % 20), "start_line": 1,
                                        "level": "failure", "message": "assertion failed"}]}]
        elif roll < 0.9:
            checks = [{"name": "build", "conclusion": "success"},
                      {"name": "test", "status": "in_progress"}]
        else:
            checks = [{"name": "build", "conclusion": "success"}]
        t = T0 + 60 * n
        prs.append({"repo": "%s/%s" % (repo["owner"], repo["name"]), "number": n,
                    "author": AGENTS[n % len(AGENTS)], "title": "PR %d: %s" % (n, task),
                    "head": "agent/pr-%d" % n, "base": "main",
                    "labels": ["needs-checkpoint"] if n % 10 else [],
                    "requested_reviewers": ["reviewer"], "created_at": iso(t),
                    "updated_at": iso(t + 600),
                    "body": "## Summary\nAutomated change %d.\n\n```json\n%s\n```\n" % (
                        n, json.dumps({"task_type": task, "component": repo["name"],
                                       "module_path": PATHS[task] % n,
                                       "constraints": [], "test_cases": [],
                                       "rollback_condition": "error rate"})),
                    "checks": checks})
    sc = {"description": "Generated: %d PRs over %d repositories" % (a.prs, a.repos),
          "git_root": os.path.relpath(git_root, out_dir), "default_user": "reviewer",
          "users": [{"login": "reviewer", "type": "User"}] +
          [{"login": x, "type": "Bot" if x != "openhands-agent" else "User"} for x in AGENTS],
          "tokens": {"ghp_benchReviewer000000000000000000000001": "reviewer"},
          "teams": [], "repos": repos, "prs": prs}
    for r in repos:
        r["labels"] = r["labels"]
    with open(a.out, "w", encoding="utf-8") as fh:
        json.dump(sc, fh, indent=1)


if __name__ == "__main__":
    main()
