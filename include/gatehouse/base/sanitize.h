/*
 * Untrusted text made safe to show.
 *
 * Everything an agent wrote (titles, bodies, commit messages, file names,
 * diff lines, check output) passes through here before it reaches the
 * screen, the forge, a decision record or a log.  Input is decoded as UTF-8
 * strictly; output is UTF-8 that contains no byte below 0x20 (except '\n' and
 * '\t' when the caller keeps them), no DEL, no C1 control and no ESC.
 * Dangerous code points become visible tokens:
 *
 *	C0 controls, DEL	"^[" style caret tokens ("^M" for CR, "^H" for BS, "^?" for DEL)
 *	C1 controls		"<U+009B>" style tokens
 *	invalid UTF-8 bytes	"<FF>" (one token per bad byte)
 *	bidi controls		"[U+202E]" (U+061C, U+200E-F, U+202A-E, U+2066-9)
 *	invisible / tags	"[U+200B]" (U+00AD, U+034F, U+115F-60, U+17B4-5, U+180B-F,
 *				U+200B-D, U+2028-9, U+2060-5, U+206A-F, U+3164, U+FE00-F,
 *				U+FEFF, U+FFA0, U+FFF0-B, U+1D173-A, U+E0000-E0FFF)
 *
 * Two exemptions keep emoji intact: U+200D (ZWJ) between two pictographs and
 * U+FE0E/U+FE0F right after a pictograph pass as plain text.  Tag characters
 * never pass, not even in flag sequences: they are the carrier of "ASCII
 * smuggling".
 *
 * A base character keeps at most four zero-width marks (what an ncursesw
 * cell holds); further marks become "[U+0301]" style INVISIBLE tokens, so a
 * "zalgo" pile is shown for what it is instead of being dropped.
 *
 * CR is always a token ("^M"): a bare CR overwrites the line on a terminal.
 * The one exception is a CRLF line ending when GTH_SAN_KEEP_NEWLINES is set:
 * "\r\n" then becomes a plain "\n".  Without that flag it is "^M^J".
 *
 * Each token is reported as a run with its class so the UI can colour it.
 * A word (letters, digits, '_' and combining marks) mixing Latin with
 * Cyrillic, Greek, Armenian or Cherokee letters keeps its text and becomes a
 * GTH_TEXT_MIXED run (one warning per word).
 */
#ifndef GATEHOUSE_BASE_SANITIZE_H
#define GATEHOUSE_BASE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gth_text_class {
	GTH_TEXT_PLAIN,		/* ordinary text */
	GTH_TEXT_CONTROL,	/* a C0/C1/DEL/ESC token */
	GTH_TEXT_BADBYTE,	/* an invalid UTF-8 byte token */
	GTH_TEXT_BIDI,		/* a bidi control token */
	GTH_TEXT_INVISIBLE,	/* an invisible or tag character token */
	GTH_TEXT_MIXED,		/* a word mixing scripts (Latin with Cyrillic/Greek...): text kept, flagged */
	GTH_TEXT__COUNT
};

/* What a piece of text contained: drives the per-PR warning banner. */
struct gth_text_warnings {
	size_t count[GTH_TEXT__COUNT];	/* count[GTH_TEXT_PLAIN] is unused */
};

/* Flags for gth_sanitize(). */
#define GTH_SAN_KEEP_NEWLINES	0x01	/* '\n' passes through (multi-line text) */
#define GTH_SAN_KEEP_TABS	0x02	/* '\t' passes through (the UI expands it) */
#define GTH_SAN_NO_MIXED	0x04	/* do not flag mixed-script words */

/* A span of the output with one class. */
struct gth_text_run {
	size_t off;		/* byte offset into text */
	size_t len;		/* bytes */
	enum gth_text_class cls;
};

struct gth_sanitized {
	char *text;		/* owned, NUL-terminated, safe UTF-8 */
	size_t len;
	size_t cap_text;	/* allocated bytes of text (kept for reuse) */
	struct gth_text_run *runs;	/* cover text completely, in order */
	size_t n_runs, cap_runs;
	struct gth_text_warnings warn;
};

/*
 * Sanitize len bytes of in (may contain NUL bytes, shown as "^@"; in may be
 * NULL when len is 0).  out must be zeroed before first use or released; it
 * may be reused: a second call overwrites the previous result and keeps the
 * text and runs allocations, so drawing a screen of diff lines through one
 * struct allocates nothing once it has warmed up.  Release it with
 * gth_sanitized_release().  Never fails.
 */
void gth_sanitize(const char *in, size_t len, unsigned flags, struct gth_sanitized *out);
void gth_sanitized_release(struct gth_sanitized *s);

/*
 * Building display lines from pieces (the rationale wrapper, the UI):
 * _clear empties s keeping its memory; _append_text sanitizes in and appends
 * it (warnings add up; a mixed-script word does not span two calls);
 * _append copies bytes [off, off + len) of an already sanitized src with
 * their classes (off and len on code point boundaries, e.g. run or space
 * boundaries; its warnings are not copied).  The invariant above holds for
 * the result.  s must be zeroed before first use, as for gth_sanitize().
 */
void gth_sanitized_clear(struct gth_sanitized *s);
void gth_sanitized_append_text(struct gth_sanitized *s, const char *in, size_t len, unsigned flags);
void gth_sanitized_append(struct gth_sanitized *dst, const struct gth_sanitized *src, size_t off,
    size_t len);

/*
 * The same, returning only the text (owned), for places with no colour:
 * the forge, records, logs, --json output.  warn may be NULL.
 */
char *gth_sanitize_str(const char *in, size_t len, unsigned flags, struct gth_text_warnings *warn);

/* Add b's counts to a. */
void gth_text_warnings_add(struct gth_text_warnings *a, const struct gth_text_warnings *b);
/* Total of the dangerous classes (everything but PLAIN). */
size_t gth_text_warnings_total(const struct gth_text_warnings *w);

/*
 * The per-PR banner text, e.g. "2 bidi controls, 1 invisible character,
 * 1 mixed-script word" (classes in enum order, plural when needed).
 * Returns an owned string, or NULL when there is nothing to warn about.
 */
char *gth_text_warnings_summary(const struct gth_text_warnings *w);

/*
 * Strict UTF-8: decode one code point from s (len > 0).  Returns the number of
 * bytes consumed (1-4) and sets *cp, or returns -1 for an invalid sequence
 * (overlong, surrogate, > U+10FFFF, truncated) with *cp undefined.
 */
int gth_utf8_decode(const char *s, size_t len, uint32_t *cp);

/*
 * Columns a code point occupies in a terminal: 0 (combining marks, format
 * characters), 2 (East Asian Wide/Fullwidth, emoji) or 1.  A fixed Unicode 14
 * table: never the locale's wcwidth(), so layout is the same everywhere.
 */
int gth_cp_width(uint32_t cp);

/* Display width of already-sanitized UTF-8 text (no controls). */
size_t gth_text_width(const char *s, size_t len);

#endif
