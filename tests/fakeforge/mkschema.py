#!/usr/bin/env python3
"""Cut the GraphQL schema subset the test forge serves out of GitHub's published schema.

    mkschema.py SCHEMA.graphql > github-subset.graphql     (regenerate)
    mkschema.py --check SCHEMA.graphql github-subset.graphql   (contract test: still a subset)

SCHEMA.graphql is @octokit/graphql-schema's schema.graphql.  Field definitions are copied
verbatim (descriptions and directives dropped), so argument names, defaults and types are
GitHub's own; union and interface memberships are cut down to the kept types.
"""

import re
import sys

KEEP = {
    "Query": "viewer rateLimit search repository user organization",
    "RateLimit": "cost limit nodeCount remaining resetAt used",
    "SearchResultItemConnection": "issueCount pageInfo nodes edges",
    "SearchResultItemEdge": "cursor node",
    "SearchResultItem": "*", "SearchType": "*",
    "PageInfo": "*",
    "Node": "id",
    "Actor": "avatarUrl login resourcePath url",
    "RepositoryOwner": "avatarUrl id login resourcePath url",
    "User": "avatarUrl databaseId email id login name resourcePath url",
    "Bot": "avatarUrl databaseId id login resourcePath url",
    "Organization": "avatarUrl databaseId id login name resourcePath url team",
    "Team": "combinedSlug id name organization slug url",
    "Repository": "databaseId defaultBranchRef description id isArchived isPrivate name "
                  "nameWithOwner owner pullRequest pullRequests url",
    "Ref": "id name prefix target",
    "GitObject": "abbreviatedOid id oid",
    "PullRequest": "additions author baseRefName baseRefOid body changedFiles closed createdAt "
                   "commits databaseId deletions files headRefName headRefOid id isDraft labels "
                   "latestReviews mergeable merged number permalink repository reviewDecision "
                   "reviewRequests reviews state statusCheckRollup timelineItems title updatedAt "
                   "url",
    "PullRequestConnection": "edges nodes pageInfo totalCount",
    "PullRequestEdge": "cursor node",
    "PullRequestState": "*", "PullRequestReviewDecision": "*", "MergeableState": "*",
    "PullRequestReviewState": "*", "StatusState": "*", "CheckStatusState": "*",
    "CheckConclusionState": "*", "PatchStatus": "*", "CheckAnnotationLevel": "*",
    "PullRequestTimelineItemsItemType": "*", "IssueOrderField": "*", "OrderDirection": "*",
    "LabelOrderField": "*", "IssueState": "*",
    "IssueOrder": "*", "LabelOrder": "*",
    "LabelConnection": "edges nodes pageInfo totalCount",
    "LabelEdge": "cursor node",
    "Label": "color description id name",
    "ReviewRequestConnection": "edges nodes pageInfo totalCount",
    "ReviewRequestEdge": "cursor node",
    "ReviewRequest": "asCodeOwner id requestedReviewer",
    "RequestedReviewer": "*",
    "PullRequestReviewConnection": "edges nodes pageInfo totalCount",
    "PullRequestReviewEdge": "cursor node",
    "PullRequestReview": "author body commit createdAt databaseId id state submittedAt url",
    "PullRequestTimelineItemsConnection": "edges filteredCount nodes pageInfo totalCount",
    "PullRequestTimelineItemsEdge": "cursor node",
    "PullRequestTimelineItems": "*",
    "ReadyForReviewEvent": "actor createdAt id",
    "ConvertToDraftEvent": "actor createdAt id",
    "ReviewRequestedEvent": "actor createdAt id requestedReviewer",
    "LabeledEvent": "actor createdAt id label",
    "HeadRefForcePushedEvent": "actor afterCommit beforeCommit createdAt id",
    "PullRequestCommitConnection": "edges nodes pageInfo totalCount",
    "PullRequestCommitEdge": "cursor node",
    "PullRequestCommit": "commit id url",
    "Commit": "abbreviatedOid authoredDate committedDate id message messageHeadline oid status "
              "statusCheckRollup url",
    "Status": "contexts id state",
    "StatusCheckRollup": "commit contexts id state",
    "StatusCheckRollupContextConnection": "checkRunCount edges nodes pageInfo "
                                          "statusContextCount totalCount",
    "StatusCheckRollupContextEdge": "cursor node",
    "StatusCheckRollupContext": "*",
    "CheckRun": "annotations checkSuite completedAt conclusion databaseId detailsUrl externalId "
                "id isRequired name permalink startedAt status summary text title url",
    "CheckSuite": "app conclusion databaseId id status",
    "App": "databaseId id name slug url",
    "CheckAnnotationConnection": "edges nodes pageInfo totalCount",
    "CheckAnnotationEdge": "cursor node",
    "CheckAnnotation": "annotationLevel blobUrl location message path rawDetails title",
    "CheckAnnotationSpan": "end start",
    "CheckAnnotationPosition": "column line",
    "StatusContext": "avatarUrl commit context createdAt creator description id isRequired "
                     "state targetUrl",
    "PullRequestChangedFileConnection": "edges nodes pageInfo totalCount",
    "PullRequestChangedFileEdge": "cursor node",
    "PullRequestChangedFile": "additions changeType deletions path",
    "Issue": "author body createdAt id labels number repository state title updatedAt url",
    "DateTime": "*", "URI": "*", "GitObjectID": "*",
}

BUILTIN = {"String", "Int", "Float", "Boolean", "ID"}


def strip(src):
    src = re.sub(r'"""(?:.|\n)*?"""', "", src)
    src = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', src)
    src = re.sub(r"@deprecated(\([^)]*\))?", "", src)
    src = re.sub(r"@\w+(\([^)]*\))?", "", src)
    return src


def parse_defs(src):
    """name -> (kind, header, body-or-None)."""
    defs = {}
    for m in re.finditer(r"^(type|interface|input|enum|union|scalar) (\w+)([^{\n]*)(\{(.*?)^\})?",
                         src, re.M | re.S):
        defs[m.group(2)] = (m.group(1), m.group(3), m.group(5))
    return defs


def split_fields(body):
    """Top-level field definitions of a type body, each as one normalised line."""
    fields, cur, depth = {}, [], 0
    for line in body.splitlines():
        if not line.strip():
            continue
        if depth == 0 and cur:
            text = " ".join(" ".join(cur).split())
            fields[text.split("(")[0].split(":")[0].strip()] = text
            cur = []
        cur.append(line.strip())
        depth += line.count("(") - line.count(")")
    if cur:
        text = " ".join(" ".join(cur).split())
        fields[text.split("(")[0].split(":")[0].strip()] = text
    return fields


def build(schema_text):
    defs = parse_defs(strip(schema_text))
    out, referenced = [], set()
    for name in sorted(KEEP):
        if name not in defs:
            raise SystemExit("type %s not in the schema" % name)
        kind, header, body = defs[name]
        if kind == "scalar":
            out.append("scalar %s\n" % name)
            continue
        if kind == "union":
            members = [m.strip() for m in header.split("=")[1].split("|")]
            members = [m for m in members if m in KEEP]
            out.append("union %s = %s\n" % (name, " | ".join(members)))
            continue
        if kind == "enum":
            vals = [v.strip() for v in body.splitlines() if v.strip()]
            out.append("enum %s {\n%s\n}\n" % (name, "\n".join("  " + v for v in vals)))
            continue
        fields = split_fields(body)
        want = list(fields) if KEEP[name] == "*" else KEEP[name].split()
        ifaces = []
        m = re.search(r"implements (.*)", header)
        if m:
            ifaces = [i.strip() for i in m.group(1).split("&") if i.strip() in KEEP]
        lines = []
        for f in sorted(want):
            if f not in fields:
                raise SystemExit("field %s.%s not in the schema" % (name, f))
            lines.append("  " + fields[f])
            nodefault = re.sub(r"=\s*(\{[^}]*\}|\[[^\]]*\]|[^\s,)]+)", "", fields[f])
            referenced.update(re.findall(r":\s*\[*\s*([A-Z]\w*)", nodefault))
        impl = (" implements " + " & ".join(ifaces)) if ifaces else ""
        out.append("%s %s%s {\n%s\n}\n" % (kind, name, impl, "\n".join(lines)))
    missing = sorted(t for t in referenced - BUILTIN if t not in KEEP)
    if missing:
        raise SystemExit("types referenced but not kept: " + ", ".join(missing))
    return "# GitHub GraphQL schema subset served by the test forge.\n" \
           "# Cut from @octokit/graphql-schema by tests/fakeforge/mkschema.py; do not edit.\n\n" \
           + "\n".join(out)


def main(argv):
    if argv[:1] == ["--check"]:
        want = build(open(argv[1], encoding="utf-8").read())
        have = open(argv[2], encoding="utf-8").read()
        if want != have:
            sys.stderr.write("%s differs from the subset of %s\n" % (argv[2], argv[1]))
            return 1
        return 0
    sys.stdout.write(build(open(argv[0], encoding="utf-8").read()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
