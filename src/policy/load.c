/*
 * Loading a policy: host files, the built-in default, repository rules.
 *
 * Files are read by config/cfg (libgit2's parser); this module gives the
 * entries meaning and refuses anything it does not understand, with the
 * file:line of the entry: a typo in a security policy must not silently
 * weaken it.  After loading, the policy is serialized canonically and hashed
 * so that every decision record names exactly the rules it was made under.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/sha256.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/cfg.h"
#include "gatehouse/policy/policy.h"
#include "internal.h"

const char *const gth_policy_task_types[] = {
	"documentation", "test_generation", "bug_fix_isolated", "boilerplate",
	"dependency_update", "performance", "cross_module_refactor", "distributed_system",
	"security_critical", "infra_ci", "data_migration", NULL,
};

const char *const pol_manifest_patterns[] = {
	"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
	"go.mod", "go.sum", "go.work", "Cargo.toml", "Cargo.lock", "requirements*.txt",
	"constraints*.txt", "Pipfile", "Pipfile.lock", "pyproject.toml", "poetry.lock", "uv.lock",
	"Gemfile", "Gemfile.lock", "pom.xml", "build.gradle", "build.gradle.kts",
	"gradle.lockfile", "composer.json", "composer.lock", "mix.exs", "mix.lock",
	"Package.swift", "Package.resolved", "packages.lock.json", "vendor/", NULL,
};

/*
 * Guardrails no policy file can remove: the policy itself, CI configuration
 * of every supported forge, and CODEOWNERS.  A PR touching them is critical.
 */
static const char *const builtin_guardrails[] = {
	".gatehouse/", ".github/workflows/", ".github/actions/", "CODEOWNERS",
	".gitlab-ci.yml", ".gitlab/ci/", ".gitea/workflows/", ".forgejo/workflows/", NULL,
};

#define BUILTIN_GUARDRAIL_RULE "builtin-guardrails"

static struct gth_policy *
policy_new(void)
{
	struct gth_policy *p = xcalloc(1, sizeof(*p));
	size_t i;

	p->default_class = GTH_RISK_LOW;
	p->override_min_chars = 20;
	for (i = 0; pol_manifest_patterns[i] != NULL; i++) {
		struct gth_glob *g = NULL;

		if (gth_glob_compile(pol_manifest_patterns[i], 0, &g, NULL) == 0)
			GTH_PUSH(p->manifests, p->n_manifests, p->cap_manifests) = g;
	}
	return p;
}

static void
rule_release(struct pol_rule *r)
{
	size_t i;

	free(r->name);
	free(r->origin);
	for (i = 0; i < r->n_paths; i++)
		gth_glob_free(r->paths[i]);
	free(r->paths);
	gth_strvec_clear(&r->labels);
	gth_strvec_clear(&r->task_types);
	gth_strvec_clear(&r->authors);
}

static void
gate_release(struct pol_gate *g)
{
	size_t i;

	free(g->name);
	for (i = 0; i < g->n_checks; i++)
		gth_glob_free(g->checks[i]);
	free(g->checks);
}

void
gth_policy_free(struct gth_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < GTH_RISK__COUNT; i++) {
		gth_strvec_clear(&p->classes[i].gates);
		gth_strvec_clear(&p->classes[i].users);
		gth_strvec_clear(&p->classes[i].teams);
		gth_strvec_clear(&p->classes[i].labels);
	}
	for (i = 0; i < p->n_rules; i++)
		rule_release(&p->rules[i]);
	free(p->rules);
	for (i = 0; i < p->n_gates; i++)
		gate_release(&p->gates[i]);
	free(p->gates);
	gth_strvec_clear(&p->agents);
	gth_strvec_clear(&p->flags);
	for (i = 0; i < p->n_manifests; i++)
		gth_glob_free(p->manifests[i]);
	free(p->manifests);
	free(p->canonical);
	free(p);
}

/* A semantic error at entry e: "file:line: msg", coded as a policy error. */
static int __attribute__((format(printf, 3, 4)))
perr(struct gth_err *err, const struct gth_cfg_entry *e, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gth_cfg_error(err, e, "%s", msg);
	if (err != NULL)
		err->code = -GTH_E_POLICY;
	return -GTH_E_POLICY;
}

/* Errors from config/ (syntax, bad values) are policy errors here; I/O errors stay as they are. */
static int
as_policy_error(int r, struct gth_err *err)
{
	if (r == -GTH_E_CONFIG) {
		if (err != NULL)
			err->code = -GTH_E_POLICY;
		return -GTH_E_POLICY;
	}
	return r;
}

static int
need_value(const struct gth_cfg_entry *e, struct gth_err *err)
{
	return as_policy_error(gth_cfg_entry_need(e, err), err);
}

static int
get_bool(const struct gth_cfg_entry *e, bool *out, struct gth_err *err)
{
	return as_policy_error(gth_cfg_entry_bool(e, out, err), err);
}

static int
get_long(const struct gth_cfg_entry *e, long min, long max, long *out, struct gth_err *err)
{
	return as_policy_error(gth_cfg_entry_long(e, min, max, out, err), err);
}

static int
get_risk(const struct gth_cfg_entry *e, enum gth_risk *out, struct gth_err *err)
{
	int r;

	if ((r = need_value(e, err)) < 0)
		return r;
	if (gth_risk_parse(e->value, out) < 0)
		return perr(err, e, "%s: \"%s\" is not a class (low, medium, high, critical)",
		    e->key, e->value);
	return 0;
}

static bool
is_task_type(const char *s)
{
	size_t i;

	for (i = 0; gth_policy_task_types[i] != NULL; i++)
		if (strcmp(gth_policy_task_types[i], s) == 0)
			return true;
	return false;
}

static struct pol_rule *
find_rule(struct gth_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_rules; i++)
		if (strcmp(p->rules[i].name, name) == 0)
			return &p->rules[i];
	return NULL;
}

static struct pol_rule *
add_rule(struct gth_policy *p, const char *name, const char *origin)
{
	struct pol_rule *r = &GTH_PUSH(p->rules, p->n_rules, p->cap_rules);

	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	r->origin = xstrdup(origin);
	r->min_lines = r->min_files = -1;
	return r;
}

static struct pol_gate *
find_gate(struct gth_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_gates; i++)
		if (strcmp(p->gates[i].name, name) == 0)
			return &p->gates[i];
	return NULL;
}

static char *
entry_where(const struct gth_cfg_entry *e)
{
	return e->line > 0 ? xasprintf("%s:%d", e->origin, e->line) : xstrdup(e->origin);
}

static int
add_glob(struct gth_glob ***arr, size_t *n, size_t *cap, const struct gth_cfg_entry *e,
	unsigned flags, struct gth_err *err)
{
	struct gth_glob *g = NULL;
	struct gth_err gerr;
	int r;

	if ((r = need_value(e, err)) < 0)
		return r;
	if (gth_glob_compile(e->value, flags, &g, &gerr) < 0)
		return perr(err, e, "%s", gerr.msg);
	GTH_PUSH(*arr, *n, *cap) = g;
	return 0;
}

static int
load_class(struct gth_policy *p, const struct gth_cfg_entry *e, struct gth_err *err)
{
	enum gth_risk risk;
	struct pol_class *c;
	struct gth_strvec *list = NULL;
	int r;

	if (e->subsection == NULL || gth_risk_parse(e->subsection, &risk) < 0)
		return perr(err, e, "[class \"%s\"]: classes are low, medium, high and critical",
		    e->subsection != NULL ? e->subsection : "");
	c = &p->classes[risk];
	c->defined = true;
	if (strcmp(e->key, "sla") == 0)
		return get_long(e, 1, 24L * 365, &c->sla_hours, err);
	if (strcmp(e->key, "approvals") == 0)
		return get_long(e, 0, 20, &c->approvals, err);
	if (strcmp(e->key, "require-gate") == 0)
		list = &c->gates;
	else if (strcmp(e->key, "escalate-user") == 0)
		list = &c->users;
	else if (strcmp(e->key, "escalate-team") == 0)
		list = &c->teams;
	else if (strcmp(e->key, "escalate-label") == 0)
		list = &c->labels;
	else
		return perr(err, e, "unknown key class.%s (sla, approvals, require-gate, "
		    "escalate-user, escalate-team, escalate-label)", e->key);
	if ((r = need_value(e, err)) < 0)
		return r;
	if (!gth_strvec_has(list, e->value))
		gth_strvec_push(list, e->value);
	return 0;
}

static int
load_rule_key(struct pol_rule *ru, const struct gth_cfg_entry *e, struct gth_err *err)
{
	int r;

	if (strcmp(e->key, "class") == 0) {
		ru->has_class = true;
		return get_risk(e, &ru->risk, err);
	}
	if (strcmp(e->key, "path") == 0)
		return add_glob(&ru->paths, &ru->n_paths, &ru->cap_paths, e, 0, err);
	if (strcmp(e->key, "min-lines") == 0)
		return get_long(e, 1, 1000000000L, &ru->min_lines, err);
	if (strcmp(e->key, "min-files") == 0)
		return get_long(e, 1, 100000000L, &ru->min_files, err);
	if (strcmp(e->key, "manifest") == 0)
		return get_bool(e, &ru->manifest, err);
	if (strcmp(e->key, "guardrail") == 0)
		return get_bool(e, &ru->guardrail, err);
	if (strcmp(e->key, "match") == 0) {
		if ((r = need_value(e, err)) < 0)
			return r;
		if (!gth_str_eq(e->value, "any") && !gth_str_eq(e->value, "all"))
			return perr(err, e, "rule.match: \"%s\" is not any or all", e->value);
		ru->match_all = gth_str_eq(e->value, "all");
		return 0;
	}
	if (strcmp(e->key, "label") != 0 && strcmp(e->key, "task-type") != 0 &&
	    strcmp(e->key, "author") != 0)
		return perr(err, e, "unknown key rule.%s (class, path, label, task-type, author, "
		    "min-lines, min-files, manifest, guardrail, match)", e->key);
	if ((r = need_value(e, err)) < 0)
		return r;
	if (strcmp(e->key, "task-type") == 0) {
		if (!is_task_type(e->value))
			return perr(err, e, "task-type: \"%s\" is not a known task type (see "
			    "doc/policy.md)", e->value);
		gth_strvec_push(&ru->task_types, e->value);
	} else {
		gth_strvec_push(strcmp(e->key, "label") == 0 ? &ru->labels : &ru->authors,
		    e->value);
	}
	return 0;
}

static int
load_rule(struct gth_policy *p, const struct gth_cfg_entry *e, bool repo, struct gth_err *err)
{
	struct pol_rule *ru;
	char *name;
	int r;

	if (e->subsection == NULL || e->subsection[0] == '\0')
		return perr(err, e, "[rule] needs a name: [rule \"NAME\"]");
	name = repo ? xasprintf("repo:%s", e->subsection) : xstrdup(e->subsection);
	ru = find_rule(p, name);
	if (ru == NULL) {
		char *where = entry_where(e);

		ru = add_rule(p, name, where);
		ru->from_repo = repo;
		free(where);
	}
	free(name);
	r = load_rule_key(ru, e, err);
	return r;
}

static int
load_gate(struct gth_policy *p, const struct gth_cfg_entry *e, struct gth_err *err)
{
	struct pol_gate *g;

	if (e->subsection == NULL || e->subsection[0] == '\0')
		return perr(err, e, "[gate] needs a name: [gate \"NAME\"]");
	if (strcmp(e->key, "check") != 0)
		return perr(err, e, "unknown key gate.%s (check)", e->key);
	g = find_gate(p, e->subsection);
	if (g == NULL) {
		g = &GTH_PUSH(p->gates, p->n_gates, p->cap_gates);
		memset(g, 0, sizeof(*g));
		g->name = xstrdup(e->subsection);
	}
	return add_glob(&g->checks, &g->n_checks, &g->cap_checks, e, GTH_GLOB_NAME, err);
}

static int
load_settings(struct gth_policy *p, const struct gth_cfg_entry *e, struct gth_err *err)
{
	if (e->subsection != NULL)
		return perr(err, e, "[policy \"%s\"]: the policy section takes no name",
		    e->subsection);
	if (strcmp(e->key, "default-class") == 0)
		return get_risk(e, &p->default_class, err);
	if (strcmp(e->key, "override-min-chars") == 0)
		return get_long(e, 1, 1000, &p->override_min_chars, err);
	return perr(err, e, "unknown key policy.%s (default-class, override-min-chars)", e->key);
}

static int
load_agents(struct gth_policy *p, const struct gth_cfg_entry *e, struct gth_err *err)
{
	int r;

	if (e->subsection != NULL || strcmp(e->key, "author") != 0)
		return perr(err, e, "unknown key %s.%s ([agents] takes author = LOGIN)",
		    e->section, e->key);
	if ((r = need_value(e, err)) < 0)
		return r;
	if (!gth_strvec_has(&p->agents, e->value))
		gth_strvec_push(&p->agents, e->value);
	return 0;
}

static int
load_host_entry(struct gth_policy *p, const struct gth_cfg_entry *e, struct gth_err *err)
{
	if (strcmp(e->section, "class") == 0)
		return load_class(p, e, err);
	if (strcmp(e->section, "rule") == 0)
		return load_rule(p, e, false, err);
	if (strcmp(e->section, "gate") == 0)
		return load_gate(p, e, err);
	if (strcmp(e->section, "policy") == 0)
		return load_settings(p, e, err);
	if (strcmp(e->section, "agents") == 0)
		return load_agents(p, e, err);
	return perr(err, e, "unknown section [%s] (class, rule, gate, agents, policy)",
	    e->section);
}

/* Rule-level checks once every entry is in: a rule must say what it matches and what it gives. */
static int
check_rule(struct pol_rule *ru, struct gth_err *err)
{
	if (ru->guardrail) {
		if (ru->has_class && ru->risk != GTH_RISK_CRITICAL)
			return gth_err_set(err, -GTH_E_POLICY, "%s: rule %s: guardrail rules are "
			    "critical, not %s", ru->origin, ru->name, gth_risk_name(ru->risk));
		ru->has_class = true;
		ru->risk = GTH_RISK_CRITICAL;
	}
	if (!ru->has_class)
		return gth_err_set(err, -GTH_E_POLICY, "%s: rule %s has no class", ru->origin,
		    ru->name);
	if (ru->n_paths == 0 && ru->labels.n == 0 && ru->task_types.n == 0 &&
	    ru->authors.n == 0 && ru->min_lines < 0 && ru->min_files < 0 && !ru->manifest)
		return gth_err_set(err, -GTH_E_POLICY, "%s: rule %s matches nothing (give path, "
		    "label, task-type, author, min-lines, min-files or manifest)", ru->origin,
		    ru->name);
	if (ru->guardrail && ru->match_all)
		return gth_err_set(err, -GTH_E_POLICY, "%s: rule %s: a guardrail cannot depend on "
		    "other conditions (match = all)", ru->origin, ru->name);
	if (ru->guardrail && ru->n_paths == 0)
		return gth_err_set(err, -GTH_E_POLICY, "%s: rule %s: guardrail = true needs paths",
		    ru->origin, ru->name);
	return 0;
}

static void
add_builtin_rules(struct gth_policy *p)
{
	struct pol_rule *ru = add_rule(p, BUILTIN_GUARDRAIL_RULE, "built-in");
	size_t i;

	ru->builtin = true;
	ru->guardrail = true;
	ru->has_class = true;
	ru->risk = GTH_RISK_CRITICAL;
	for (i = 0; builtin_guardrails[i] != NULL; i++) {
		struct gth_glob *g = NULL;

		if (gth_glob_compile(builtin_guardrails[i], 0, &g, NULL) == 0)
			GTH_PUSH(ru->paths, ru->n_paths, ru->cap_paths) = g;
	}
}

/* Quote a value so that the serialization stays one line per item and unambiguous. */
static void
canon_str(struct gth_buf *b, const char *s)
{
	gth_buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f)
			gth_buf_addf(b, "\\x%02x", c);
		else
			gth_buf_addc(b, (char)c);
	}
	gth_buf_addc(b, '"');
}

static void
canon_list(struct gth_buf *b, const char *key, const struct gth_strvec *sv)
{
	size_t i;

	gth_buf_addf(b, " %s=[", key);
	for (i = 0; i < sv->n; i++) {
		if (i > 0)
			gth_buf_addc(b, ',');
		canon_str(b, sv->v[i]);
	}
	gth_buf_addc(b, ']');
}

static void
canon_globs(struct gth_buf *b, const char *key, struct gth_glob *const *g, size_t n)
{
	size_t i;

	gth_buf_addf(b, " %s=[", key);
	for (i = 0; i < n; i++) {
		if (i > 0)
			gth_buf_addc(b, ',');
		canon_str(b, gth_glob_pattern(g[i]));
	}
	gth_buf_addc(b, ']');
}

static void
finish(struct gth_policy *p)
{
	struct gth_buf b = GTH_BUF_INIT;
	size_t i;

	gth_buf_adds(&b, "gatehouse-policy 1\n");
	gth_buf_addf(&b, "policy default-class=%s override-min-chars=%ld\n",
	    gth_risk_name(p->default_class), p->override_min_chars);
	for (i = 0; i < GTH_RISK__COUNT; i++) {
		const struct pol_class *c = &p->classes[i];

		gth_buf_addf(&b, "class %s sla=%ld approvals=%ld", gth_risk_name((enum gth_risk)i),
		    c->sla_hours, c->approvals);
		canon_list(&b, "gates", &c->gates);
		canon_list(&b, "users", &c->users);
		canon_list(&b, "teams", &c->teams);
		canon_list(&b, "labels", &c->labels);
		gth_buf_addc(&b, '\n');
	}
	gth_buf_adds(&b, "agents");
	canon_list(&b, "authors", &p->agents);
	gth_buf_addc(&b, '\n');
	for (i = 0; i < p->n_gates; i++) {
		gth_buf_adds(&b, "gate ");
		canon_str(&b, p->gates[i].name);
		canon_globs(&b, "checks", p->gates[i].checks, p->gates[i].n_checks);
		gth_buf_addc(&b, '\n');
	}
	for (i = 0; i < p->n_rules; i++) {
		const struct pol_rule *ru = &p->rules[i];

		gth_buf_adds(&b, "rule ");
		canon_str(&b, ru->name);
		gth_buf_addf(&b, " from=%s class=%s", ru->builtin ? "builtin" :
		    ru->from_repo ? "repo" : "host", gth_risk_name(ru->risk));
		canon_globs(&b, "paths", ru->paths, ru->n_paths);
		canon_list(&b, "labels", &ru->labels);
		canon_list(&b, "task-types", &ru->task_types);
		canon_list(&b, "authors", &ru->authors);
		gth_buf_addf(&b, " min-lines=%ld min-files=%ld manifest=%d guardrail=%d match=%s\n",
		    ru->min_lines, ru->min_files, ru->manifest, ru->guardrail,
		    ru->match_all ? "all" : "any");
	}
	free(p->canonical);
	p->canonical = gth_buf_take(&b, NULL);
	gth_sha256_hex(p->canonical, strlen(p->canonical), p->hash);
}

/* Interpret host entries (already merged in file order) into a complete policy. */
static int
build_host(const struct gth_cfg *cfg, const char *what, struct gth_policy **out,
	struct gth_err *err)
{
	struct gth_policy *p = policy_new();
	size_t i;
	int r = 0;

	*out = NULL;
	for (i = 0; i < cfg->n && r == 0; i++)
		r = load_host_entry(p, &cfg->v[i], err);
	for (i = 0; i < p->n_rules && r == 0; i++)
		r = check_rule(&p->rules[i], err);
	for (i = 0; i < GTH_RISK__COUNT && r == 0; i++) {
		const char *name = gth_risk_name((enum gth_risk)i);

		if (p->classes[i].sla_hours == 0)
			r = gth_err_set(err, -GTH_E_POLICY, "%s: class %s has no sla (every class "
			    "needs [class \"%s\"] sla = HOURS)", what, name, name);
	}
	for (i = 0; i < p->n_gates && r == 0; i++) {
		if (p->gates[i].n_checks == 0)
			r = gth_err_set(err, -GTH_E_POLICY, "%s: gate %s has no check", what,
			    p->gates[i].name);
	}
	if (r < 0) {
		gth_policy_free(p);
		return r;
	}
	add_builtin_rules(p);
	finish(p);
	*out = p;
	return 0;
}

int
gth_policy_load_string(const char *text, size_t len, const char *origin,
	struct gth_policy **out, struct gth_err *err)
{
	struct gth_cfg cfg;
	int r;

	*out = NULL;
	gth_cfg_init(&cfg);
	r = gth_cfg_load_string(&cfg, text, len, origin, err);
	if (r == 0)
		r = build_host(&cfg, origin, out, err);
	gth_cfg_release(&cfg);
	return as_policy_error(r, err);
}

/*
 * As ssh does with its keys: a policy that someone else may rewrite is no
 * policy.  The file must belong to root or to us and not be writable by
 * group or others.  A missing file is left to the reader.
 */
static int
check_owner(const char *path, struct gth_err *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return gth_err_set(err, -GTH_E_POLICY, "%s: owned by uid %ld, not by root or you: "
		    "refusing a policy someone else controls", path, (long)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return gth_err_set(err, -GTH_E_POLICY, "%s: writable by group or others: refusing "
		    "it (chmod go-w %s)", path, path);
	return 0;
}

int
gth_policy_load(const char *const *paths, size_t n, struct gth_policy **out,
	struct gth_err *err)
{
	struct gth_cfg cfg;
	struct gth_buf what = GTH_BUF_INIT;
	size_t i, found = 0;
	int r = 0;

	*out = NULL;
	gth_cfg_init(&cfg);
	for (i = 0; i < n; i++) {
		if ((r = check_owner(paths[i], err)) < 0)
			goto out;
		r = gth_cfg_load_file(&cfg, paths[i], err);
		if (r == -GTH_E_NOTFOUND) {
			r = 0;
			continue;
		}
		if (r < 0)
			goto out;
		gth_buf_addf(&what, "%s%s", found > 0 ? ", " : "", paths[i]);
		found++;
	}
	if (found == 0)
		r = gth_policy_load_string(gth_policy_default_text, strlen(gth_policy_default_text),
		    "built-in default policy", out, err);
	else
		r = build_host(&cfg, gth_buf_str(&what), out, err);
out:
	gth_buf_release(&what);
	gth_cfg_release(&cfg);
	return as_policy_error(r, err);
}

/* Deep copy of a rule (globs recompiled from their patterns). */
static void
copy_rule(struct gth_policy *dst, const struct pol_rule *src)
{
	struct pol_rule *ru = add_rule(dst, src->name, src->origin);
	size_t i;

	ru->has_class = src->has_class;
	ru->risk = src->risk;
	ru->from_repo = src->from_repo;
	ru->builtin = src->builtin;
	ru->min_lines = src->min_lines;
	ru->min_files = src->min_files;
	ru->manifest = src->manifest;
	ru->guardrail = src->guardrail;
	ru->match_all = src->match_all;
	gth_strvec_extend(&ru->labels, &src->labels);
	gth_strvec_extend(&ru->task_types, &src->task_types);
	gth_strvec_extend(&ru->authors, &src->authors);
	for (i = 0; i < src->n_paths; i++) {
		struct gth_glob *g = NULL;

		if (gth_glob_compile(gth_glob_pattern(src->paths[i]), 0, &g, NULL) == 0)
			GTH_PUSH(ru->paths, ru->n_paths, ru->cap_paths) = g;
	}
}

static struct gth_policy *
policy_copy(const struct gth_policy *src)
{
	struct gth_policy *p = policy_new();
	size_t i, j;

	for (i = 0; i < GTH_RISK__COUNT; i++) {
		p->classes[i].defined = src->classes[i].defined;
		p->classes[i].sla_hours = src->classes[i].sla_hours;
		p->classes[i].approvals = src->classes[i].approvals;
		gth_strvec_extend(&p->classes[i].gates, &src->classes[i].gates);
		gth_strvec_extend(&p->classes[i].users, &src->classes[i].users);
		gth_strvec_extend(&p->classes[i].teams, &src->classes[i].teams);
		gth_strvec_extend(&p->classes[i].labels, &src->classes[i].labels);
	}
	for (i = 0; i < src->n_rules; i++)
		copy_rule(p, &src->rules[i]);
	for (i = 0; i < src->n_gates; i++) {
		struct pol_gate *g = &GTH_PUSH(p->gates, p->n_gates, p->cap_gates);

		memset(g, 0, sizeof(*g));
		g->name = xstrdup(src->gates[i].name);
		for (j = 0; j < src->gates[i].n_checks; j++) {
			struct gth_glob *c = NULL;

			if (gth_glob_compile(gth_glob_pattern(src->gates[i].checks[j]),
			    GTH_GLOB_NAME, &c, NULL) == 0)
				GTH_PUSH(g->checks, g->n_checks, g->cap_checks) = c;
		}
	}
	gth_strvec_extend(&p->agents, &src->agents);
	gth_strvec_extend(&p->flags, &src->flags);
	p->default_class = src->default_class;
	p->override_min_chars = src->override_min_chars;
	return p;
}

/* Flags are for a reviewer to read: a hostile repository must not be able to flood them. */
#define REPO_MAX_FLAGS 24
#define REPO_MAX_RULES 256
#define REPO_MAX_ENTRIES 4096

static void
flag_once(struct gth_policy *p, char *msg, size_t *dropped)
{
	if (gth_strvec_has(&p->flags, msg))
		free(msg);
	else if (p->flags.n >= REPO_MAX_FLAGS) {
		(*dropped)++;
		free(msg);
	} else
		gth_strvec_push_take(&p->flags, msg);
}

/* Everything a repository may not do is recorded, not obeyed. */
static void
flag_repo_entry(struct gth_policy *p, const struct gth_cfg_entry *e, size_t *dropped)
{
	char *where = entry_where(e);
	char *what;

	if (strcmp(e->section, "class") == 0 || strcmp(e->section, "gate") == 0)
		what = xasprintf("repo policy tried to redefine %s %.60s (%s = %.60s) at %s: "
		    "ignored", e->section, e->subsection != NULL ? e->subsection : "?", e->key,
		    e->value != NULL ? e->value : "true", where);
	else
		what = xasprintf("repo policy tried to set %s.%s at %s: ignored (a repository "
		    "may only add rules)", e->section, e->key, where);
	flag_once(p, what, dropped);
	free(where);
}

int
gth_policy_add_repo_rules(const struct gth_policy *base, const char *text, size_t len,
	const char *origin, struct gth_policy **out, struct gth_err *err)
{
	struct gth_policy *p = NULL;
	struct gth_cfg cfg;
	size_t i, first_new, dropped = 0;
	int r;

	*out = NULL;
	gth_cfg_init(&cfg);
	r = gth_cfg_load_string(&cfg, text, len, origin, err);
	if (r < 0)
		goto out;
	if (cfg.n > REPO_MAX_ENTRIES) {
		r = gth_err_set(err, -GTH_E_POLICY, "%s: %zu entries; a repository policy may have "
		    "at most %d", origin, cfg.n, REPO_MAX_ENTRIES);
		goto out;
	}
	p = policy_copy(base);
	first_new = p->n_rules;
	for (i = 0; i < cfg.n; i++) {
		const struct gth_cfg_entry *e = &cfg.v[i];

		if (strcmp(e->section, "rule") != 0) {
			flag_repo_entry(p, e, &dropped);
			continue;
		}
		if ((r = load_rule(p, e, true, err)) < 0)
			goto out;
		if (p->n_rules - first_new > REPO_MAX_RULES) {
			r = gth_err_set(err, -GTH_E_POLICY, "%s: a repository policy may have at most "
			    "%d rules", origin, REPO_MAX_RULES);
			goto out;
		}
	}
	/* Validate and weed out repo rules that could only lower, or shadow a host rule. */
	for (i = first_new; i < p->n_rules;) {
		struct pol_rule *ru = &p->rules[i];
		const char *plain = ru->name + strlen("repo:");
		char *msg = NULL;

		if ((r = check_rule(ru, err)) < 0)
			goto out;
		if (find_rule((struct gth_policy *)base, plain) != NULL)
			msg = xasprintf("repo policy tried to redefine host rule %.60s (%s) at %s: "
			    "ignored", plain, gth_risk_name(ru->risk), ru->origin);
		else if (ru->risk == p->default_class)
			msg = xasprintf("repo policy rule %.60s assigns %s, which cannot raise the "
			    "class, at %s: ignored (a repository may only raise)", plain,
			    gth_risk_name(ru->risk), ru->origin);
		else if (ru->risk < p->default_class)
			msg = xasprintf("repo policy tried to lower the class to %s with rule %.60s "
			    "at %s: ignored", gth_risk_name(ru->risk), plain, ru->origin);
		if (msg != NULL) {
			flag_once(p, msg, &dropped);
			rule_release(ru);
			memmove(ru, ru + 1, (p->n_rules - i - 1) * sizeof(*ru));
			p->n_rules--;
			continue;
		}
		i++;
	}
	if (dropped > 0)
		gth_strvec_push_take(&p->flags, xasprintf("repo policy: %zu more attempts to change "
		    "what it may not were ignored", dropped));
	finish(p);
	*out = p;
	p = NULL;
	r = 0;
out:
	gth_policy_free(p);
	gth_cfg_release(&cfg);
	return as_policy_error(r, err);
}

void
gth_policy_hash(const struct gth_policy *p, char hex[65])
{
	memcpy(hex, p->hash, 65);
}

const char *
gth_policy_canonical(const struct gth_policy *p)
{
	return p->canonical;
}

const struct gth_strvec *
gth_policy_flags(const struct gth_policy *p)
{
	return &p->flags;
}

long
gth_policy_sla_hours(const struct gth_policy *p, enum gth_risk r)
{
	return (unsigned)r < GTH_RISK__COUNT ? p->classes[r].sla_hours : 0;
}

int
gth_policy_approvals(const struct gth_policy *p, enum gth_risk r)
{
	return (unsigned)r < GTH_RISK__COUNT ? (int)p->classes[r].approvals : 0;
}

long
gth_policy_override_min_chars(const struct gth_policy *p)
{
	return p->override_min_chars;
}

bool
pol_author_match(const char *pattern, const char *login)
{
	struct gth_buf b = GTH_BUF_INIT;
	bool m;

	if (login == NULL)
		return false;
	if (strpbrk(pattern, "*?") == NULL)
		return strcasecmp(pattern, login) == 0;
	/* Bot logins carry "[bot]": brackets are literal here, not a character class. */
	for (; *pattern != '\0'; pattern++) {
		if (*pattern == '[' || *pattern == ']' || *pattern == '\\')
			gth_buf_addc(&b, '\\');
		gth_buf_addc(&b, *pattern);
	}
	m = gth_glob_match_once(gth_buf_str(&b), GTH_GLOB_NAME, login);
	gth_buf_release(&b);
	return m;
}

bool
pol_is_manifest(const struct gth_policy *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->n_manifests; i++)
		if (gth_glob_match(p->manifests[i], path))
			return true;
	return false;
}
