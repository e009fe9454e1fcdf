/*
 * The agent's rationale (DESIGN.md §5b): a PR body parsed line by line into
 * blocks, then laid out as sanitized display lines.
 *
 * The parser is a small, forgiving subset of CommonMark/GFM chosen for what
 * agents write (headings, lists with task boxes, fenced code, quotes, rules)
 * and for what a browser would hide (HTML comments, link targets, folded
 * <details>).  Every step is linear in the body: lines are visited once,
 * brackets are matched with a stack per block, and no scan restarts from an
 * earlier position except inside one display line while wrapping.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/model/rationale.h"

#define MAX_LIST_DEPTH	16	/* deeper items are shown at this depth */
#define MAX_LINK_NEST	8	/* link text inside link text, e.g. badges */
#define MAX_ISSUES	64	/* "Fixes #N" references kept */
#define NONE		SIZE_MAX
#define NO_MATCH	UINT32_MAX
#define MIN_COLS	20	/* narrowest layout */
#define MIN_ROOM	10	/* columns kept for text after a line's prefix */

struct boff {
	size_t text, lang;
};

struct loff {
	size_t text, url;
};

struct parser {
	struct gth_rationale *r;
	struct gth_buf arena;		/* all text the rationale keeps, by offset until the end */
	struct boff *boff;
	size_t cap_boff;
	struct loff *loff;
	size_t cap_loff;
	size_t *ioff;
	size_t cap_ioff;

	bool open;			/* a block is being collected in cur/text */
	struct gth_rat_block cur;
	struct gth_buf text;
	size_t lang_off;
	char fence_ch;
	size_t fence_len;
	bool blank;			/* the previous line was blank */

	int list_indent[MAX_LIST_DEPTH];
	int depth;			/* open list levels */
	int item_col;			/* content column of the last list item */
	int item_level;

	struct gth_buf scratch;		/* inline output of the block being finished */
	uint32_t *match;		/* bracket partner, set at each '[' and '(' of that block */
	size_t cap_match;
	uint32_t *sq, *par;		/* open '[' and '(' (bodies are capped far below 4 GB) */
	size_t cap_sq, cap_par;
};

/* Locale-free character classes: the body is not in the user's locale. */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool
is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
}

/* Does s (n bytes) start with the lower-case ASCII word w, in any case? */
static bool
ci_prefix(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; w[i] != '\0'; i++)
		if (i >= n || lower(s[i]) != w[i])
			return false;
	return true;
}

static bool
ci_contains(const char *s, size_t n, const char *w)
{
	size_t i, wl = strlen(w);

	for (i = 0; i + wl <= n; i++)
		if (ci_prefix(s + i, n - i, w))
			return true;
	return false;
}

static const char *
find(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	return n >= wl ? memmem(s, n, w, wl) : NULL;
}

static size_t
arena_add(struct parser *p, const char *s, size_t n)
{
	size_t off = p->arena.len;

	gth_buf_add(&p->arena, s, n);
	gth_buf_addc(&p->arena, '\0');
	return off;
}

/* ---- links, issues ---- */

/* Does a word of s equal w (case-insensitive)? */
static bool
has_word(const char *s, size_t n, const char *w)
{
	size_t i = 0, wl = strlen(w);

	while (i < n) {
		size_t e = i;

		while (e < n && is_alpha(s[e]))
			e++;
		if (e - i == wl && ci_prefix(s + i, e - i, w))
			return true;
		i = e + 1;
	}
	return false;
}

static bool
looks_like_session(const char *text, size_t tn, const char *url, size_t un)
{
	static const char *const hosts[] = {
		"devin.ai/", "claude.ai/", "chatgpt.com/codex", "cursor.com/agents",
		"jules.google.com/",
	};
	size_t i;

	if (ci_contains(text, tn, "session") || ci_contains(url, un, "session"))
		return true;
	if (has_word(text, tn, "log") || has_word(text, tn, "logs") ||
	    has_word(text, tn, "transcript"))
		return true;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (ci_contains(url, un, hosts[i]))
			return true;
	return ci_contains(url, un, "github.com/") && ci_contains(url, un, "/agents/");
}

static void
add_link(struct parser *p, const char *text, size_t tn, const char *url, size_t un, bool image)
{
	struct gth_rationale *r = p->r;
	struct gth_rat_link *l;

	/* Destination only: drop an optional title and the <...> brackets. */
	while (un > 0 && is_space(*url)) {
		url++;
		un--;
	}
	if (un > 0 && *url == '<') {
		const char *gt = memchr(url, '>', un);

		if (gt != NULL) {
			un = (size_t)(gt - url) - 1;
			url++;
		}
	} else {
		size_t k = 0;

		while (k < un && !is_space(url[k]) && url[k] != '\n')
			k++;
		un = k;
	}
	gth_grow(&p->loff, &p->cap_loff, r->n_links + 1, sizeof(*p->loff));
	p->loff[r->n_links].text = arena_add(p, text, tn);
	p->loff[r->n_links].url = arena_add(p, url, un);
	l = &GTH_PUSH(r->links, r->n_links, r->cap_links_);
	memset(l, 0, sizeof(*l));
	l->text_len = tn;
	l->url_len = un;
	l->image = image;
	l->session = looks_like_session(text, tn, url, un);
	l->block = r->n_blocks;
}

static void
add_issue(struct parser *p, long num, const char *repo, size_t rn)
{
	struct gth_rationale *r = p->r;
	size_t i;

	if (r->n_issues >= MAX_ISSUES)
		return;
	for (i = 0; i < r->n_issues; i++) {
		const char *have = p->ioff[i] == NONE ? NULL : p->arena.data + p->ioff[i];

		if (r->issues[i].number != num)
			continue;
		if (have == NULL ? repo == NULL :
		    repo != NULL && strlen(have) == rn && memcmp(have, repo, rn) == 0)
			return;
	}
	gth_grow(&p->ioff, &p->cap_ioff, r->n_issues + 1, sizeof(*p->ioff));
	p->ioff[r->n_issues] = repo ? arena_add(p, repo, rn) : NONE;
	GTH_PUSH(r->issues, r->n_issues, r->cap_issues_) = (struct gth_rat_issue){ num, NULL };
}

/* Up to 9 digits at s[*k]; returns -1 when there are none. */
static long
digits(const char *s, size_t n, size_t *k)
{
	long v = 0;
	size_t start = *k;

	while (*k < n && is_digit(s[*k]) && *k - start < 9)
		v = v * 10 + (s[(*k)++] - '0');
	if (*k == start || (*k < n && is_alnum(s[*k])))
		return -1;
	return v;
}

static bool
is_repo_char(char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == '.';
}

/* Length of the URL starting at s (n bytes), trailing punctuation left out. */
static size_t
url_len(const char *s, size_t n)
{
	size_t e = 0, open = 0;

	while (e < n && (unsigned char)s[e] > ' ' && s[e] != '<' && s[e] != '>' && s[e] != '"' &&
	    s[e] != '`' && s[e] != 0x7f) {
		if (s[e] == '(')
			open++;
		else if (s[e] == ')' && open-- == 0)
			break;
		e++;
	}
	while (e > 0 && strchr(".,;:!?'*", s[e - 1]) != NULL)
		e--;
	return e;
}

static bool
url_start(const char *s, size_t n)
{
	return ci_prefix(s, n, "https://") || ci_prefix(s, n, "http://");
}

/*
 * "https://host/owner/repo/issues/N" (GitLab: ".../group/proj/-/issues/N"):
 * recorded as owner/repo#N.  The host is not checked; the forge layer knows
 * which one is ours.
 */
static void
issue_url(struct parser *p, const char *u, size_t n)
{
	const char *path = find(u, n, "://"), *iss;
	size_t k, pl;
	long num;

	if (path == NULL || (path = memchr(path + 3, '/', n - (size_t)(path + 3 - u))) == NULL)
		return;
	path++;
	pl = n - (size_t)(path - u);
	if ((iss = find(path, pl, "/issues/")) == NULL)
		return;
	k = (size_t)(iss - u) + 8;
	if ((num = digits(u, n, &k)) <= 0 || (k < n && u[k] != '#'))
		return;
	pl = (size_t)(iss - path);
	if (pl >= 2 && path[pl - 1] == '-' && path[pl - 2] == '/')
		pl -= 2;
	if (pl > 0 && memchr(path, '/', pl) != NULL)
		add_issue(p, num, path, pl);
}

/* GitHub's closing keywords followed by "#N", "owner/repo#N" or an issue URL. */
static void
scan_issues(struct parser *p, const char *s, size_t n)
{
	static const char *const kw[] = {
		"close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves",
		"resolved",
	};
	size_t i = 0;

	while (i < n) {
		size_t e = i, k, q, w;
		long num;

		if (!is_alpha(s[i]) || (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '_'))) {
			i++;
			continue;
		}
		while (e < n && is_alpha(s[e]))
			e++;
		for (w = 0; w < sizeof(kw) / sizeof(kw[0]); w++)
			if (strlen(kw[w]) == e - i && ci_prefix(s + i, e - i, kw[w]))
				break;
		i = e;
		if (w == sizeof(kw) / sizeof(kw[0]))
			continue;
		k = e;
		if (k < n && s[k] == ':')
			k++;
		if (k >= n || !is_space(s[k]))
			continue;
		while (k < n && is_space(s[k]))
			k++;
		if (k < n && s[k] == '#') {
			k++;
			if ((num = digits(s, n, &k)) > 0)
				add_issue(p, num, NULL, 0);
			continue;
		}
		if (url_start(s + k, n - k)) {
			i = k + url_len(s + k, n - k);
			issue_url(p, s + k, i - k);
			continue;
		}
		q = k;
		while (q < n && is_repo_char(s[q]))
			q++;
		if (q == k || q >= n || s[q] != '/')
			continue;
		q++;
		while (q < n && is_repo_char(s[q]))
			q++;
		if (q >= n || s[q] != '#' || s[q - 1] == '/')
			continue;
		e = q++;
		if ((num = digits(s, n, &q)) > 0)
			add_issue(p, num, s + k, e - k);
		i = q;
	}
}

/* ---- inline text: links shown with their targets ---- */

/* Partner of every '[' and '(' of s, or NO_MATCH; escapes respected; '(' closes on its line. */
static void
match_brackets(struct parser *p, const char *s, size_t n)
{
	size_t i, nsq = 0, npar = 0;

	gth_grow(&p->match, &p->cap_match, n + 1, sizeof(*p->match));
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
		} else if (s[i] == '[') {
			p->match[i] = NO_MATCH;
			GTH_PUSH(p->sq, nsq, p->cap_sq) = (uint32_t)i;
		} else if (s[i] == ']') {
			if (nsq > 0)
				p->match[p->sq[--nsq]] = (uint32_t)i;
		} else if (s[i] == '(') {
			p->match[i] = NO_MATCH;
			GTH_PUSH(p->par, npar, p->cap_par) = (uint32_t)i;
		} else if (s[i] == ')') {
			if (npar > 0)
				p->match[p->par[--npar]] = (uint32_t)i;
		} else if (s[i] == '\n') {
			npar = 0;
		}
	}
}

/*
 * A link "[text](dest)" at s[i] == '[' (not escaped) ending before `to`: sets
 * *j (']') and *k (')').  Only '[' and '(' positions of match are read.
 */
static bool
link_at(const struct parser *p, const char *s, size_t i, size_t to, size_t *j, size_t *k)
{
	if (p->match[i] == NO_MATCH)
		return false;
	*j = p->match[i];
	if (*j + 1 >= to || s[*j + 1] != '(' || p->match[*j + 1] == NO_MATCH)
		return false;
	*k = p->match[*j + 1];
	return *k < to;
}

static void
inline_text(struct parser *p, const char *s, size_t from, size_t to, int depth)
{
	struct gth_buf *o = &p->scratch;
	size_t i = from, plain = from, j, k, e;

	while (i < to) {
		char c = s[i];

		if (c != '\\' && c != '!' && c != '[' && c != '<' && c != 'h' && c != 'H') {
			i++;
			continue;
		}
		gth_buf_add(o, s + plain, i - plain);
		plain = i;
		if (c == '\\' && i + 1 < to) {
			i += 2;
		} else if (c == '!' && i + 1 < to && s[i + 1] == '[' && depth < MAX_LINK_NEST &&
		    link_at(p, s, i + 1, to, &j, &k)) {
			gth_buf_adds(o, "[image: ");
			gth_buf_add(o, s + i + 2, j - i - 2);
			gth_buf_adds(o, " <");
			gth_buf_add(o, s + j + 2, k - j - 2);
			gth_buf_adds(o, ">]");
			add_link(p, s + i + 2, j - i - 2, s + j + 2, k - j - 2, true);
			i = plain = k + 1;
		} else if (c == '[' && depth < MAX_LINK_NEST && link_at(p, s, i, to, &j, &k)) {
			/* The text may hold an image (badges); its target is shown too. */
			add_link(p, s + i + 1, j - i - 1, s + j + 2, k - j - 2, false);
			inline_text(p, s, i + 1, j, depth + 1);
			gth_buf_adds(o, " <");
			gth_buf_add(o, s + j + 2, k - j - 2);
			gth_buf_adds(o, ">");
			i = plain = k + 1;
		} else if (c == '<' && ci_prefix(s + i, to - i, "<!--")) {
			p->cur.has_comment = true;
			p->r->n_comments++;
			i += 4;
		} else if (c == '<' && url_start(s + i + 1, to - i - 1)) {
			e = url_len(s + i + 1, to - i - 1);
			if (i + 1 + e < to && s[i + 1 + e] == '>')
				add_link(p, "", 0, s + i + 1, e, false);
			i += 1 + e;
		} else if ((c == 'h' || c == 'H') && (i == from || !is_alnum(s[i - 1])) &&
		    url_start(s + i, to - i)) {
			e = url_len(s + i, to - i);
			add_link(p, "", 0, s + i, e, false);
			i += e;
		} else {
			i++;
		}
	}
	gth_buf_add(o, s + plain, to - plain);
}

/* ---- blocks ---- */

static void
finish(struct parser *p)
{
	struct gth_rationale *r = p->r;
	struct gth_rat_block *b = &p->cur;
	const char *s = p->text.data ? p->text.data : "";
	size_t n = p->text.len, off;

	if (!p->open)
		return;
	p->open = false;
	while (n > 0 && s[n - 1] == '\n')
		n--;
	switch (b->kind) {
	case GTH_RAT_CODE:
	case GTH_RAT_COMMENT:
	case GTH_RAT_LINK_DEF:
	case GTH_RAT_RULE:
		off = arena_add(p, s, n);
		b->text_len = n;
		break;
	default:
		gth_buf_reset(&p->scratch);
		match_brackets(p, s, n);
		inline_text(p, s, 0, n, 0);
		off = arena_add(p, p->scratch.data ? p->scratch.data : "", p->scratch.len);
		b->text_len = p->scratch.len;
		/* From scratch, not the arena: recording an issue may move the arena. */
		if (p->scratch.len > 0)
			scan_issues(p, p->scratch.data, p->scratch.len);
		break;
	}
	gth_grow(&p->boff, &p->cap_boff, r->n_blocks + 1, sizeof(*p->boff));
	p->boff[r->n_blocks].text = off;
	p->boff[r->n_blocks].lang = p->lang_off;
	GTH_PUSH(r->blocks, r->n_blocks, r->cap_blocks_) = *b;
	gth_buf_reset(&p->text);
}

static void
start(struct parser *p, enum gth_rat_kind kind, int level, size_t lineno)
{
	finish(p);
	memset(&p->cur, 0, sizeof(p->cur));
	p->cur.kind = kind;
	p->cur.level = level;
	p->cur.line = lineno;
	p->lang_off = 0;
	p->open = true;
}

static void
add_text(struct parser *p, const char *s, size_t n)
{
	if (p->text.len > 0)
		gth_buf_addc(&p->text, '\n');
	gth_buf_add(&p->text, s, n);
}

static void
single(struct parser *p, enum gth_rat_kind kind, int level, size_t lineno, const char *s,
    size_t n)
{
	start(p, kind, level, lineno);
	add_text(p, s, n);
	finish(p);
}

static bool
is_fence_close(const struct parser *p, const char *t, size_t n)
{
	size_t k = 0;

	while (k < n && t[k] == p->fence_ch)
		k++;
	if (k < p->fence_len)
		return false;
	while (k < n && is_space(t[k]))
		k++;
	return k == n;
}

static bool
is_rule(const char *t, size_t n)
{
	size_t i, count = 0;
	char c = t[0];

	if (c != '-' && c != '*' && c != '_')
		return false;
	for (i = 0; i < n; i++) {
		if (t[i] == c)
			count++;
		else if (!is_space(t[i]))
			return false;
	}
	return count >= 3;
}

/* All '=' or all '-' (trailing blanks allowed): the underline of a setext heading. */
static int
setext_level(const char *t, size_t n)
{
	size_t i = 0;
	char c = t[0];

	if (c != '=' && c != '-')
		return 0;
	while (i < n && t[i] == c)
		i++;
	while (i < n && is_space(t[i]))
		i++;
	return i == n ? (c == '=' ? 1 : 2) : 0;
}

static void
list_item(struct parser *p, const char *t, size_t n, int ind, size_t mlen, long number,
    size_t lineno)
{
	size_t c = mlen, sp = 0;
	int level;

	while (c < n && is_space(t[c]) && sp < 4) {
		c++;
		sp++;
	}
	while (p->depth > 0 && p->list_indent[p->depth - 1] >= ind)
		p->depth--;
	level = p->depth;
	if (p->depth < MAX_LIST_DEPTH)
		p->list_indent[p->depth++] = ind;
	else
		level = MAX_LIST_DEPTH - 1;
	start(p, GTH_RAT_LIST_ITEM, level, lineno);
	p->cur.ordered = number >= 0;
	p->cur.number = number >= 0 ? number : 0;
	if (n - c >= 3 && t[c] == '[' && t[c + 2] == ']' && (n - c == 3 || is_space(t[c + 3])) &&
	    (t[c + 1] == ' ' || t[c + 1] == 'x' || t[c + 1] == 'X')) {
		p->cur.check = t[c + 1] == ' ' ? GTH_RAT_CHECK_OPEN : GTH_RAT_CHECK_DONE;
		c += 3;
		while (c < n && is_space(t[c]))
			c++;
	}
	p->item_col = ind + (int)mlen + (int)(sp ? sp : 1);
	p->item_level = level;
	add_text(p, t + c, n - c);
}

/* "[label]: destination ...": shown as a block of its own, its target listed. */
static bool
link_def(struct parser *p, const char *t, size_t n, size_t lineno)
{
	const char *close = memchr(t, ']', n);
	size_t k, d;

	if (close == NULL || close == t + 1 || memchr(t + 1, '[', (size_t)(close - t - 1)) != NULL)
		return false;
	k = (size_t)(close - t) + 1;
	if (k >= n || t[k] != ':')
		return false;
	d = k + 1;
	while (d < n && is_space(t[d]))
		d++;
	if (d == n)
		return false;
	finish(p);
	p->r->n_comments++;
	add_link(p, t + 1, k - 2, t + d, n - d, false);
	single(p, GTH_RAT_LINK_DEF, 0, lineno, t, n);
	return true;
}

/* "<details>", "<summary>x</summary>" and "</details>": returns true when the line is used up. */
static bool
details(struct parser *p, const char **tp, size_t *np, size_t lineno)
{
	const char *t = *tp, *gt, *end;
	size_t n = *np;

	if (ci_prefix(t, n, "<details") && (n == 8 || t[8] == '>' || is_space(t[8]))) {
		if ((gt = memchr(t, '>', n)) == NULL)
			return false;
		n -= (size_t)(gt + 1 - t);
		t = gt + 1;
		while (n > 0 && is_space(*t)) {
			t++;
			n--;
		}
		finish(p);
		if (n == 0)
			return true;
	}
	if (ci_prefix(t, n, "</details>")) {
		finish(p);
		t += 10;
		n -= 10;
		while (n > 0 && is_space(*t)) {
			t++;
			n--;
		}
		if (n == 0)
			return true;
	}
	if (ci_prefix(t, n, "<summary>")) {
		t += 9;
		n -= 9;
		end = NULL;
		for (gt = t; gt + 10 <= t + n; gt++)
			if (*gt == '<' && ci_prefix(gt, (size_t)(t + n - gt), "</summary>")) {
				end = gt;
				break;
			}
		single(p, GTH_RAT_DETAILS, 0, lineno, t, end ? (size_t)(end - t) : n);
		if (end == NULL)
			return true;
		n -= (size_t)(end + 10 - t);
		t = end + 10;
		while (n > 0 && is_space(*t)) {
			t++;
			n--;
		}
		if (n == 0)
			return true;
	}
	*tp = t;
	*np = n;
	return false;
}

static void
line(struct parser *p, const char *s, size_t n, size_t lineno)
{
	const char *t;
	size_t i = 0, tn, k;
	int ind = 0, lvl;
	bool was_blank;

	if (p->open && p->cur.kind == GTH_RAT_CODE) {
		size_t j = 0;

		while (j < n && is_space(s[j]))
			j++;
		if (is_fence_close(p, s + j, n - j)) {
			p->cur.unterminated = false;
			finish(p);
			return;
		}
		gth_buf_add(&p->text, s, n);
		gth_buf_addc(&p->text, '\n');
		return;
	}
	if (p->open && p->cur.kind == GTH_RAT_COMMENT) {
		add_text(p, s, n);
		if (find(s, n, "-->") != NULL) {
			p->cur.unterminated = false;
			finish(p);
		}
		return;
	}

	while (i < n && is_space(s[i])) {
		ind += s[i] == '\t' ? 4 - ind % 4 : 1;
		i++;
	}
	t = s + i;
	tn = n - i;
	was_blank = p->blank;
	p->blank = tn == 0;
	if (tn == 0) {
		if (p->open && p->cur.kind != GTH_RAT_LIST_ITEM)
			finish(p);
		return;
	}

	/* Fenced code, at any indent (agents nest it in list items). */
	if (tn >= 3 && (t[0] == '`' || t[0] == '~')) {
		k = 0;
		while (k < tn && t[k] == t[0])
			k++;
		if (k >= 3 && (t[0] == '~' || memchr(t + k, '`', tn - k) == NULL)) {
			size_t a = k, b;

			while (a < tn && is_space(t[a]))
				a++;
			b = a;
			while (b < tn && !is_space(t[b]))
				b++;
			if (ind == 0)
				p->depth = 0;
			start(p, GTH_RAT_CODE, 0, lineno);
			p->cur.unterminated = true;
			p->fence_ch = t[0];
			p->fence_len = k;
			p->lang_off = arena_add(p, t + a, b - a);
			return;
		}
	}
	if (ci_prefix(t, tn, "<!--")) {
		start(p, GTH_RAT_COMMENT, 0, lineno);
		p->r->n_comments++;
		add_text(p, t, tn);
		p->cur.unterminated = true;
		if (find(t + 4, tn - 4, "-->") != NULL) {
			p->cur.unterminated = false;
			finish(p);
		}
		return;
	}
	if (t[0] == '<' && details(p, &t, &tn, lineno))
		return;
	if (ind <= 3 && t[0] == '#') {
		k = 0;
		while (k < tn && t[k] == '#')
			k++;
		if (k <= 6 && (k == tn || is_space(t[k]))) {
			size_t e = tn;

			lvl = (int)k;
			while (e > k && is_space(t[e - 1]))
				e--;
			while (e > k && t[e - 1] == '#')
				e--;
			if (e < tn && e > k && !is_space(t[e - 1]))
				e = tn;	/* "# C#": the '#' belongs to the text */
			while (e > k && is_space(t[e - 1]))
				e--;
			while (k < e && is_space(t[k]))
				k++;
			if (ind == 0)
				p->depth = 0;
			single(p, GTH_RAT_HEADING, lvl, lineno, t + k, e - k);
			return;
		}
	}
	if (ind <= 3 && t[0] == '[' &&
	    !(p->open && p->cur.kind == GTH_RAT_PARAGRAPH && !was_blank) &&
	    link_def(p, t, tn, lineno))
		return;
	if (ind <= 3 && p->open && p->cur.kind == GTH_RAT_PARAGRAPH && !was_blank &&
	    (lvl = setext_level(t, tn)) > 0) {
		p->cur.kind = GTH_RAT_HEADING;
		p->cur.level = lvl;
		finish(p);
		return;
	}
	if (ind <= 3 && is_rule(t, tn)) {
		if (ind == 0)
			p->depth = 0;
		start(p, GTH_RAT_RULE, 0, lineno);
		finish(p);
		return;
	}
	if (ind <= 3 && t[0] == '>') {
		k = 0;
		lvl = 0;
		while (k < tn && t[k] == '>') {
			lvl++;
			k++;
			while (k < tn && is_space(t[k]))
				k++;
		}
		if (!(p->open && p->cur.kind == GTH_RAT_QUOTE && p->cur.level == lvl && !was_blank))
			start(p, GTH_RAT_QUOTE, lvl, lineno);
		add_text(p, t + k, tn - k);
		return;
	}
	if ((t[0] == '-' || t[0] == '*' || t[0] == '+') && (tn == 1 || is_space(t[1]))) {
		list_item(p, t, tn, ind, 1, -1, lineno);
		return;
	}
	if (is_digit(t[0])) {
		long num = 0;

		k = 0;
		while (k < tn && is_digit(t[k]) && k < 9)
			num = num * 10 + (t[k++] - '0');
		if (k < tn && (t[k] == '.' || t[k] == ')') && (k + 1 == tn || is_space(t[k + 1]))) {
			list_item(p, t, tn, ind, k + 1, num, lineno);
			return;
		}
	}
	if (p->open && p->cur.kind == GTH_RAT_LIST_ITEM && (!was_blank || ind >= p->item_col)) {
		if (was_blank)
			gth_buf_addc(&p->text, '\n');	/* keep the item's paragraph break */
		add_text(p, t, tn);
		return;
	}
	if (p->open && (p->cur.kind == GTH_RAT_PARAGRAPH || p->cur.kind == GTH_RAT_QUOTE) &&
	    !was_blank) {
		add_text(p, t, tn);
		return;
	}
	lvl = 0;
	if (p->depth > 0 && ind >= p->item_col)
		lvl = p->item_level + 1;
	else if (ind == 0)
		p->depth = 0;
	start(p, GTH_RAT_PARAGRAPH, lvl, lineno);
	add_text(p, t, tn);
}

void
gth_rationale_parse(const char *body, size_t len, struct gth_rationale *out)
{
	struct parser p;
	size_t pos = 0, lineno = 0, i;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.r = out;
	gth_buf_init(&p.arena, 0);
	gth_buf_init(&p.text, 0);
	gth_buf_init(&p.scratch, 0);
	gth_buf_addc(&p.arena, '\0');	/* offset 0 is "" */
	if (len > GTH_RATIONALE_MAX) {
		len = GTH_RATIONALE_MAX;
		out->truncated = true;
	}
	while (pos < len) {
		const char *nl = memchr(body + pos, '\n', len - pos);
		size_t eol = nl ? (size_t)(nl - body) : len, end = eol;

		if (end > pos && body[end - 1] == '\r')
			end--;
		line(&p, body + pos, end - pos, ++lineno);
		pos = eol + 1;
	}
	finish(&p);

	/* The arena is final: turn offsets into pointers. */
	out->arena_ = gth_buf_take(&p.arena, NULL);
	for (i = 0; i < out->n_blocks; i++) {
		out->blocks[i].text = out->arena_ + p.boff[i].text;
		out->blocks[i].lang = out->arena_ + p.boff[i].lang;
	}
	for (i = 0; i < out->n_links; i++) {
		out->links[i].text = out->arena_ + p.loff[i].text;
		out->links[i].url = out->arena_ + p.loff[i].url;
	}
	for (i = 0; i < out->n_issues; i++)
		out->issues[i].repo = p.ioff[i] == NONE ? NULL : out->arena_ + p.ioff[i];
	free(p.boff);
	free(p.loff);
	free(p.ioff);
	free(p.match);
	free(p.sq);
	free(p.par);
	gth_buf_release(&p.text);
	gth_buf_release(&p.scratch);
}

void
gth_rationale_release(struct gth_rationale *r)
{
	if (r == NULL)
		return;
	free(r->blocks);
	free(r->links);
	free(r->issues);
	free(r->arena_);
	memset(r, 0, sizeof(*r));
}

int
gth_rationale_find_task_json(const struct gth_rationale *r, const char **text, size_t *len)
{
	size_t i;

	*text = NULL;
	*len = 0;
	for (i = 0; i < r->n_blocks; i++) {
		const struct gth_rat_block *b = &r->blocks[i];
		const char *s = b->text, *key;
		size_t n = b->text_len;

		if (b->kind != GTH_RAT_CODE || strlen(b->lang) != 4 ||
		    !ci_prefix(b->lang, 4, "json"))
			continue;
		while ((key = find(s, n, "\"task_type\"")) != NULL) {
			size_t k = (size_t)(key - s) + 11;

			while (k < n && (is_space(s[k]) || s[k] == '\n' || s[k] == '\r'))
				k++;
			if (k < n && s[k] == ':') {
				*text = b->text;
				*len = b->text_len;
				return 0;
			}
			n -= (size_t)(key + 11 - s);
			s = key + 11;
		}
	}
	return -GTH_E_NOTFOUND;
}

/* ---- layout ---- */

struct layout {
	struct gth_rat_lines *out;
	size_t cols;
	struct gth_sanitized src;	/* the sanitized text of the block being laid out */
	struct gth_buf tmp;		/* tab-expanded raw text */
	struct gth_text_warnings warn;
};

static struct gth_rat_line *
new_line(struct layout *lo, enum gth_rat_role role, int level, size_t block)
{
	struct gth_rat_lines *out = lo->out;
	struct gth_rat_line *l;
	struct gth_sanitized keep;

	gth_grow(&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	if (out->n >= out->used_) {
		memset(&out->v[out->n], 0, sizeof(out->v[out->n]));
		out->used_ = out->n + 1;
	}
	l = &out->v[out->n++];
	keep = l->s;
	memset(l, 0, sizeof(*l));
	l->s = keep;
	gth_sanitized_clear(&l->s);
	gth_sanitized_append_text(&l->s, "", 0, 0);
	l->role = role;
	l->level = level;
	l->block = block;
	return l;
}

static void
done_line(struct gth_rat_line *l)
{
	l->width = gth_text_width(l->s.text, l->s.len);
}

/* Expand tabs to 8-column stops (counting code points) into lo->tmp; returns the text to use. */
static const char *
detab(struct layout *lo, const char *s, size_t *n)
{
	size_t i, col = 0, start = 0;

	if (memchr(s, '\t', *n) == NULL)
		return s;
	gth_buf_reset(&lo->tmp);
	for (i = 0; i < *n; i++) {
		if (s[i] == '\n') {
			col = 0;
		} else if (s[i] == '\t') {
			gth_buf_add(&lo->tmp, s + start, i - start);
			do
				gth_buf_addc(&lo->tmp, ' ');
			while (++col % 8 != 0);
			start = i + 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	gth_buf_add(&lo->tmp, s + start, *n - start);
	*n = lo->tmp.len;
	return lo->tmp.data;
}

static void
sanitize_block(struct layout *lo, const char *s, size_t n)
{
	s = detab(lo, s, &n);
	gth_sanitize(s, n, GTH_SAN_KEEP_NEWLINES, &lo->src);
	gth_text_warnings_add(&lo->warn, &lo->src.warn);
}

/* The run of src holding byte pos; *ri is a cursor that keeps the search short. */
static const struct gth_text_run *
run_at(const struct gth_sanitized *src, size_t pos, size_t *ri)
{
	while (*ri > 0 && src->runs[*ri].off > pos)
		(*ri)--;
	while (*ri + 1 < src->n_runs && src->runs[*ri].off + src->runs[*ri].len <= pos)
		(*ri)++;
	return &src->runs[*ri];
}

/* The unbreakable unit at pos: one code point, or one whole token. Returns its end. */
static size_t
unit(const struct gth_sanitized *src, size_t pos, size_t *ri, size_t *w)
{
	const struct gth_text_run *run = run_at(src, pos, ri);
	const char *s = src->text;
	size_t end = run->off + run->len, e;
	uint32_t cp;
	int n;

	if (run->cls != GTH_TEXT_PLAIN && run->cls != GTH_TEXT_MIXED) {
		/* Tokens are ASCII: "^X", "<XX>", "<U+XXXX>", "[U+XXXX]". */
		if (s[pos] == '^') {
			e = pos + 2;
		} else {
			e = pos + 1;
			while (e < end && s[e - 1] != '>' && s[e - 1] != ']')
				e++;
		}
		if (e > end)
			e = end;
		*w = e - pos;
		return e;
	}
	n = gth_utf8_decode(s + pos, src->len - pos, &cp);
	if (n < 0) {
		*w = 1;
		return pos + 1;
	}
	*w = (size_t)gth_cp_width(cp);
	return pos + (size_t)n;
}

/*
 * Lay out src bytes [from, to) (no newline inside) as lines of role, the
 * first prefixed by p1 and the others by p2 (our own ASCII/UTF-8 text).
 */
static void
wrap(struct layout *lo, size_t from, size_t to, enum gth_rat_role role, int level, size_t block,
    const char *p1, const char *p2)
{
	const struct gth_sanitized *src = &lo->src;
	const char *s = src->text;
	size_t start = from, ri = 0;
	bool first = true;

	do {
		const char *pre = first ? p1 : p2;
		size_t pw = gth_text_width(pre, strlen(pre));
		size_t avail;
		size_t col = 0, i = start, end, next, w = 0, ue = start, last_space = NONE;
		struct gth_rat_line *l;

		/* Leave room for the widest token ("[U+10FFFF]"): indentation goes first. */
		while (pw + MIN_ROOM > lo->cols && *pre == ' ') {
			pre++;
			pw--;
		}
		if (pw + MIN_ROOM > lo->cols) {
			pre = "";
			pw = 0;
		}
		avail = lo->cols - pw;
		while (i < to) {
			ue = unit(src, i, &ri, &w);
			if (s[i] == ' ')
				last_space = i;
			if (col + w > avail)
				break;
			col += w;
			i = ue;
		}
		if (i >= to) {
			end = next = to;
		} else if (s[i] == ' ') {
			end = next = i;
		} else if (last_space != NONE && last_space > start) {
			end = next = last_space;
		} else if (i == start) {
			end = next = ue;	/* one unit wider than the line */
		} else {
			end = next = i;		/* a word longer than the line is split */
		}
		while (end > start && s[end - 1] == ' ')
			end--;
		l = new_line(lo, role, level, block);
		gth_sanitized_append_text(&l->s, pre, strlen(pre), 0);
		gth_sanitized_append(&l->s, src, start, end - start);
		done_line(l);
		start = next;
		while (start < to && s[start] == ' ')
			start++;
		first = false;
	} while (start < to);
}

/* A line of our own words (warnings, headers): sanitized and wrapped like the rest. */
static void
notice(struct layout *lo, enum gth_rat_role role, size_t block, const char *text)
{
	gth_sanitize(text, strlen(text), 0, &lo->src);
	wrap(lo, 0, lo->src.len, role, 0, block, "", "   ");
}

/* Each '\n'-separated piece of lo->src through wrap(); later pieces use p2 only. */
static void
wrap_pieces(struct layout *lo, enum gth_rat_role role, int level, size_t block, const char *p1,
    const char *p2)
{
	size_t pos = 0;
	bool first = true;

	do {
		const char *nl = memchr(lo->src.text + pos, '\n', lo->src.len - pos);
		size_t e = nl ? (size_t)(nl - lo->src.text) : lo->src.len;

		wrap(lo, pos, e, role, level, block, first ? p1 : p2, p2);
		first = false;
		pos = e + 1;
	} while (pos <= lo->src.len);
}

static void
spaces(char *buf, size_t cap, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memset(buf, ' ', n);
	buf[n] = '\0';
}

static void
code_block(struct layout *lo, const struct gth_rat_block *b, size_t bi)
{
	struct gth_rat_line *l;
	const char *s = b->text;
	size_t n = b->text_len, pos = 0;

	l = new_line(lo, GTH_RAT_ROLE_CODE, 0, bi);
	gth_sanitized_append_text(&l->s, "```", 3, 0);
	gth_sanitized_append_text(&l->s, b->lang, strlen(b->lang), 0);
	gth_text_warnings_add(&lo->warn, &l->s.warn);
	done_line(l);
	s = detab(lo, s, &n);
	while (pos < n) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t e = nl ? (size_t)(nl - s) : n;

		/* Code keeps its layout: one display line per source line, the UI clips. */
		l = new_line(lo, GTH_RAT_ROLE_CODE, 0, bi);
		gth_sanitized_append_text(&l->s, s + pos, e - pos, 0);
		gth_text_warnings_add(&lo->warn, &l->s.warn);
		done_line(l);
		pos = e + 1;
	}
	if (b->unterminated) {
		notice(lo, GTH_RAT_ROLE_WARNING, bi,
		    "!! code block never closed: the rest of the body is inside it");
		return;
	}
	l = new_line(lo, GTH_RAT_ROLE_CODE, 0, bi);
	gth_sanitized_append_text(&l->s, "```", 3, 0);
	done_line(l);
}

static void
block(struct layout *lo, const struct gth_rationale *r, size_t bi)
{
	const struct gth_rat_block *b = &r->blocks[bi];
	char p1[96], p2[96];
	size_t k, indent;
	int lvl;

	if (b->has_comment)
		notice(lo, GTH_RAT_ROLE_WARNING, bi,
		    "!! hidden in a browser: the text below holds an HTML comment");
	switch (b->kind) {
	case GTH_RAT_HEADING:
		memset(p1, '#', (size_t)b->level);
		p1[b->level] = ' ';
		p1[b->level + 1] = '\0';
		sanitize_block(lo, b->text, b->text_len);
		spaces(p2, sizeof(p2), (size_t)b->level + 1);
		wrap_pieces(lo, GTH_RAT_ROLE_HEADING, b->level, bi, p1, p2);
		break;
	case GTH_RAT_PARAGRAPH:
		spaces(p1, sizeof(p1), 2 * (size_t)b->level);
		sanitize_block(lo, b->text, b->text_len);
		wrap_pieces(lo, GTH_RAT_ROLE_TEXT, b->level, bi, p1, p1);
		break;
	case GTH_RAT_LIST_ITEM:
		indent = 2 * (size_t)b->level;
		spaces(p1, sizeof(p1), indent);
		k = strlen(p1);
		if (b->ordered)
			snprintf(p1 + k, sizeof(p1) - k, "%ld. ", b->number);
		else
			snprintf(p1 + k, sizeof(p1) - k, "\u2022 ");
		k = strlen(p1);
		if (b->check != GTH_RAT_CHECK_NONE)
			snprintf(p1 + k, sizeof(p1) - k, "[%c] ",
			    b->check == GTH_RAT_CHECK_DONE ? 'x' : ' ');
		spaces(p2, sizeof(p2), gth_text_width(p1, strlen(p1)));
		sanitize_block(lo, b->text, b->text_len);
		wrap_pieces(lo, GTH_RAT_ROLE_BULLET, b->level, bi, p1, p2);
		break;
	case GTH_RAT_QUOTE:
		for (lvl = 0; lvl < b->level && lvl < 5; lvl++)
			memcpy(p1 + 2 * lvl, "> ", 2);
		p1[2 * lvl] = '\0';
		if (b->level > 5)
			snprintf(p1 + 2 * lvl, sizeof(p1) - 2 * (size_t)lvl, "[%d] ", b->level);
		sanitize_block(lo, b->text, b->text_len);
		wrap_pieces(lo, GTH_RAT_ROLE_QUOTE, b->level, bi, p1, p1);
		break;
	case GTH_RAT_CODE:
		code_block(lo, b, bi);
		break;
	case GTH_RAT_COMMENT:
		notice(lo, GTH_RAT_ROLE_WARNING, bi, b->unterminated ?
		    "!! HTML comment never closed: a browser hides everything from here on" :
		    "!! hidden in a browser: HTML comment");
		sanitize_block(lo, b->text, b->text_len);
		wrap_pieces(lo, GTH_RAT_ROLE_COMMENT, 0, bi, "", "");
		break;
	case GTH_RAT_RULE: {
		struct gth_rat_line *l = new_line(lo, GTH_RAT_ROLE_RULE, 0, bi);

		for (k = 0; k < lo->cols; k++)
			gth_sanitized_append_text(&l->s, "-", 1, 0);
		done_line(l);
		break;
	}
	case GTH_RAT_DETAILS:
		sanitize_block(lo, b->text, b->text_len);
		wrap_pieces(lo, GTH_RAT_ROLE_SUMMARY, 0, bi, "\u25B8 ", "  ");
		break;
	case GTH_RAT_LINK_DEF:
		notice(lo, GTH_RAT_ROLE_WARNING, bi, "!! hidden in a browser: link definition");
		sanitize_block(lo, b->text, b->text_len);
		wrap_pieces(lo, GTH_RAT_ROLE_COMMENT, 0, bi, "", "");
		break;
	}
}

static void
links(struct layout *lo, const struct gth_rationale *r)
{
	size_t i;

	notice(lo, GTH_RAT_ROLE_BLANK, NONE, "");
	notice(lo, GTH_RAT_ROLE_LINK, NONE, "Links in this text:");
	for (i = 0; i < r->n_links; i++) {
		const struct gth_rat_link *lk = &r->links[i];
		size_t first = lo->out->n, j;
		const char *label = lk->session ? "session log: " : lk->image ? "image: " : "";

		gth_sanitize(label, strlen(label), 0, &lo->src);
		gth_sanitized_append_text(&lo->src, lk->url, lk->url_len, 0);
		wrap(lo, 0, lo->src.len, GTH_RAT_ROLE_LINK, 0, lk->block, "  ", "    ");
		for (j = first; j < lo->out->n; j++)
			lo->out->v[j].session = lk->session;
	}
}

void
gth_rationale_wrap(const struct gth_rationale *r, int cols, unsigned flags,
    struct gth_rat_lines *out, struct gth_text_warnings *warn)
{
	struct layout lo;
	size_t i;

	memset(&lo, 0, sizeof(lo));
	lo.out = out;
	lo.cols = cols < MIN_COLS ? MIN_COLS : (size_t)cols;
	gth_buf_init(&lo.tmp, 0);
	out->n = 0;
	for (i = 0; i < r->n_blocks; i++) {
		const struct gth_rat_block *b = &r->blocks[i];
		const struct gth_rat_block *prev = i > 0 ? &r->blocks[i - 1] : NULL;

		/* Items of one list, and text inside an item, stay together. */
		if (prev != NULL &&
		    !(b->kind == GTH_RAT_LIST_ITEM && prev->kind == GTH_RAT_LIST_ITEM) &&
		    !(b->kind == GTH_RAT_PARAGRAPH && b->level > 0))
			notice(&lo, GTH_RAT_ROLE_BLANK, i, "");
		block(&lo, r, i);
	}
	if (r->truncated)
		notice(&lo, GTH_RAT_ROLE_WARNING, NONE,
		    "!! the body is longer than 10 MB: the rest is not shown");
	if (!(flags & GTH_RAT_WRAP_NO_LINKS) && r->n_links > 0)
		links(&lo, r);
	if (warn != NULL)
		*warn = lo.warn;
	gth_sanitized_release(&lo.src);
	gth_buf_release(&lo.tmp);
}

void
gth_rat_lines_release(struct gth_rat_lines *out)
{
	size_t i;

	if (out == NULL)
		return;
	for (i = 0; i < out->used_; i++)
		gth_sanitized_release(&out->v[i].s);
	free(out->v);
	memset(out, 0, sizeof(*out));
}
