/*
 * The agent's rationale: a PR body (Markdown-ish, untrusted) parsed into
 * blocks and laid out as display lines for a terminal.  Pure: no I/O.
 *
 * Reading order for the UI:
 *
 *	struct gth_rationale r;
 *	struct gth_rat_lines lines = GTH_RAT_LINES_INIT;
 *
 *	gth_rationale_parse(body, len, &r);		// once per PR body
 *	gth_rationale_wrap(&r, cols, 0, &lines);	// again on resize
 *	for each lines.v[i]: pick a style from .role, draw .s.text, and colour
 *		.s.runs whose class is not GTH_TEXT_PLAIN (tokens, mixed words);
 *		.width is in columns; CODE lines may be wider than cols: clip or scroll.
 *	gth_rat_lines_release(&lines);
 *	gth_rationale_release(&r);
 *
 * The body is shown as text, never rendered as a web page: what a browser
 * hides stays visible on purpose.  HTML comments and link reference
 * definitions become blocks of their own with a warning line above them;
 * link targets are shown next to their text ("text <url>"); images become
 * "[image: alt <url>]"; <details> content is shown unfolded under its
 * summary; emphasis markers are left as typed.
 *
 * Block text kept in struct gth_rationale is the body's own bytes, not yet
 * sanitized (so the forge layer can decode the task JSON byte for byte).
 * Anything drawn must go through gth_rationale_wrap() or gth_sanitize().
 */
#ifndef GATEHOUSE_MODEL_RATIONALE_H
#define GATEHOUSE_MODEL_RATIONALE_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/sanitize.h"

/* Bodies longer than this are cut there (and flagged), keeping parse and layout bounded. */
#define GTH_RATIONALE_MAX	(10u * 1024 * 1024)

enum gth_rat_kind {
	GTH_RAT_PARAGRAPH,	/* lines kept as typed (GitHub shows PR-body newlines as breaks);
				 * level > 0: indented under a list item of depth level - 1 */
	GTH_RAT_HEADING,	/* level 1-6; text without the '#' marks */
	GTH_RAT_LIST_ITEM,	/* level = nesting depth (0 = top); ordered/number; check */
	GTH_RAT_CODE,		/* fenced; lang = info string's first word; text verbatim */
	GTH_RAT_QUOTE,		/* level = '>' depth; text without the markers */
	GTH_RAT_RULE,		/* thematic break; no text */
	GTH_RAT_COMMENT,	/* <!-- ... -->, markers included: a browser would hide it */
	GTH_RAT_DETAILS,	/* <details><summary>text</summary>: text is the summary */
	GTH_RAT_LINK_DEF,	/* "[label]: url": a browser shows nothing for it (and
				 * "[//]: # (text)" is a known way to hide a comment) */
};

enum gth_rat_check {
	GTH_RAT_CHECK_NONE,	/* not a task-list item */
	GTH_RAT_CHECK_OPEN,	/* "- [ ]" */
	GTH_RAT_CHECK_DONE,	/* "- [x]" */
};

struct gth_rat_block {
	enum gth_rat_kind kind;
	int level;
	bool ordered;		/* LIST_ITEM: "1." or "1)" */
	long number;		/* LIST_ITEM when ordered */
	enum gth_rat_check check;
	bool has_comment;	/* text contains an inline "<!--" (shown, and warned about) */
	bool unterminated;	/* CODE or COMMENT ran to the end of the body */
	const char *lang;	/* CODE: NUL-terminated, "" when none; points into the rationale */
	const char *text;	/* NUL-terminated, unsanitized; links rewritten as above */
	size_t text_len;
	size_t line;		/* 1-based line of the body where the block starts */
};

struct gth_rat_link {
	const char *text;	/* link text or image alt, "" for bare URLs; unsanitized */
	size_t text_len;	/* may hold NUL bytes: use the lengths */
	const char *url;	/* destination as written (no title); unsanitized */
	size_t url_len;
	bool image;
	bool session;		/* looks like the agent's session log (see gth_rationale_parse) */
	size_t block;		/* index of the block it appears in */
};

/*
 * GitHub's closing keywords (close, fix, resolve and their -s/-d forms, any
 * case, optional ':') followed by "#12", "owner/repo#3" or an issue URL
 * (GitHub or GitLab form); prose only, not code or comments.
 */
struct gth_rat_issue {
	long number;
	const char *repo;	/* "owner/repo", or NULL for this repository */
};

/*
 * A parsed body.  Everything it points to is owned by it and lives until
 * gth_rationale_release().  Read-only for callers.
 */
struct gth_rationale {
	struct gth_rat_block *blocks;
	size_t n_blocks;
	struct gth_rat_link *links;	/* in body order, duplicates kept */
	size_t n_links;
	struct gth_rat_issue *issues;	/* in body order, duplicates dropped, at most 64 */
	size_t n_issues;
	size_t n_comments;		/* HTML comments (block and inline) and link definitions */
	bool truncated;			/* the body was longer than GTH_RATIONALE_MAX */
	/* private */
	char *arena_;
	size_t cap_blocks_, cap_links_, cap_issues_;
};

/*
 * Parse len bytes of body (may be NULL when len is 0; may hold any bytes)
 * into out, which need not be initialised.  Linear in len.  A link is marked
 * session when its text or URL says "session", its text says "log"/"logs"/
 * "transcript", or its URL is an agent's session page (devin.ai, claude.ai,
 * chatgpt.com/codex, github.com/.../agents/..., cursor.com/agents,
 * jules.google.com).  Never fails; release with gth_rationale_release().
 */
void gth_rationale_parse(const char *body, size_t len, struct gth_rationale *out);

/* Free everything r owns and zero it; r may be NULL or already released. */
void gth_rationale_release(struct gth_rationale *r);

/*
 * The raw text of the first fenced code block tagged json (any case) whose
 * content has a "task_type" key, for the forge layer to decode.  Returns 0
 * and sets *text (owned by r, NUL-terminated) and *len, or -GTH_E_NOTFOUND.
 */
int gth_rationale_find_task_json(const struct gth_rationale *r, const char **text, size_t *len);

/* How a display line should look. */
enum gth_rat_role {
	GTH_RAT_ROLE_TEXT,	/* paragraph text */
	GTH_RAT_ROLE_HEADING,	/* heading text; level in .level */
	GTH_RAT_ROLE_BULLET,	/* list item (first line carries the bullet or number) */
	GTH_RAT_ROLE_CODE,	/* a code line: not wrapped, may exceed the width */
	GTH_RAT_ROLE_QUOTE,	/* block quote, prefixed "> " per level ("[N] " past 5) */
	GTH_RAT_ROLE_RULE,	/* a horizontal rule drawn with '-' to the width */
	GTH_RAT_ROLE_COMMENT,	/* text a browser would hide (HTML comment, link definition) */
	GTH_RAT_ROLE_WARNING,	/* "!! ..." notice we add: hidden text, cut body, open fence */
	GTH_RAT_ROLE_SUMMARY,	/* a <details> summary, prefixed "▸ " */
	GTH_RAT_ROLE_LINK,	/* closing list of targets: "  [session log: |image: ]url" */
	GTH_RAT_ROLE_BLANK,	/* an empty separator line between blocks */
};

struct gth_rat_line {
	enum gth_rat_role role;
	int level;			/* heading level, list depth or quote depth; else 0 */
	bool session;			/* LINK lines: the link looks like a session log */
	size_t block;			/* its block in gth_rationale.blocks; SIZE_MAX if none */
	size_t width;			/* display columns of s.text */
	struct gth_sanitized s;		/* safe text (no newline, no tab) and its runs */
};

struct gth_rat_lines {
	struct gth_rat_line *v;
	size_t n, cap;
	size_t used_;		/* private: lines whose text memory is live */
};

#define GTH_RAT_LINES_INIT { NULL, 0, 0, 0 }

/* Flags for gth_rationale_wrap(). */
#define GTH_RAT_WRAP_NO_LINKS	0x01	/* leave out the closing "Links:" section */

/*
 * Lay r out for a terminal width cols (values below 20 are taken as 20):
 * words wrap by display width (gth_text_width), a word longer than a line
 * is split, nothing splits a sanitizer token; every line but CODE lines fits
 * in cols (on narrow screens deep indentation is given up first).  Code
 * lines are never wrapped, keep tabs expanded to 8 columns and sit between
 * "```lang" and "```" lines of the same role.  Replaces the previous
 * contents of out (its memory is reused).  Every line's text went through
 * gth_sanitize, so its runs show where the tokens and mixed-script words
 * are; warn (may be NULL) receives the body's counts for the banner (see
 * gth_text_warnings_summary).  Release with gth_rat_lines_release().
 */
void gth_rationale_wrap(const struct gth_rationale *r, int cols, unsigned flags,
    struct gth_rat_lines *out, struct gth_text_warnings *warn);

/* Free the lines and their text; out can be reused afterwards. */
void gth_rat_lines_release(struct gth_rat_lines *out);

#endif
