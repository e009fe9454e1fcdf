/*
 * The sanitizer against the hostile cases of reference/security.md §4:
 * terminal escapes (CSI, OSC 0/8/52, DCS, APC, SOS, PM), CR and BS
 * overwrites, 8-bit C1, bad UTF-8, Trojan Source bidi, invisible
 * identifiers, tag smuggling and homoglyph words.
 *
 * Each case states the exact output with its classes: runs other than plain
 * text are written "{C:...}" (control), "{B:...}" (bad byte), "{D:...}"
 * (bidi), "{I:...}" (invisible), "{M:...}" (mixed-script word).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/sanitize.h"
#include "../fuzz/check_sanitized.h"
#include "tap.h"

#define KN GTH_SAN_KEEP_NEWLINES
#define KT GTH_SAN_KEEP_TABS

struct scase {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	unsigned flags;
	const char *want;	/* rendered with class markers */
	size_t warnings;	/* gth_text_warnings_total */
};

static const struct scase cases[] = {
	{ "plain ASCII", "hello, world", 0, 0, "hello, world", 0 },
	{ "empty", "", 0, 0, "", 0 },
	/* Terminal escapes: every ESC becomes a caret token, the rest stays readable. */
	{ "CSI SGR colour", "\x1b[31mRED\x1b[0m", 0, 0, "{C:^[}[31mRED{C:^[}[0m", 2 },
	{ "CSI clear screen", "\x1b[2J\x1b[H", 0, 0, "{C:^[}[2J{C:^[}[H", 2 },
	{ "OSC 0 window title", "\x1b]0;pwned\x07", 0, 0, "{C:^[}]0;pwned{C:^G}", 2 },
	{ "OSC 8 hyperlink", "\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\", 0, 0,
	  "{C:^[}]8;;http://evil/{C:^[}\\click{C:^[}]8;;{C:^[}\\", 4 },
	{ "OSC 52 clipboard write", "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07", 0, 0,
	  "{C:^[}]52;c;Y3VybCBldmlsIHwgc2g={C:^G}", 2 },
	{ "DCS request", "\x1bP+q544e\x1b\\", 0, 0, "{C:^[}P+q544e{C:^[}\\", 2 },
	{ "APC string", "\x1b_hidden\x1b\\", 0, 0, "{C:^[}_hidden{C:^[}\\", 2 },
	{ "SOS string", "\x1bXsos\x1b\\", 0, 0, "{C:^[}Xsos{C:^[}\\", 2 },
	{ "PM string", "\x1b^pm\x1b\\", 0, 0, "{C:^[}^pm{C:^[}\\", 2 },
	{ "less OSC 8 state confusion", "\x1b]8;;\x1b" "0m\x1b[>0q", 0, 0,
	  "{C:^[}]8;;{C:^[}0m{C:^[}[>0q", 3 },
	/* Cursor movement. */
	{ "CR overwrite", "good\rBAD", 0, 0, "good{C:^M}BAD", 1 },
	{ "CR overwrite kept as token with newlines", "good\rBAD", 0, KN, "good{C:^M}BAD", 1 },
	{ "BS overwrite", "BAD\b\b\bok!", 0, 0, "BAD{C:^H^H^H}ok!", 3 },
	{ "CRLF is a newline when newlines are kept", "a\r\nb\n", 0, KN, "a\nb\n", 0 },
	{ "CRLF without kept newlines", "a\r\nb", 0, 0, "a{C:^M^J}b", 2 },
	{ "CR before CR LF", "a\r\r\nb", 0, KN, "a{C:^M}\nb", 1 },
	{ "LF without the flag", "a\nb", 0, 0, "a{C:^J}b", 1 },
	{ "TAB kept", "a\tb", 0, KT, "a\tb", 0 },
	{ "TAB not kept", "a\tb", 0, KN, "a{C:^I}b", 1 },
	{ "NUL in the middle", "a\0b", 3, 0, "a{C:^@}b", 1 },
	{ "DEL", "x\x7fy", 0, 0, "x{C:^?}y", 1 },
	{ "BEL", "\x07", 0, 0, "{C:^G}", 1 },
	/* 8-bit C1 controls: ncurses draws U+009B as a blank; we name it. */
	{ "C1 CSI U+009B", "\xc2\x9b" "31mC1", 0, 0, "{C:<U+009B>}31mC1", 1 },
	{ "C1 NEL OSC DCS ST", "\xc2\x85\xc2\x9d\xc2\x90\xc2\x9c", 0, 0,
	  "{C:<U+0085><U+009D><U+0090><U+009C>}", 4 },
	{ "raw 0x9B byte", "\x9b" "31m", 0, 0, "{B:<9B>}31m", 1 },
	/* Invalid UTF-8: one token per bad byte. */
	{ "bad bytes FF FE", "\xff\xfe", 0, 0, "{B:<FF><FE>}", 2 },
	{ "overlong slash (2 bytes)", "..\xc0\xaf", 0, 0, "..{B:<C0><AF>}", 2 },
	{ "overlong slash (3 bytes)", "\xe0\x80\xaf", 0, 0, "{B:<E0><80><AF>}", 3 },
	{ "overlong NUL", "\xc0\x80", 0, 0, "{B:<C0><80>}", 2 },
	{ "UTF-16 surrogate", "\xed\xa0\x80", 0, 0, "{B:<ED><A0><80>}", 3 },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", 0, 0, "{B:<F4><90><80><80>}", 4 },
	{ "truncated at the end", "ok\xe2\x82", 0, 0, "ok{B:<E2><82>}", 2 },
	{ "truncated before ASCII", "\xe2\x82x", 0, 0, "{B:<E2><82>}x", 2 },
	{ "lone continuation", "\x80", 0, 0, "{B:<80>}", 1 },
	/* Trojan Source (CVE-2021-42574), the C PoCs. */
	{ "early return", "/* \u202E } \u2066if (isAdmin)\u2069 \u2066 begin admins only */", 0, 0,
	  "/* {D:[U+202E]} } {D:[U+2066]}if (isAdmin){D:[U+2069]} {D:[U+2066]} "
	  "begin admins only */",
	  4 },
	{ "commenting out", "/*\u202E } \u2066if (isAdmin)\u2069 \u2066 begin admins only */", 0, 0,
	  "/*{D:[U+202E]} } {D:[U+2066]}if (isAdmin){D:[U+2069]} {D:[U+2066]} begin admins only */",
	  4 },
	{ "stretched string", "\"user\u202E \u2066// Check if admin\u2069 \u2066\"", 0, 0,
	  "\"user{D:[U+202E]} {D:[U+2066]}// Check if admin{D:[U+2069]} {D:[U+2066]}\"", 4 },
	{ "all twelve bidi controls",
	  "\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069", 0, 0,
	  "{D:[U+061C][U+200E][U+200F][U+202A][U+202B][U+202C][U+202D][U+202E][U+2066][U+2067]"
	  "[U+2068][U+2069]}", 12 },
	/* Invisible identifiers and tag smuggling. */
	{ "zero-width space in identifier", "is\u200BAdmin", 0, 0, "is{I:[U+200B]}Admin", 1 },
	{ "zero-width non-joiner", "admin\u200C", 0, 0, "admin{I:[U+200C]}", 1 },
	{ "ZWJ between letters", "a\u200Db", 0, 0, "a{I:[U+200D]}b", 1 },
	{ "word joiner, BOM, soft hyphen", "\u2060x\uFEFFy\u00ADz", 0, 0,
	  "{I:[U+2060]}x{I:[U+FEFF]}y{I:[U+00AD]}z", 3 },
	{ "Hangul filler", "\u3164=1", 0, 0, "{I:[U+3164]}=1", 1 },
	{ "line separator", "a\u2028b", 0, 0, "a{I:[U+2028]}b", 1 },
	{ "tag character U+E0041", "\U000E0041", 0, 0, "{I:[U+E0041]}", 1 },
	{ "ASCII smuggled in tags", "ok\U000E0069\U000E0067\U000E006E", 0, 0,
	  "ok{I:[U+E0069][U+E0067][U+E006E]}", 3 },
	{ "tags after a flag stay visible", "\U0001F3F4\U000E0067\U000E007F", 0, 0,
	  "\U0001F3F4{I:[U+E0067][U+E007F]}", 2 },
	{ "variation selector after a letter", "a\uFE0F", 0, 0, "a{I:[U+FE0F]}", 1 },
	{ "variation selector supplement", "x\U000E0100", 0, 0, "x{I:[U+E0100]}", 1 },
	/* Emoji sequences keep their glue. */
	{ "emoji ZWJ family", "\U0001F468\u200D\U0001F469\u200D\U0001F467", 0, 0,
	  "\U0001F468\u200D\U0001F469\u200D\U0001F467", 0 },
	{ "emoji presentation selector", "\u2764\uFE0F\u200D\U0001F525", 0, 0,
	  "\u2764\uFE0F\u200D\U0001F525", 0 },
	{ "trailing ZWJ after emoji", "\U0001F468\u200D", 0, 0, "\U0001F468{I:[U+200D]}", 1 },
	/* Homoglyphs (CVE-2021-42694): the word is flagged, its text kept. */
	{ "Cyrillic En in sayHello", "void say\u041Dello()", 0, 0, "void {M:say\u041Dello}()", 1 },
	{ "Cyrillic a in paypal", "login at p\u0430ypal.com", 0, 0,
	  "login at {M:p\u0430ypal}.com", 1 },
	{ "Cyrillic shha in hello", "\u04BBello world", 0, 0, "{M:\u04BBello} world", 1 },
	{ "Greek omicron", "g\u03BFogle and more", 0, 0, "{M:g\u03BFogle} and more", 1 },
	{ "Armenian oh", "g\u0585\u0585gle", 0, 0, "{M:g\u0585\u0585gle}", 1 },
	{ "Cherokee A", "\u13AAdmin_1", 0, 0, "{M:\u13AAdmin_1}", 1 },
	{ "two mixed words", "p\u0430y p\u0430l", 0, 0, "{M:p\u0430y} {M:p\u0430l}", 2 },
	{ "mixed word split by an invisible", "p\u0430\u200Bypal", 0, 0,
	  "{M:p\u0430}{I:[U+200B]}ypal", 2 },
	{ "mixed word before newline", "x\u0430\ny", 0, KN, "{M:x\u0430}\ny", 1 },
	{ "mixed word at a control", "x\u0430\x1b", 0, 0, "{M:x\u0430}{C:^[}", 2 },
	{ "pure Cyrillic is not mixed", "\u043F\u0440\u0438\u0432\u0435\u0442 world", 0, 0,
	  "\u043F\u0440\u0438\u0432\u0435\u0442 world", 0 },
	{ "scripts in separate words", "hello \u043C\u0438\u0440", 0, 0,
	  "hello \u043C\u0438\u0440", 0 },
	{ "em dash separates words", "abc\u2014\u0430\u0431\u0432", 0, 0,
	  "abc\u2014\u0430\u0431\u0432", 0 },
	{ "mixed flagging off", "p\u0430ypal", 0, GTH_SAN_NO_MIXED, "p\u0430ypal", 0 },
	{ "accented Latin is Latin", "caf\u00E9 na\u00EFve", 0, 0, "caf\u00E9 na\u00EFve", 0 },
	/* Wide and combining text passes untouched. */
	{ "CJK", "\u6F22\u5B57 ok", 0, 0, "\u6F22\u5B57 ok", 0 },
	{ "combining acute", "e\u0301", 0, 0, "e\u0301", 0 },
	{ "four marks stay on their base", "a\u0301\u0302\u0303\u0304b", 0, 0,
	  "a\u0301\u0302\u0303\u0304b", 0 },
	{ "zalgo beyond four marks is shown", "z\u0301\u0302\u0303\u0304\u0305\u0306 ok", 0, 0,
	  "z\u0301\u0302\u0303\u0304{I:[U+0305][U+0306]} ok", 2 },
	{ "marks count again after a new base",
	  "a\u0301\u0301\u0301\u0301e\u0301\u0301\u0301\u0301", 0, 0,
	  "a\u0301\u0301\u0301\u0301e\u0301\u0301\u0301\u0301", 0 },
};

static const char *
class_tag(enum gth_text_class c)
{
	switch (c) {
	case GTH_TEXT_CONTROL: return "C";
	case GTH_TEXT_BADBYTE: return "B";
	case GTH_TEXT_BIDI: return "D";
	case GTH_TEXT_INVISIBLE: return "I";
	case GTH_TEXT_MIXED: return "M";
	default: return "?";
	}
}

/* The output with its non-plain runs marked, as in the table. */
static char *
render(const struct gth_sanitized *s)
{
	struct gth_buf b = GTH_BUF_INIT;
	size_t r;

	for (r = 0; r < s->n_runs; r++) {
		const struct gth_text_run *run = &s->runs[r];

		if (run->cls == GTH_TEXT_PLAIN)
			gth_buf_add(&b, s->text + run->off, run->len);
		else
			gth_buf_addf(&b, "{%s:%.*s}", class_tag(run->cls), (int)run->len,
			    s->text + run->off);
	}
	return gth_buf_take(&b, NULL);
}

static void
test_table(void)
{
	struct gth_sanitized s;
	size_t i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scase *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		const char *bad;
		char *got;

		/* One struct reused for every case, as the UI does per line. */
		gth_sanitize(c->in, len, c->flags, &s);
		bad = check_sanitized(&s, c->flags);
		ok(bad == NULL, "%s: output invariant holds%s%s", c->name, bad ? ": " : "",
		    bad ? bad : "");
		got = render(&s);
		is_str(got, c->want, "%s: shown as expected", c->name);
		is_int(gth_text_warnings_total(&s.warn), c->warnings, "%s: warning count", c->name);
		free(got);
	}
	gth_sanitized_release(&s);
}

static void
test_classes_counted(void)
{
	struct gth_text_warnings w, sum;
	char *t;

	t = gth_sanitize_str("\x1b\xff\u202E\u200Bp\u0430y", 12, 0, &w);
	is_str(t, "^[<FF>[U+202E][U+200B]p\u0430y", "sanitize_str returns the text only");
	is_int(w.count[GTH_TEXT_CONTROL], 1, "one control counted");
	is_int(w.count[GTH_TEXT_BADBYTE], 1, "one bad byte counted");
	is_int(w.count[GTH_TEXT_BIDI], 1, "one bidi control counted");
	is_int(w.count[GTH_TEXT_INVISIBLE], 1, "one invisible counted");
	is_int(w.count[GTH_TEXT_MIXED], 1, "one mixed word counted");
	memset(&sum, 0, sizeof(sum));
	gth_text_warnings_add(&sum, &w);
	gth_text_warnings_add(&sum, &w);
	is_int(gth_text_warnings_total(&sum), 10, "per-PR totals add up");
	free(t);
	t = gth_text_warnings_summary(&sum);
	is_str(t, "2 control characters, 2 invalid UTF-8 bytes, 2 bidi controls, "
	    "2 invisible characters, 2 mixed-script words", "banner names every class");
	free(t);
	memset(&sum, 0, sizeof(sum));
	ok(gth_text_warnings_summary(&sum) == NULL, "no banner for clean text");
	sum.count[GTH_TEXT_BIDI] = 1;
	t = gth_text_warnings_summary(&sum);
	is_str(t, "1 bidi control", "singular for one");
	free(t);
	t = gth_sanitize_str(NULL, 0, 0, NULL);
	is_str(t, "", "NULL with length 0 is the empty string");
	free(t);
}

static void
test_reuse(void)
{
	struct gth_sanitized s;
	char big[4096];
	char *text;
	size_t cap;

	memset(big, 'x', sizeof(big));
	memset(&s, 0, sizeof(s));
	gth_sanitize(big, sizeof(big), 0, &s);
	is_int(s.len, sizeof(big), "long line copied");
	is_int(s.n_runs, 1, "plain ASCII is one run");
	text = s.text;
	cap = s.cap_text;
	gth_sanitize("a\x1b" "b", 3, 0, &s);
	is_str(s.text, "a^[b", "second use gives the new text only");
	is_int(s.n_runs, 3, "and only its runs");
	ok(s.text == text && s.cap_text == cap, "the allocation is kept for reuse");
	is_int(s.warn.count[GTH_TEXT_CONTROL], 1, "warnings are reset between uses");
	gth_sanitized_release(&s);
	ok(s.text == NULL && s.runs == NULL && s.len == 0, "release leaves the struct zeroed");
	gth_sanitized_release(&s);
	ok(1, "release twice is harmless");
}

/* Display lines are assembled from a prefix and slices of a sanitized line. */
static void
test_append(void)
{
	struct gth_sanitized src, line;
	char *got;

	memset(&src, 0, sizeof(src));
	memset(&line, 0, sizeof(line));
	gth_sanitize("see p\u0430y \x1b[2J now", 17, 0, &src);
	is_str(src.text, "see p\u0430y ^[[2J now", "source line");
	gth_sanitized_append_text(&line, "\u2022 ", 4, 0);
	gth_sanitized_append(&line, &src, 4, 7);	/* "pаy ^[" */
	got = render(&line);
	is_str(got, "\u2022 {M:p\u0430y} {C:^[}", "slice keeps the classes of its runs");
	free(got);
	ok(check_sanitized(&line, 0) == NULL, "assembled line keeps the invariant");
	is_int(gth_text_warnings_total(&line.warn), 0, "copied slices do not count twice");
	gth_sanitized_append_text(&line, "\x07", 1, 0);
	is_str(line.text, "\u2022 p\u0430y ^[^G", "appended text is sanitized too");
	is_int(line.n_runs, 4, "adjacent control tokens share one run");
	gth_sanitized_clear(&line);
	is_int(line.len, 0, "clear empties the line");
	is_str(line.text, "", "and leaves an empty string");
	gth_sanitized_release(&line);
	gth_sanitized_release(&src);
}

/* Every single byte value and every code point of interest, one at a time. */
static void
test_exhaustive_small(void)
{
	struct gth_sanitized s;
	unsigned fails = 0, c;
	uint32_t cp;

	memset(&s, 0, sizeof(s));
	for (c = 0; c < 256; c++) {
		char in[3] = { 'a', (char)c, 'b' };
		unsigned f;

		for (f = 0; f < 8; f++) {
			gth_sanitize(in, 3, f, &s);
			if (check_sanitized(&s, f) != NULL)
				fails++;
		}
	}
	for (cp = 0; cp < 0x110000; cp += (cp < 0x30000 ? 1 : 0x3f)) {
		char in[4];
		size_t n;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = utf8_encode(cp, in);
		gth_sanitize(in, n, 0, &s);
		if (check_sanitized(&s, 0) != NULL)
			fails++;
	}
	is_int(fails, 0, "invariant holds for every byte and code point alone");
	gth_sanitized_release(&s);
}

static void
test_width(void)
{
	static const struct {
		const char *s;
		size_t cols;
	} w[] = {
		{ "abc", 3 },
		{ "\u6F22\u5B57", 4 },			/* CJK ideographs */
		{ "\uAC00\uB098", 4 },			/* Hangul syllables */
		{ "\uFF21\uFF22", 4 },			/* fullwidth Latin */
		{ "\U0001F44D", 2 },			/* thumbs up */
		{ "\U0001F468\u200D\U0001F469", 4 },	/* ZWJ adds nothing */
		{ "e\u0301", 1 },			/* combining acute */
		{ "\u0915\u093F", 2 },			/* Devanagari ki: vowel sign is spacing */
		{ "a\u0308\u0323", 1 },			/* two marks stacked */
		{ "\u00E9", 1 },
		{ "\u2764\uFE0F", 1 },			/* text-default heart stays narrow */
		{ "\U00020000", 2 },			/* CJK extension B */
		{ "\u20AC", 1 },			/* euro sign */
	};
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		is_int(gth_text_width(w[i].s, strlen(w[i].s)), w[i].cols, "width of \"%s\"",
		    w[i].s);
	is_int(gth_cp_width(0x300), 0, "U+0300 is zero columns");
	is_int(gth_cp_width(0x1100), 2, "Hangul choseong is wide");
	is_int(gth_cp_width(0x1160), 0, "Hangul jungseong is zero columns");
	is_int(gth_cp_width(0x3000), 2, "ideographic space is wide");
	is_int(gth_cp_width(0x10ffff), 1, "last code point is narrow");
	is_int(gth_cp_width(0x202e), 0, "a raw bidi override draws nothing");
	is_int(gth_cp_width(0xe0041), 0, "a raw tag character draws nothing");
	is_int(gth_cp_width(0x1f600), 2, "emoji are wide");
	is_int(gth_cp_width(0xff5e), 2, "fullwidth tilde is wide");
	is_int(gth_cp_width(0xff61), 1, "halfwidth katakana punctuation is narrow");
	is_int(gth_text_width("^[[2J", 5), 5, "a caret token counts its characters");
}

int
main(void)
{
	test_table();
	test_classes_counted();
	test_reuse();
	test_append();
	test_exhaustive_small();
	test_width();
	return done_testing();
}
