"""Contract check of the GitLab / Gitea traffic against the forges' published API descriptions.

    test_gitea_contract.py KIND DTS LOG API TOKEN

KIND gitea: DTS is gitea-js's index.d.ts (generated from Gitea's swagger); KIND gitlab: DTS is
@gitbeaker/core's index.d.ts (GitLab's schemas). Checked, each failure printed on stderr:
  - every field the backend decodes exists in the schema it reads it from (src/forge/gitea_json.c,
    gitlab_json.c);
  - the test forge's answers (GET under API, with TOKEN) use only the schema's fields, so the
    live tests run against faithful shapes;
  - every request body gatehouse sent (the forge's --log LOG) uses only the fields of its
    options schema (Gitea) or of forge-api.md Part 2.1's table (GitLab, whose TypeScript options
    are camelCased), with the enum spellings the forge accepts.
Exit 0 when all hold.
"""
import json
import re
import sys
import urllib.request

KIND, DTS, LOG, API, TOKEN = sys.argv[1:6]
src = open(DTS, encoding="utf-8").read()
failures = []


def fail(msg):
    failures.append(msg)
    print("contract: " + msg, file=sys.stderr)


def fields_of(name, seen=None):
    """Field names of interface/type NAME, following `extends` and `A & {...}`."""
    seen = seen or set()
    if name in seen:
        return set()
    seen.add(name)
    out = set()
    m = re.search(r"^(?:export )?interface %s(?: extends ([^{]+))? \{\n(.*?)^\}" % re.escape(name),
                  src, re.S | re.M)
    if m:
        body, parents = m.group(2), m.group(1) or ""
    else:
        m = re.search(r"^(?:export )?type %s = (.*?);\n(?=\S)" % re.escape(name), src, re.S | re.M)
        if not m:
            return out
        parents = " ".join(re.findall(r"\b([A-Z]\w+)\b", re.sub(r"\{.*\}", "", m.group(1),
                                                                  flags=re.S)))
        body = "\n".join(re.findall(r"\{(.*)\}", m.group(1), re.S))
    depth = 0
    for line in body.split("\n"):
        if depth == 0:
            f = re.match(r"\s+(?:readonly )?['\"]?(\w+)['\"]?\??:", line)
            if f:
                out.add(f.group(1))
        depth += line.count("{") - line.count("}")
    for p in re.findall(r"\b([A-Z]\w+)\b", parents):
        if p not in ("Record", "MappedOmit", "Omit", "Pick", "Partial", "Camelize"):
            out |= fields_of(p, seen)
    return out


def keys_within(obj, schema, where):
    allowed = fields_of(schema)
    if not allowed:
        fail("%s: schema %s not found in %s" % (where, schema, DTS))
        return
    extra = sorted(set(obj) - allowed)
    if extra:
        fail("%s: fields not in %s: %s" % (where, schema, ", ".join(extra)))


def reads(schema, names):
    allowed = fields_of(schema)
    missing = sorted(set(names) - allowed)
    if missing:
        fail("decoder reads %s.%s, which the schema does not have" % (schema, ", ".join(missing)))


def get(path):
    req = urllib.request.Request(API + path, headers={
        "Authorization": "token " + TOKEN, "User-Agent": "contract-check"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def requests():
    for line in open(LOG, encoding="utf-8"):
        e = json.loads(line)
        if e.get("method") in ("POST", "PUT") and e.get("route") not in ("admin", "git") \
                and e.get("status") and e["status"] < 300 and e.get("body"):
            body = e["body"]
            if isinstance(body, str):
                try:
                    body = json.loads(body)
                except ValueError:
                    continue
            yield e["method"], e["path"], body


if KIND == "gitea":
    # what gitea_json.c reads
    reads("PullRequest", ["number", "title", "body", "html_url", "user", "head", "base", "draft",
                          "additions", "deletions", "changed_files", "created_at", "updated_at",
                          "labels", "requested_reviewers", "requested_reviewers_teams", "state"])
    reads("PRBranchInfo", ["sha", "ref", "repo"])
    reads("Repository", ["full_name"])
    reads("Issue", ["number", "repository", "pull_request"])
    reads("RepositoryMeta", ["full_name"])
    reads("CombinedStatus", ["statuses"])
    reads("CommitStatus", ["status", "context", "description", "target_url", "id"])
    reads("ActionTaskResponse", ["workflow_runs"])
    reads("ActionTask", ["name", "head_sha", "status", "display_title", "url", "id"])
    reads("PullReview", ["id", "user", "state", "body", "commit_id", "submitted_at", "dismissed"])
    reads("ChangedFile", ["filename", "previous_filename", "status", "additions", "deletions"])
    reads("Commit", ["commit"])
    reads("RepoCommit", ["message"])
    reads("BranchProtection", ["rule_name", "branch_name", "enable_status_check",
                               "status_check_contexts"])
    reads("User", ["login"])
    # the test forge's answers
    pull = get("/repos/acme/web-console/pulls/202")
    keys_within(pull, "PullRequest", "GET pulls/202")
    keys_within(pull["head"], "PRBranchInfo", "pull.head")
    keys_within(pull["head"]["repo"], "Repository", "pull.head.repo")
    keys_within(pull["user"], "User", "pull.user")
    for lab in pull["labels"]:
        keys_within(lab, "Label", "pull.labels[]")
    for it in get("/repos/issues/search?type=pulls&state=open&limit=5"):
        keys_within(it, "Issue", "GET issues/search")
        keys_within(it["repository"], "RepositoryMeta", "issue.repository")
        keys_within(it["pull_request"], "PullRequestMeta", "issue.pull_request")
    st = get("/repos/acme/web-console/commits/%s/status" % pull["head"]["sha"])
    keys_within(st, "CombinedStatus", "GET commits/{ref}/status")
    for s in st["statuses"]:
        keys_within(s, "CommitStatus", "status.statuses[]")
    tasks = get("/repos/acme/web-console/actions/tasks")
    keys_within(tasks, "ActionTaskResponse", "GET actions/tasks")
    for t in tasks["workflow_runs"]:
        keys_within(t, "ActionTask", "tasks.workflow_runs[]")
    for rv in get("/repos/acme/web-console/pulls/202/reviews"):
        keys_within(rv, "PullReview", "GET reviews")
    for f in get("/repos/acme/web-console/pulls/202/files"):
        keys_within(f, "ChangedFile", "GET files")
    for c in get("/repos/acme/web-console/pulls/202/commits"):
        keys_within(c, "Commit", "GET commits")
        keys_within(c["commit"], "RepoCommit", "commit.commit")
    for b in get("/repos/acme/infra/branch_protections"):
        keys_within(b, "BranchProtection", "GET branch_protections")
    # what gatehouse sent
    n = 0
    for method, path, body in requests():
        n += 1
        if path.endswith("/reviews"):
            keys_within(body, "CreatePullReviewOptions", "POST reviews")
            if body.get("event") not in ("APPROVED", "REQUEST_CHANGES", "COMMENT"):
                fail("POST reviews: event %r would become a PENDING review" % body.get("event"))
            for c in body.get("comments", []):
                keys_within(c, "CreatePullReviewComment", "POST reviews comments[]")
        elif "/statuses/" in path:
            keys_within(body, "CreateStatusOption", "POST statuses")
            if body.get("state") not in ("pending", "success", "error", "failure", "warning"):
                fail("POST statuses: state %r" % body.get("state"))
        elif path.endswith("/labels"):
            keys_within(body, "IssueLabelsOption", "POST labels")
        elif path.endswith("/requested_reviewers"):
            keys_within(body, "PullReviewRequestOptions", "POST requested_reviewers")
        elif path.endswith("/comments"):
            keys_within(body, "CreateIssueCommentOption", "POST comments")
        else:
            fail("unexpected write %s %s" % (method, path))
    if n == 0:
        fail("no writes in %s to check" % LOG)
else:
    reads("MergeRequestSchema", ["iid", "title", "description", "web_url", "author", "sha",
                                 "source_branch", "target_branch", "draft", "work_in_progress",
                                 "created_at", "updated_at", "labels", "reviewers", "references",
                                 "state"])
    reads("ExpandedMergeRequestSchema", ["diff_refs", "head_pipeline", "changes_count"])
    reads("JobSchema", ["id", "name", "status", "allow_failure", "stage", "web_url"])
    reads("CommitStatusSchema", ["id", "name", "status", "allow_failure", "description",
                                 "target_url"])
    reads("NoteSchema", ["id", "body", "author", "system", "created_at"])
    reads("MergeRequestDiffSchema", ["old_path", "new_path", "new_file", "renamed_file",
                                     "deleted_file", "diff"])
    reads("CommitSchema", ["message"])
    reads("SimpleUserSchema", ["id", "username"])
    mr = get("/projects/acme%2Fweb-console/merge_requests/202")
    keys_within(mr, "ExpandedMergeRequestSchema", "GET merge_requests/202")
    keys_within(mr["author"], "UserSchema", "mr.author")
    for mr2 in get("/merge_requests?scope=all&state=opened&per_page=5"):
        keys_within(mr2, "MergeRequestSchema", "GET /merge_requests")
    if mr.get("head_pipeline"):
        for j in get("/projects/acme%%2Fweb-console/pipelines/%d/jobs" % mr["head_pipeline"]["id"]):
            keys_within({k: v for k, v in j.items() if k != "pipeline"}, "JobSchema", "GET jobs")
    for s in get("/projects/acme%%2Fweb-console/repository/commits/%s/statuses" % mr["sha"]):
        keys_within(s, "CommitStatusSchema", "GET commit statuses")
    for nt in get("/projects/acme%2Fweb-console/merge_requests/202/notes"):
        keys_within(nt, "MergeRequestNoteSchema", "GET notes")
    for d in get("/projects/acme%2Fweb-console/merge_requests/202/diffs"):
        keys_within(d, "MergeRequestDiffSchema", "GET diffs")
    for c in get("/projects/acme%2Fweb-console/merge_requests/202/commits"):
        keys_within(c, "CommitSchema", "GET mr commits")
    # request bodies, against forge-api.md Part 2.1 (gitbeaker's options are camelCased)
    table = {"approve": {"sha", "approval_password"}, "notes": {"body"},
             "discussions": {"body", "position"},
             "statuses": {"state", "name", "context", "ref", "target_url", "description",
                          "coverage", "pipeline_id"},
             "mr": {"add_labels", "remove_labels", "labels", "reviewer_ids", "assignee_ids"}}
    position = {"position_type", "base_sha", "start_sha", "head_sha", "old_path", "new_path",
                "new_line", "old_line", "line_range"}
    states = re.search(r"type CommitablePipelineStatus = ([^;]+);", src).group(1)
    states = set(re.findall(r"'(\w+)'", states))
    n = 0
    for method, path, body in requests():
        n += 1
        what = ("approve" if path.endswith("/approve") else "notes" if path.endswith("/notes")
                else "discussions" if path.endswith("/discussions") else "statuses"
                if "/statuses/" in path else "mr" if method == "PUT" else None)
        if what is None:
            fail("unexpected write %s %s" % (method, path))
            continue
        extra = set(body) - table[what]
        if extra:
            fail("%s %s: fields not in forge-api.md 2.1: %s" % (method, path, sorted(extra)))
        if what == "statuses" and body.get("state") not in states:
            fail("POST statuses: state %r not in CommitablePipelineStatus %s" % (
                body.get("state"), sorted(states)))
        if what == "discussions" and not isinstance(body.get("position", {}), dict):
            fail("discussion position is not a nested object")
        if what == "discussions" and set(body.get("position", {})) - position:
            fail("discussion position fields: %s" % sorted(set(body["position"]) - position))
        if any("[" in k for k in body):
            fail("%s %s: bracketed keys are ignored in JSON: %s" % (method, path, sorted(body)))
    if n == 0:
        fail("no writes in %s to check" % LOG)

sys.exit(1 if failures else 0)
