/*
 * Loading policies: file:line errors, the trust rules for repository
 * policies, the built-in default, and the policy hash.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/policy/policy.h"
#include "tap.h"

static const char *
srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s != NULL ? s : ".";
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		abort();
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/*
 * A private copy of a fixture (mode 0644, in the test's directory): policy
 * loading refuses group-writable files, and a checkout's umask is not ours.
 */
static char *
fixture(const char *name)
{
	char *src = xasprintf("%s/tests/policy/fixtures/%s", srcdir(), name);
	const char *base = strrchr(name, '/') != NULL ? strrchr(name, '/') + 1 : name;
	char *dst = xasprintf("%s/%s", tap_tmpdir(), base);
	size_t len;
	char *text = slurp(src, &len);
	FILE *f = fopen(dst, "wb");

	if (f == NULL || fwrite(text, 1, len, f) != len)
		abort();
	fclose(f);
	chmod(dst, 0644);
	free(text);
	free(src);
	return dst;
}

static bool
has_flag(const struct gth_policy *p, const char *needle)
{
	const struct gth_strvec *f = gth_policy_flags(p);
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strstr(f->v[i], needle) != NULL)
			return true;
	return false;
}

/* The four classes, as every complete policy text in the table below needs them. */
#define CLASSES \
	"[class \"low\"]\nsla = 72\n[class \"medium\"]\nsla = 24\n" \
	"[class \"high\"]\nsla = 8\n[class \"critical\"]\nsla = 4\n"

int
main(void)
{
	/* Malformed host policies: each must be refused with the file:line of the problem. */
	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{ CLASSES "[rule \"a\"]\nclass = hihg\npath = x\n",
		  "t:10: class: \"hihg\" is not a class (low, medium, high, critical)" },
		{ CLASSES "[rule \"a\"]\nclass = high\npaths = x\n",
		  "t:11: unknown key rule.paths (class, path, label, task-type, author, min-lines, "
		  "min-files, manifest, guardrail, match)" },
		{ CLASSES "[rule \"a\"]\nclass = high\npath = x\nmatch = both\n",
		  "t:12: rule.match: \"both\" is not any or all" },
		{ CLASSES "[rule \"g\"]\nguardrail = true\npath = ci.yml\nlabel = x\nmatch = all\n",
		  "t:10: rule g: a guardrail cannot depend on other conditions (match = all)" },
		{ CLASSES "[rule \"a\"]\nclass = high\ntask-type = securty_critical\n",
		  "t:11: task-type: \"securty_critical\" is not a known task type "
		  "(see doc/policy.md)" },
		{ CLASSES "[rule \"a\"]\nclass = high\nmin-lines = lots\n",
		  "t:11: rule.min-lines: \"lots\" is not a whole number from 1 to 1000000000" },
		{ CLASSES "[rule \"a\"]\nclass = high\nmanifest = maybe\n",
		  "t:11: rule.manifest: \"maybe\" is not a boolean" },
		{ CLASSES "[rule \"a\"]\nclass = high\npath = !docs/**\n",
		  "t:11: pattern \"!docs/**\": negation is not supported" },
		{ CLASSES "[rule \"a\"]\nclass = high\n",
		  "t:10: rule a matches nothing (give path, label, task-type, author, min-lines, "
		  "min-files or manifest)" },
		{ CLASSES "[rule \"a\"]\npath = x\n", "t:10: rule a has no class" },
		{ CLASSES "[rule \"g\"]\nguardrail = true\nclass = low\npath = ci.yml\n",
		  "t:10: rule g: guardrail rules are critical, not low" },
		{ CLASSES "[rule]\nclass = high\n", "t:10: [rule] needs a name: [rule \"NAME\"]" },
		{ CLASSES "[class \"urgent\"]\nsla = 1\n",
		  "t:10: [class \"urgent\"]: classes are low, medium, high and critical" },
		{ CLASSES "[class \"low\"]\nsla = 0\n",
		  "t:10: class.sla: \"0\" is not a whole number from 1 to 8760" },
		{ CLASSES "[class \"low\"]\nsla-hours = 3\n",
		  "t:10: unknown key class.sla-hours (sla, approvals, require-gate, escalate-user, "
		  "escalate-team, escalate-label)" },
		{ CLASSES "[gate \"sast\"]\nchecks = semgrep\n",
		  "t:10: unknown key gate.checks (check)" },
		{ CLASSES "[gate \"sast\"]\ncheck\n", "t:10: gate.check needs a value" },
		{ CLASSES "[polcy]\ndefault-class = low\n",
		  "t:10: unknown section [polcy] (class, rule, gate, agents, policy)" },
		{ CLASSES "[policy]\ndefault-class = none\n",
		  "t:10: default-class: \"none\" is not a class (low, medium, high, critical)" },
		{ "[class \"low\"]\nsla = 72\n[class \"medium\"]\nsla = 24\n"
		  "[class \"high\"]\nsla = 8\n",
		  "t: class critical has no sla "
		  "(every class needs [class \"critical\"] sla = HOURS)" },
		{ CLASSES "[rule \"a\"\nclass = high\n", "t:9: missing ']' in section header" },
	};
	struct gth_policy *host, *p, *q;
	struct gth_err err;
	char h1[65], h2[65], *path, *text;
	const char *paths[2];
	size_t i, len;
	int r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = NULL;
		r = gth_policy_load_string(bad[i].text, strlen(bad[i].text), "t", &p, &err);
		is_int(r, -GTH_E_POLICY, "malformed policy %zu refused", i);
		is_str(err.msg, bad[i].err, "malformed policy %zu: error names file:line", i);
		ok(p == NULL, "malformed policy %zu yields no policy", i);
	}

	/* Files: syntax errors and unknown keys carry the real path and line. */
	{
		static const struct {
			const char *fixture;
			const char *suffix;
		} files[] = {
			{ "bad-syntax.policy",
			  "bad-syntax.policy:4: missing ']' in section header" },
			{ "unknown-key.policy", "unknown-key.policy:11: unknown key rule.pth" },
		};

		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			char *want;

			path = fixture(files[i].fixture);
			paths[0] = path;
			p = NULL;
			r = gth_policy_load(paths, 1, &p, &err);
			want = xasprintf("%s/%s", tap_tmpdir(), files[i].suffix);
			is_int(r, -GTH_E_POLICY, "%s refused: gatehouse will not run on it",
			    files[i].fixture);
			ok(strncmp(err.msg, want, strlen(want)) == 0, "%s: error \"%s\" names the "
			    "file and line", files[i].fixture, err.msg);
			free(want);
			free(path);
		}
	}

	/* A missing /etc file is fine; a later broken file still refuses. */
	path = fixture("host.policy");
	paths[0] = "/nonexistent/gatehouse/policy";
	paths[1] = path;
	host = NULL;
	is_int(gth_policy_load(paths, 2, &host, &err), 0, "missing system policy skipped");
	ok(host != NULL, "host policy loaded");
	is_int(gth_policy_sla_hours(host, GTH_RISK_CRITICAL), 4, "critical SLA from the file");
	is_int(gth_policy_approvals(host, GTH_RISK_HIGH), 2, "high approvals from the file");
	is_int(gth_policy_override_min_chars(host), 12, "override length from the file");
	paths[0] = path;
	paths[1] = fixture("bad-syntax.policy");
	p = NULL;
	is_int(gth_policy_load(paths, 2, &p, &err), -GTH_E_POLICY,
	    "a broken user policy after a good host policy is still refused");
	free((char *)paths[1]);
	free(path);

	/* A policy anyone else may rewrite is refused, as ssh refuses such keys. */
	{
		size_t hlen;
		char *htext, *copy = xasprintf("%s/open.policy", tap_tmpdir()), *want;
		FILE *f;

		path = fixture("host.policy");
		htext = slurp(path, &hlen);
		free(path);
		f = fopen(copy, "w");
		fwrite(htext, 1, hlen, f);
		fclose(f);
		free(htext);
		paths[0] = copy;
		chmod(copy, 0664);
		p = NULL;
		is_int(gth_policy_load(paths, 1, &p, &err), -GTH_E_POLICY,
		    "group-writable policy refused");
		want = xasprintf("%s: writable by group or others: refusing it (chmod go-w %s)", copy,
		    copy);
		is_str(err.msg, want, "refusal says why and how to fix it");
		free(want);
		chmod(copy, 0606);
		is_int(gth_policy_load(paths, 1, &p, &err), -GTH_E_POLICY,
		    "world-writable policy refused");
		chmod(copy, 0644);
		is_int(gth_policy_load(paths, 1, &p, &err), 0, "the same file, go-w, loads");
		gth_policy_free(p);
		free(copy);
	}

	/* No policy file at all: the built-in default, which is policy/default.policy itself. */
	paths[0] = "/nonexistent/a";
	p = NULL;
	is_int(gth_policy_load(paths, 1, &p, &err), 0, "no policy file: built-in default");
	path = fixture("../../../policy/default.policy");
	text = slurp(path, &len);
	is_int(strlen(gth_policy_default_text), len, "built-in default has the shipped length");
	ok(strcmp(gth_policy_default_text, text) == 0, "built-in default is the shipped file");
	paths[0] = path;
	q = NULL;
	is_int(gth_policy_load(paths, 1, &q, &err), 0, "shipped default policy loads");
	gth_policy_hash(p, h1);
	gth_policy_hash(q, h2);
	is_str(h1, h2, "built-in and shipped default hash the same");
	is_int(gth_policy_sla_hours(q, GTH_RISK_LOW), 72, "default: low SLA 72h");
	is_int(gth_policy_sla_hours(q, GTH_RISK_CRITICAL), 4, "default: critical SLA 4h");
	gth_policy_free(p);
	gth_policy_free(q);
	free(text);
	free(path);

	/* Hash: stable under comments and whitespace, changes with any rule. */
	{
		static const char base[] = CLASSES "[rule \"a\"]\nclass = high\npath = src/**\n";
		static const char same[] = "# comment\n" CLASSES "\n[rule \"a\"]\n\t"
			"class   = high ; note\n\tpath = \"src/**\"\n";
		static const char reordered[] = CLASSES
			"[rule \"a\"]\npath = src/**\nclass = high\n";
		static const char changed[] = CLASSES "[rule \"a\"]\nclass = high\npath = src/*\n";
		static const char sla[] = "[class \"low\"]\nsla = 71\n"
			"[class \"medium\"]\nsla = 24\n"
			"[class \"high\"]\nsla = 8\n[class \"critical\"]\nsla = 4\n"
			"[rule \"a\"]\nclass = high\npath = src/**\n";
		char hb[65], hx[65];

		gth_policy_load_string(base, strlen(base), "x", &p, &err);
		gth_policy_hash(p, hb);
		is_int(strlen(hb), 64, "hash is 64 hex digits");
		gth_policy_hash(p, hx);
		is_str(hx, hb, "hash is stable");
		gth_policy_free(p);
		gth_policy_load_string(same, strlen(same), "y", &p, &err);
		gth_policy_hash(p, hx);
		is_str(hx, hb, "comments, spacing, quoting and file name do not change the hash");
		gth_policy_free(p);
		gth_policy_load_string(reordered, strlen(reordered), "x", &p, &err);
		gth_policy_hash(p, hx);
		is_str(hx, hb, "key order within a rule does not change the hash");
		gth_policy_free(p);
		gth_policy_load_string(changed, strlen(changed), "x", &p, &err);
		gth_policy_hash(p, hx);
		ok(strcmp(hx, hb) != 0, "changing a rule's path changes the hash");
		gth_policy_free(p);
		gth_policy_load_string(sla, strlen(sla), "x", &p, &err);
		gth_policy_hash(p, hx);
		ok(strcmp(hx, hb) != 0, "changing an SLA changes the hash");
		gth_policy_free(p);
	}

	/* Trust: a repository policy that tries to lower the bar is ignored and flagged. */
	path = fixture("repo-lower.policy");
	text = slurp(path, &len);
	p = NULL;
	r = gth_policy_add_repo_rules(host, text, len, "acme/api@base:.gatehouse/policy", &p, &err);
	is_int(r, 0, "lowering repo policy loads (its attempts are ignored)");
	is_int(gth_policy_sla_hours(p, GTH_RISK_HIGH), 8, "repo cannot change a class's SLA");
	is_int(gth_policy_approvals(p, GTH_RISK_HIGH), 2, "repo cannot change approvals");
	ok(has_flag(p, "repo policy tried to redefine class high (sla = 1000) at "
	    "acme/api@base:.gatehouse/policy:3: ignored"), "SLA attempt flagged with its line");
	ok(has_flag(p, "repo policy tried to redefine class high (approvals = 0)"),
	    "approvals attempt flagged");
	ok(has_flag(p, "repo policy tried to redefine gate sast (check = always-green)"),
	    "gate redefinition flagged");
	ok(has_flag(p, "repo policy tried to set policy.default-class"),
	    "settings attempt flagged");
	ok(has_flag(p, "repo policy rule everything-is-docs assigns low, which cannot raise"),
	    "low-class repo rule flagged");
	ok(has_flag(p, "repo policy tried to redefine host rule auth (low)"),
	    "redefining a host rule flagged");
	gth_policy_hash(host, h1);
	gth_policy_hash(p, h2);
	is_str(h2, h1, "ignored repo attempts leave the effective policy unchanged");
	gth_policy_free(p);
	free(text);
	free(path);

	path = fixture("repo-raise.policy");
	text = slurp(path, &len);
	r = gth_policy_add_repo_rules(host, text, len, "acme/api@base:.gatehouse/policy", &p, &err);
	is_int(r, 0, "raising repo policy loads");
	is_int(gth_policy_flags(p)->n, 0, "a legitimate repo rule raises no flag");
	gth_policy_hash(p, h2);
	ok(strcmp(h1, h2) != 0, "repo rules change the effective policy's hash");
	ok(strstr(gth_policy_canonical(p), "rule \"repo:frontend\" from=repo class=high") != NULL,
	    "repo rules are named repo:NAME in the canonical form");
	gth_policy_free(p);
	free(text);
	free(path);

	/* A hostile repository can neither flood the reviewer with flags nor the CPU with rules. */
	{
		struct gth_buf b = GTH_BUF_INIT;

		for (i = 0; i < 100; i++)
			gth_buf_addf(&b, "[gate \"g%zu\"]\n\tcheck = x\n", i);
		r = gth_policy_add_repo_rules(host, b.data, b.len, "flood", &p, &err);
		is_int(r, 0, "a repo policy of 100 gate redefinitions loads");
		is_int(gth_policy_flags(p)->n, 25, "flags are capped, plus one summary");
		ok(has_flag(p, "repo policy: 76 more attempts to change what it may not were ignored"),
		    "the summary counts what was not listed");
		gth_policy_free(p);
		gth_buf_reset(&b);
		for (i = 0; i < 300; i++)
			gth_buf_addf(&b, "[rule \"r%zu\"]\n\tclass = high\n\tpath = x%zu\n", i, i);
		p = NULL;
		r = gth_policy_add_repo_rules(host, b.data, b.len, "many", &p, &err);
		is_int(r, -GTH_E_POLICY, "a repo policy with 300 rules is refused");
		is_str(err.msg, "many: a repository policy may have at most 256 rules",
		    "and says why");
		gth_buf_release(&b);
	}

	/* A repo policy with a syntax error or a typo is refused with its origin:line. */
	{
		static const char typo[] = "[rule \"x\"]\n\tclass = high\n\tlable = db\n";

		p = NULL;
		r = gth_policy_add_repo_rules(host, typo, strlen(typo),
		    "acme/api:.gatehouse/policy", &p, &err);
		is_int(r, -GTH_E_POLICY, "repo policy with an unknown key refused");
		ok(gth_str_has_prefix(err.msg,
		    "acme/api:.gatehouse/policy:3: unknown key rule.lable"),
		    "repo policy error names origin:line (%s)", err.msg);
		ok(p == NULL, "no policy from a refused repo policy");
	}

	/* Check states as the forges spell them. */
	{
		static const struct {
			enum gth_check_kind kind;
			const char *status, *conclusion;
			int r;
			enum gth_gate_state want;
		} states[] = {
			{ GTH_CHECK_RUN, "completed", "success", 0, GTH_GATE_PASS },
			{ GTH_CHECK_RUN, "completed", "neutral", 0, GTH_GATE_PASS },
			{ GTH_CHECK_RUN, "completed", "failure", 0, GTH_GATE_FAIL },
			{ GTH_CHECK_RUN, "completed", "timed_out", 0, GTH_GATE_FAIL },
			{ GTH_CHECK_RUN, "completed", "cancelled", 0, GTH_GATE_FAIL },
			{ GTH_CHECK_RUN, "COMPLETED", "STARTUP_FAILURE", 0, GTH_GATE_FAIL },
			{ GTH_CHECK_RUN, "completed", "skipped", 0, GTH_GATE_SKIPPED },
			{ GTH_CHECK_RUN, "completed", "stale", 0, GTH_GATE_FAIL },
			{ GTH_CHECK_RUN, "completed", "action_required", 0, GTH_GATE_AWAITING },
			{ GTH_CHECK_RUN, "waiting", NULL, 0, GTH_GATE_AWAITING },
			{ GTH_CHECK_RUN, "queued", NULL, 0, GTH_GATE_PENDING },
			{ GTH_CHECK_RUN, "in_progress", NULL, 0, GTH_GATE_PENDING },
			{ GTH_CHECK_RUN, "requested", NULL, 0, GTH_GATE_PENDING },
			{ GTH_CHECK_RUN, "pending", "", 0, GTH_GATE_PENDING },
			{ GTH_CHECK_RUN, "completed", "exploded", -GTH_E_PARSE, GTH_GATE_PENDING },
			{ GTH_CHECK_STATUS, "success", NULL, 0, GTH_GATE_PASS },
			{ GTH_CHECK_STATUS, "failure", NULL, 0, GTH_GATE_FAIL },
			{ GTH_CHECK_STATUS, "error", NULL, 0, GTH_GATE_FAIL },
			{ GTH_CHECK_STATUS, "pending", NULL, 0, GTH_GATE_PENDING },
			{ GTH_CHECK_STATUS, "EXPECTED", NULL, 0, GTH_GATE_PENDING },
			{ GTH_CHECK_STATUS, "green", NULL, -GTH_E_PARSE, GTH_GATE_PENDING },
		};

		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
			enum gth_gate_state s = GTH_GATE_PASS;

			r = gth_policy_check_state(states[i].kind, states[i].status,
			    states[i].conclusion, &s);
			is_int(r, states[i].r, "%s %s/%s parses", states[i].kind == GTH_CHECK_RUN ?
			    "check run" : "status", states[i].status,
			    states[i].conclusion != NULL ? states[i].conclusion : "-");
			is_str(gth_gate_state_name(s), gth_gate_state_name(states[i].want),
			    "%s/%s is %s", states[i].status,
			    states[i].conclusion != NULL ? states[i].conclusion : "-",
			    gth_gate_state_name(states[i].want));
		}
	}
	gth_policy_free(host);
	return done_testing();
}
