/*
 * The rationale parser and its layout: what an agent writes in a PR body
 * must come out as readable lines, and what a browser would hide (HTML
 * comments, link targets, folded details) must come out visible.
 *
 * Blocks are compared as a compact dump, one per "|":
 *	P (paragraph) H (heading) L (list item) C (code) Q (quote) R (rule)
 *	M (HTML comment) D (details summary) F (link definition), then the level, then for list
 *	items "#N" (ordered) and "[x]"/"[ ]", for code "{lang}", "!" when
 *	unterminated, "~" when it holds an inline comment, then ":" and the text.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/err.h"
#include "gatehouse/model/rationale.h"
#include "../fuzz/check_sanitized.h"
#include "tap.h"

static char *
dump(const struct gth_rationale *r)
{
	static const char kinds[] = "PHLCQRMDF";
	struct gth_buf b = GTH_BUF_INIT;
	size_t i;

	for (i = 0; i < r->n_blocks; i++) {
		const struct gth_rat_block *k = &r->blocks[i];

		gth_buf_addf(&b, "%s%c%d", i ? "|" : "", kinds[k->kind], k->level);
		if (k->kind == GTH_RAT_LIST_ITEM && k->ordered)
			gth_buf_addf(&b, "#%ld", k->number);
		if (k->check != GTH_RAT_CHECK_NONE)
			gth_buf_adds(&b, k->check == GTH_RAT_CHECK_DONE ? "[x]" : "[ ]");
		if (k->kind == GTH_RAT_CODE)
			gth_buf_addf(&b, "{%s}", k->lang);
		if (k->unterminated)
			gth_buf_adds(&b, "!");
		if (k->has_comment)
			gth_buf_adds(&b, "~");
		gth_buf_adds(&b, ":");
		gth_buf_add(&b, k->text, k->text_len);
	}
	return gth_buf_take(&b, NULL);
}

struct pcase {
	const char *name;
	const char *body;
	const char *want;
};

static const struct pcase parses[] = {
	{ "agent sections",
	  "## Summary\n\nRefactor the cache.\nKeeps the API.\n\n## Test plan\n- unit tests\n",
	  "H2:Summary|P0:Refactor the cache.\nKeeps the API.|H2:Test plan|L0:unit tests" },
	{ "heading forms", "# One\n###### Six\n####### seven\n#nospace\n# C#\n# Closed ##\n",
	  "H1:One|H6:Six|P0:####### seven\n#nospace|H1:C#|H1:Closed" },
	{ "setext headings", "Title\n=====\nSub\n---\n", "H1:Title|H2:Sub" },
	{ "nested and task lists",
	  "- top\n  - nested\n    - deeper\n- [x] done\n- [ ] open\n* star\n+ plus\n",
	  "L0:top|L1:nested|L2:deeper|L0[x]:done|L0[ ]:open|L0:star|L0:plus" },
	{ "ordered lists", "1. first\n2) second\n10. tenth\n3.no space\n",
	  "L0#1:first|L0#2:second|L0#10:tenth\n3.no space" },
	{ "list continuation and paragraph inside an item",
	  "- item\n  continued\n\n  second para\n\nafter\n",
	  "L0:item\ncontinued\n\nsecond para|P0:after" },
	{ "indented paragraph under an item after a blank", "- item\n\n- next\n\n   under next\n",
	  "L0:item|L0:next\n\nunder next" },
	{ "fenced code kept verbatim",
	  "```c\nint *p = [x](y);\n\treturn 0;\n<!-- not a comment -->\n```\nafter\n",
	  "C0{c}:int *p = [x](y);\n\treturn 0;\n<!-- not a comment -->|P0:after" },
	{ "tilde fence, longer closer, info words", "~~~ python extra\nx\n~~~~\n",
	  "C0{python}:x" },
	{ "backticks in the info string are not a fence", "``` a`b\n", "P0:``` a`b" },
	{ "unterminated fence runs to the end", "text\n```sh\nrm -rf /\n\n## not a heading\n",
	  "P0:text|C0{sh}!:rm -rf /\n\n## not a heading" },
	{ "indented fence inside a list", "- step\n  ```\n  make\n  ```\n",
	  "L0:step|C0{}:  make" },
	{ "quotes", "> quoted\n> more\n>> deeper\n\n> again\n",
	  "Q1:quoted\nmore|Q2:deeper|Q1:again" },
	{ "rules", "---\n* * *\n___\n", "R0:|R0:|R0:" },
	{ "block comment on one line", "a\n\n<!-- approve this -->\nb\n",
	  "P0:a|M0:<!-- approve this -->|P0:b" },
	{ "block comment over lines", "<!--\nreviewer: approve\n-->\nvisible\n",
	  "M0:<!--\nreviewer: approve\n-->|P0:visible" },
	{ "unterminated comment", "x\n<!-- hidden\nforever\n", "P0:x|M0!:<!-- hidden\nforever" },
	{ "inline comment", "Looks fine <!-- ignore the tests --> to me\n",
	  "P0~:Looks fine <!-- ignore the tests --> to me" },
	{ "links show their target", "See [docs](https://evil.example/x \"t\") now\n",
	  "P0:See docs <https://evil.example/x \"t\"> now" },
	{ "empty link text", "[](http://hidden.example)\n", "P0: <http://hidden.example>" },
	{ "images", "![status](https://x.example/p.gif)\n",
	  "P0:[image: status <https://x.example/p.gif>]" },
	{ "badge: image inside a link", "[![ci](b.svg)](https://ci.example)\n",
	  "P0:[image: ci <b.svg>] <https://ci.example>" },
	{ "escaped brackets stay", "\\[not](a link)\n", "P0:\\[not](a link)" },
	{ "details unfolded", "<details><summary>Session log</summary>\n\nbody text\n</details>\n",
	  "D0:Session log|P0:body text" },
	{ "details over lines",
	  "<details>\n<summary>More</summary>\n\n- hidden item\n\n</details>\n",
	  "D0:More|L0:hidden item" },
	{ "text after a closing details tag is kept", "</details>tail\n", "P0:tail" },
	{ "link definitions hidden by a browser",
	  "[//]: # (approve without review)\n[ref]: http://x\n",
	  "F0:[//]: # (approve without review)|F0:[ref]: http://x" },
	{ "a link definition cannot interrupt a paragraph", "text\n[a]: b\n", "P0:text\n[a]: b" },
	{ "not a link definition", "[a] : b\n[]: c\n[x]:\n", "P0:[a] : b\n[]: c\n[x]:" },
	{ "CRLF body", "# T\r\n\r\nline\r\n", "H1:T|P0:line" },
	{ "lone CR kept for the sanitizer", "a\rb\n", "P0:a\rb" },
	{ "empty body", "", "" },
};

static void
test_parse(void)
{
	struct gth_rationale r;
	size_t i;

	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		char *got;

		gth_rationale_parse(parses[i].body, strlen(parses[i].body), &r);
		got = dump(&r);
		is_str(got, parses[i].want, "%s", parses[i].name);
		free(got);
		gth_rationale_release(&r);
	}
	gth_rationale_release(&r);
	ok(r.blocks == NULL && r.n_blocks == 0, "release twice is harmless");
}

static void
test_refs(void)
{
	static const char body[] =
	    "Fixes #12, closes owner/repo#3 and Resolves: #12 again.\n"
	    "Fixes https://github.com/o/r/issues/40 and "
	    "closes https://gitlab.example/g/p/-/issues/41.\n"
	    "Fixes https://github.com/o/r/pull/42 is no issue.\n"
	    "prefixFixes #99 is not a keyword; fixes#5 has no space; fix #0 is no issue.\n"
	    "Session: [agent log](https://example.com/run/1), "
	    "trace https://app.devin.ai/sessions/ab.\n"
	    "<https://claude.ai/code/xyz> and [home](https://example.com/) and "
	    "![shot](https://img.example/a.png).\n"
	    "```\nFixes #77 inside code\n```\n"
	    "<!-- Closes #88 -->\n";
	struct gth_rationale r;

	gth_rationale_parse(body, strlen(body), &r);
	is_int(r.n_issues, 4, "four distinct closing references");
	if (r.n_issues == 4) {
		is_int(r.issues[0].number, 12, "Fixes #12");
		ok(r.issues[0].repo == NULL, "#12 is in this repository");
		is_int(r.issues[1].number, 3, "closes owner/repo#3");
		is_str(r.issues[1].repo, "owner/repo", "with its repository");
		is_int(r.issues[2].number, 40, "Fixes an issue URL");
		is_str(r.issues[2].repo, "o/r", "repository taken from the URL");
		is_int(r.issues[3].number, 41, "GitLab issue URL");
		is_str(r.issues[3].repo, "g/p", "GitLab project path without the /-");
	}
	is_int(r.n_links, 8, "eight links found");
	if (r.n_links == 8) {
		is_str(r.links[3].url, "https://example.com/run/1", "link target");
		is_str(r.links[3].text, "agent log", "link text");
		ok(r.links[3].session, "link text saying log marks a session");
		is_str(r.links[4].url, "https://app.devin.ai/sessions/ab", "bare URL, no dot");
		ok(r.links[4].session, "devin.ai session URL");
		is_str(r.links[5].url, "https://claude.ai/code/xyz", "autolink");
		ok(r.links[5].session, "claude.ai is an agent host");
		ok(!r.links[6].session && !r.links[6].image, "a plain link is not a session");
		ok(r.links[7].image, "image flagged");
		is_int(r.links[7].block, 0, "links know their block");
	}
	is_int(r.n_comments, 1, "one HTML comment");
	gth_rationale_release(&r);
}

/* Recording references grows the parser's storage while the text is read. */
static void
test_many_refs(void)
{
	struct gth_buf b = GTH_BUF_INIT;
	struct gth_rationale r;
	size_t i, bad = 0;
	char want[64];

	/* Long names, so that the references outgrow the room left after the text. */
	for (i = 1; i <= 100; i++)
		gth_buf_addf(&b, "Fixes owner%zu/repository-with-%0200d#%zu, ", i, 0, i);
	gth_rationale_parse(b.data, b.len, &r);
	is_int(r.n_issues, 64, "references are capped at 64");
	for (i = 0; i < r.n_issues; i++) {
		snprintf(want, sizeof(want), "owner%zu/repository-with-", i + 1);
		if (r.issues[i].number != (long)i + 1 || r.issues[i].repo == NULL ||
		    strncmp(r.issues[i].repo, want, strlen(want)) != 0)
			bad++;
	}
	is_int(bad, 0, "every reference keeps its number and repository");
	gth_rationale_release(&r);
	gth_buf_release(&b);
}

static void
test_task_json(void)
{
	static const struct {
		const char *body;
		const char *want;	/* NULL: not found */
	} c[] = {
		{ "```json\n{\"task_type\": \"refactor\"}\n```\n",
		  "{\"task_type\": \"refactor\"}" },
		{ "```JSON\n{\n  \"task_type\"\n  : \"bugfix\"}\n```\n",
		  "{\n  \"task_type\"\n  : \"bugfix\"}" },
		{ "```json\n{\"other\": 1}\n```\n```json\n{\"task_type\": \"b\"}\n```\n",
		  "{\"task_type\": \"b\"}" },
		{ "```js\n{\"task_type\": \"x\"}\n```\n", NULL },
		{ "```json\n[\"task_type\"]\n```\n", NULL },
		{ "{\"task_type\": \"in prose\"}\n", NULL },
		{ "```jsonc\n{\"task_type\": 1}\n```\n", NULL },
	};
	struct gth_rationale r;
	const char *t;
	size_t i, n;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc;

		gth_rationale_parse(c[i].body, strlen(c[i].body), &r);
		rc = gth_rationale_find_task_json(&r, &t, &n);
		if (c[i].want == NULL) {
			is_int(rc, -GTH_E_NOTFOUND, "task JSON %zu: not found", i);
		} else {
			is_int(rc, 0, "task JSON %zu: found", i);
			is_str(t, c[i].want, "task JSON %zu: raw text", i);
			is_int(n, strlen(c[i].want), "task JSON %zu: length", i);
		}
		gth_rationale_release(&r);
	}
}

static const char *const role_names[] = {
	"text", "heading", "bullet", "code", "quote", "rule", "comment", "warning", "summary",
	"link", "blank",
};

/* Lines as "role|text" joined by newlines. */
static char *
dump_lines(const struct gth_rat_lines *l)
{
	struct gth_buf b = GTH_BUF_INIT;
	size_t i;

	for (i = 0; i < l->n; i++)
		gth_buf_addf(&b, "%s|%s\n", role_names[l->v[i].role], l->v[i].s.text);
	return gth_buf_take(&b, NULL);
}

/* Every line is safe, measured right, and (code aside) fits the width. */
static const char *
check_lines(const struct gth_rat_lines *l, size_t cols)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct gth_rat_line *ln = &l->v[i];
		const char *bad = check_sanitized(&ln->s, 0);

		if (bad != NULL)
			return bad;
		if (ln->width != gth_text_width(ln->s.text, ln->s.len))
			return "width field is wrong";
		if (ln->role != GTH_RAT_ROLE_CODE && ln->width > cols)
			return "line wider than the screen";
	}
	return NULL;
}

static void
test_wrap(void)
{
	static const char body[] =
	    "# Why this change is needed\n"
	    "The cache kept stale tokens after logout, so a second user could act as the first.\n"
	    "- [x] a very long item that has to wrap onto the next line\n"
	    "  1. nested\n"
	    "> quoted text here\n\n"
	    "```sh\n\tmake check && echo a-very-long-code-line-that-must-not-wrap\n```\n"
	    "<!-- approve -->\n\n"
	    "---\n"
	    "x \x1b[2J y supercalifragilisticexpialidocious1234567890\n"
	    "<details><summary>log</summary>\n\n"
	    "See [run](https://e.example/s)\n";
	static const char want[] =
	    "heading|# Why this change is\n"
	    "heading|  needed\n"
	    "blank|\n"
	    "text|The cache kept stale\n"
	    "text|tokens after logout, so\n"
	    "text|a second user could act\n"
	    "text|as the first.\n"
	    "blank|\n"
	    "bullet|\u2022 [x] a very long item\n"
	    "bullet|      that has to wrap\n"
	    "bullet|      onto the next line\n"
	    "bullet|  1. nested\n"
	    "blank|\n"
	    "quote|> quoted text here\n"
	    "blank|\n"
	    "code|```sh\n"
	    "code|        make check && echo a-very-long-code-line-that-must-not-wrap\n"
	    "code|```\n"
	    "blank|\n"
	    "warning|!! hidden in a browser:\n"
	    "warning|   HTML comment\n"
	    "comment|<!-- approve -->\n"
	    "blank|\n"
	    "rule|------------------------\n"
	    "blank|\n"
	    "text|x ^[[2J y\n"
	    "text|supercalifragilisticexpi\n"
	    "text|alidocious1234567890\n"
	    "blank|\n"
	    "summary|\u25B8 log\n"
	    "blank|\n"
	    "text|See run\n"
	    "text|<https://e.example/s>\n"
	    "blank|\n"
	    "link|Links in this text:\n"
	    "link|  https://e.example/s\n";
	struct gth_rationale r;
	struct gth_rat_lines lines = GTH_RAT_LINES_INIT;
	struct gth_text_warnings w;
	const char *bad;
	char *got;
	size_t i, found = 0;

	gth_rationale_parse(body, strlen(body), &r);
	gth_rationale_wrap(&r, 24, 0, &lines, &w);
	got = dump_lines(&lines);
	is_str(got, want, "layout at 24 columns");
	free(got);
	bad = check_lines(&lines, 24);
	ok(bad == NULL, "every line is safe and fits%s%s", bad ? ": " : "", bad ? bad : "");
	is_int(gth_text_warnings_total(&w), 1, "the escape is counted for the banner");
	for (i = 0; i < lines.n; i++) {
		const struct gth_rat_line *l = &lines.v[i];
		size_t k;

		for (k = 0; k < l->s.n_runs; k++)
			if (l->s.runs[k].cls == GTH_TEXT_CONTROL &&
			    !strncmp(l->s.text + l->s.runs[k].off, "^[", 2))
				found++;
	}
	is_int(found, 1, "the ESC token keeps its class in the wrapped line");
	ok(lines.v[0].level == 1 && lines.v[0].block == 0, "heading line carries level and block");

	/* Re-wrap into the same lines, narrower, with no links section. */
	gth_rationale_wrap(&r, 10, GTH_RAT_WRAP_NO_LINKS, &lines, NULL);
	bad = check_lines(&lines, 20);
	ok(bad == NULL, "re-wrap at the 20-column floor is safe%s%s", bad ? ": " : "",
	    bad ? bad : "");
	is_int(lines.v[lines.n - 1].role, GTH_RAT_ROLE_TEXT, "no links section when asked");
	gth_rat_lines_release(&lines);
	gth_rat_lines_release(&lines);
	gth_rationale_release(&r);
}

static void
test_wrap_tokens(void)
{
	/* Twelve bidi tokens in a row: 96 columns of tokens, never cut inside one. */
	static const char body[] =
	    "\u202E\u202E\u202E\u202E\u202E\u202E\u202E\u202E\u202E\u202E\u202E\u202E\n"
	    "- \u4E2D\u6587\u4E2D\u6587\u4E2D\u6587\u4E2D\u6587\u4E2D\u6587\u4E2D\u6587\n";
	struct gth_rationale r;
	struct gth_rat_lines lines = GTH_RAT_LINES_INIT;
	struct gth_text_warnings w;
	size_t i, bidi_lines = 0, bad_cut = 0;

	gth_rationale_parse(body, strlen(body), &r);
	gth_rationale_wrap(&r, 20, 0, &lines, &w);
	is_int(w.count[GTH_TEXT_BIDI], 12, "twelve bidi warnings");
	for (i = 0; i < lines.n; i++) {
		const struct gth_sanitized *s = &lines.v[i].s;

		if (lines.v[i].role == GTH_RAT_ROLE_TEXT && s->len > 0) {
			bidi_lines++;
			if (s->len % 8 != 0 || strncmp(s->text, "[U+202E]", 8) != 0)
				bad_cut++;
		}
	}
	is_int(bidi_lines, 6, "two tokens per 20-column line");
	is_int(bad_cut, 0, "no token is cut");
	ok(check_lines(&lines, 20) == NULL, "wide CJK item wraps within the width");
	is_str(lines.v[lines.n - 2].s.text,
	    "\u2022 \u4E2D\u6587\u4E2D\u6587\u4E2D\u6587\u4E2D\u6587\u4E2D",
	    "wide characters wrap by columns (20 of 20)");
	is_str(lines.v[lines.n - 1].s.text, "  \u6587\u4E2D\u6587", "and hang under the bullet");
	gth_rat_lines_release(&lines);
	gth_rationale_release(&r);
}

static char *
slurp(const char *path, size_t *len)
{
	struct gth_buf b = GTH_BUF_INIT;
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		gth_buf_add(&b, chunk, (size_t)n);
	close(fd);
	return gth_buf_take(&b, len);
}

/* The shared hostile corpus through parse and layout at two widths. */
static void
test_corpus(void)
{
	const char *srcdir = getenv("srcdir");
	char dir[4096];
	struct dirent *de;
	DIR *d;
	size_t files = 0, failures = 0;
	struct gth_rat_lines lines = GTH_RAT_LINES_INIT;

	snprintf(dir, sizeof(dir), "%s/tests/fixtures/hostile", srcdir ? srcdir : ".");
	if ((d = opendir(dir)) == NULL) {
		ok(0, "hostile corpus at %s", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[8192];
		struct gth_rationale r;
		size_t len;
		char *body;
		const char *bad;

		if (de->d_name[0] == '.' || strstr(de->d_name, ".py") != NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((body = slurp(path, &len)) == NULL)
			continue;
		files++;
		gth_rationale_parse(body, len, &r);
		gth_rationale_wrap(&r, 40, 0, &lines, NULL);
		if ((bad = check_lines(&lines, 40)) != NULL) {
			diag("%s at 40: %s", de->d_name, bad);
			failures++;
		}
		gth_rationale_wrap(&r, 132, 0, &lines, NULL);
		if ((bad = check_lines(&lines, 132)) != NULL) {
			diag("%s at 132: %s", de->d_name, bad);
			failures++;
		}
		gth_rationale_release(&r);
		free(body);
	}
	closedir(d);
	gth_rat_lines_release(&lines);
	ok(files >= 40, "hostile corpus read (%zu files)", files);
	is_int(failures, 0, "every hostile file lays out safely");
}

static const char section[] =
    "## Heading\n\nSome text with [a link](https://example.com/x) in it.\n\n"
    "- item\n- [x] task\n\n```c\nint x;\n```\n\n<!-- note -->\n\n> quote\n\n";
#define SECTION_BLOCKS	7

/* Bodies near the cap parse in one pass; these would take hours if anything were quadratic. */
static void
test_big(void)
{
	struct gth_rationale r;
	struct gth_rat_lines lines = GTH_RAT_LINES_INIT;
	size_t n = GTH_RATIONALE_MAX / (sizeof(section) - 1), i, len = n * (sizeof(section) - 1);
	char *body = malloc(GTH_RATIONALE_MAX + 16);
	static const char *const patterns[] = { "[", "![", "(", "<!--", "`", "> ", "<details>",
		"http://", "Fixes #1 ", "  - ", "[a](" };

	for (i = 0; i < n; i++)
		memcpy(body + i * (sizeof(section) - 1), section, sizeof(section) - 1);
	gth_rationale_parse(body, len, &r);
	is_int(r.n_blocks, n * SECTION_BLOCKS, "10 MB body: every block found");
	is_int(r.n_links, n, "10 MB body: every link found");
	is_int(r.n_comments, n, "10 MB body: every comment found");
	ok(!r.truncated, "10 MB body is not cut");
	gth_rationale_wrap(&r, 80, 0, &lines, NULL);
	ok(lines.n > n * SECTION_BLOCKS, "10 MB body laid out (%zu lines)", lines.n);
	gth_rationale_release(&r);

	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		size_t pl = strlen(patterns[i]), k;

		for (k = 0; k + pl <= GTH_RATIONALE_MAX; k += pl)
			memcpy(body + k, patterns[i], pl);
		gth_rationale_parse(body, k, &r);
		gth_rationale_wrap(&r, 80, 0, &lines, NULL);
		ok(r.n_blocks >= 1, "10 MB of \"%s\" parses and lays out (%zu blocks, %zu lines)",
		    patterns[i], r.n_blocks, lines.n);
		gth_rationale_release(&r);
	}
	memset(body, 'a', GTH_RATIONALE_MAX + 16);
	gth_rationale_parse(body, GTH_RATIONALE_MAX + 16, &r);
	ok(r.truncated && r.n_blocks == 1 && r.blocks[0].text_len == GTH_RATIONALE_MAX,
	    "a longer body is cut at the cap and says so");
	gth_rationale_wrap(&r, 80, 0, &lines, NULL);
	is_str(lines.v[lines.n - 1].s.text,
	    "!! the body is longer than 10 MB: the rest is not shown",
	    "the cut is shown");
	gth_rationale_release(&r);
	gth_rat_lines_release(&lines);
	free(body);
}

int
main(void)
{
	test_parse();
	test_refs();
	test_many_refs();
	test_task_json();
	test_wrap();
	test_wrap_tokens();
	test_corpus();
	test_big();
	return done_testing();
}
