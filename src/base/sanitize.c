/*
 * The untrusted-text sanitizer: one pass over the input, decoding UTF-8
 * strictly, copying safe text and replacing everything a terminal would act
 * on (or that hides itself) with a visible token.  The policy and its
 * sources are in DESIGN.md §8; the sets are listed in sanitize.h.
 *
 * Printable ASCII is copied in spans, so an ordinary diff line costs one
 * scan, one memcpy and one run.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/xalloc.h"

/* Word state bits: inside a word, and which scripts it has used. */
#define W_IN		0x01
#define W_LATIN		0x02
#define W_CONFUSABLE	0x04	/* Cyrillic, Greek, Armenian, Cherokee */
#define W_MIXED		(W_LATIN | W_CONFUSABLE)

enum script {
	S_BREAK,	/* ends a word: space, punctuation, symbols */
	S_NEUTRAL,	/* digits, '_', combining marks, other scripts */
	S_LATIN,
	S_CONFUSABLE
};

struct san {
	struct gth_sanitized *out;
	unsigned flags;
	unsigned word;		/* W_* bits of the current word; 0 outside a word */
	size_t word_start;	/* output offset where the current word began */
	uint32_t prev;		/* last code point copied as plain text, 0 after a token */
	unsigned marks;		/* zero-width code points on the current base */
};

/*
 * ncursesw keeps a base character and at most four combining marks per cell
 * (CCHARW_MAX 5) and drops the rest; marks beyond that become tokens so
 * nothing vanishes and a "zalgo" pile cannot spill over other rows.
 */
#define MAX_MARKS	4

static void
reserve(struct gth_sanitized *out, size_t n)
{
	if (out->len + n + 1 > out->cap_text)
		gth_grow(&out->text, &out->cap_text, out->len + n + 1, 1);
}

static void
add_run(struct gth_sanitized *out, size_t off, size_t len, enum gth_text_class cls)
{
	struct gth_text_run *last = out->n_runs ? &out->runs[out->n_runs - 1] : NULL;

	if (last != NULL && last->cls == cls && cls != GTH_TEXT_MIXED &&
	    last->off + last->len == off) {
		last->len += len;
		return;
	}
	GTH_PUSH(out->runs, out->n_runs, out->cap_runs) = (struct gth_text_run){ off, len, cls };
}

static void
put(struct gth_sanitized *out, const char *p, size_t n, enum gth_text_class cls)
{
	if (n == 0)
		return;
	reserve(out, n);
	memcpy(out->text + out->len, p, n);
	add_run(out, out->len, n, cls);
	out->len += n;
	out->text[out->len] = '\0';
	if (cls != GTH_TEXT_PLAIN)
		out->warn.count[cls]++;
}

/* Close the current word; if it mixed scripts, re-class its text as one MIXED run. */
static void
end_word(struct san *st)
{
	struct gth_sanitized *out = st->out;
	struct gth_text_run *last;

	if ((st->word & W_MIXED) == W_MIXED && out->n_runs > 0 && out->len > st->word_start) {
		/* Tokens end words, so the word is the tail of the last (plain) run. */
		last = &out->runs[out->n_runs - 1];
		if (last->off == st->word_start) {
			last->cls = GTH_TEXT_MIXED;
		} else {
			last->len = st->word_start - last->off;
			GTH_PUSH(out->runs, out->n_runs, out->cap_runs) = (struct gth_text_run){
				st->word_start, out->len - st->word_start, GTH_TEXT_MIXED };
		}
		out->warn.count[GTH_TEXT_MIXED]++;
	}
	st->word = 0;
}

static void
word_char(struct san *st, enum script s)
{
	if (s == S_BREAK) {
		if (st->word)
			end_word(st);
		return;
	}
	if (!st->word) {
		st->word = W_IN;
		st->word_start = st->out->len;
	}
	if (s == S_LATIN)
		st->word |= W_LATIN;
	else if (s == S_CONFUSABLE && !(st->flags & GTH_SAN_NO_MIXED))
		st->word |= W_CONFUSABLE;
}

static enum script
script_of(uint32_t cp)
{
	if (cp < 0x80) {
		if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
			return S_LATIN;
		if ((cp >= '0' && cp <= '9') || cp == '_')
			return S_NEUTRAL;
		return S_BREAK;
	}
	if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7)
		return S_BREAK;
	if (cp <= 0x2af || (cp >= 0x1e00 && cp <= 0x1eff) || (cp >= 0x2c60 && cp <= 0x2c7f) ||
	    (cp >= 0xa720 && cp <= 0xa7ff) || (cp >= 0xab30 && cp <= 0xab6f))
		return S_LATIN;
	if (cp >= 0x300 && cp <= 0x36f)
		return S_NEUTRAL;
	if (cp == 0x37e || cp == 0x387)	/* Greek question mark and ano teleia */
		return S_BREAK;
	if ((cp >= 0x370 && cp <= 0x3ff) || (cp >= 0x1f00 && cp <= 0x1fff) ||	/* Greek */
	    (cp >= 0x400 && cp <= 0x52f) || (cp >= 0x1c80 && cp <= 0x1c8f) ||	/* Cyrillic */
	    (cp >= 0x2de0 && cp <= 0x2dff) || (cp >= 0xa640 && cp <= 0xa69f) ||
	    (cp >= 0x531 && cp <= 0x587) ||					/* Armenian */
	    (cp >= 0x13a0 && cp <= 0x13ff) || (cp >= 0xab70 && cp <= 0xabbf))	/* Cherokee */
		return S_CONFUSABLE;
	/* Punctuation, symbols, arrows, box drawing, CJK punctuation, emoji. */
	if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x2e00 && cp <= 0x2e7f) ||
	    (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe10 && cp <= 0xfe6f) ||
	    (cp >= 0xff00 && cp <= 0xff0f) || (cp >= 0xff1a && cp <= 0xff20) ||
	    (cp >= 0xff3b && cp <= 0xff40) || (cp >= 0xff5b && cp <= 0xff65) ||
	    (cp >= 0x1f000 && cp <= 0x1faff))
		return S_BREAK;
	return S_NEUTRAL;
}

static bool
is_bidi(uint32_t cp)
{
	return cp == 0x61c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static bool
is_invisible(uint32_t cp)
{
	if (cp < 0xad)
		return false;
	return cp == 0xad || cp == 0x34f || cp == 0x115f || cp == 0x1160 ||
	       cp == 0x17b4 || cp == 0x17b5 || (cp >= 0x180b && cp <= 0x180f) ||
	       (cp >= 0x200b && cp <= 0x200d) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0x3164 ||
	       (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff || cp == 0xffa0 ||
	       (cp >= 0xfff0 && cp <= 0xfffb) || (cp >= 0x1d173 && cp <= 0x1d17a) ||
	       (cp >= 0xe0000 && cp <= 0xe0fff);
}

/* Emoji and the older symbol blocks that take emoji presentation. */
static bool
is_pictograph(uint32_t cp)
{
	return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2300 && cp <= 0x23ff) ||
	       (cp >= 0x2600 && cp <= 0x27bf) || (cp >= 0x2b00 && cp <= 0x2bff) ||
	       cp == 0xa9 || cp == 0xae || cp == 0x203c || cp == 0x2049 || cp == 0x2122 ||
	       cp == 0x2139 || (cp >= 0x2194 && cp <= 0x21aa) || cp == 0x3030 ||
	       cp == 0x303d || cp == 0x3297 || cp == 0x3299;
}

/* Is this invisible code point the legitimate glue of an emoji sequence? */
static bool
emoji_glue(const struct san *st, uint32_t cp, const char *next, size_t left)
{
	uint32_t ncp;

	if (!is_pictograph(st->prev))
		return false;
	if (cp == 0xfe0e || cp == 0xfe0f)
		return true;
	if (cp == 0x200d && left > 0 && gth_utf8_decode(next, left, &ncp) > 0)
		return is_pictograph(ncp);
	return false;
}

static const char hex[] = "0123456789ABCDEF";

/* "<U+009B>" or "[U+202E]": at least four hex digits, up to six.  Ends the current word. */
static void
put_cp_token(struct san *st, char open, char close, uint32_t cp, enum gth_text_class cls)
{
	char tok[12];
	size_t n = 0;
	int digits = cp > 0xfffff ? 6 : cp > 0xffff ? 5 : 4;
	int i;

	if (st->word)
		end_word(st);
	st->prev = 0;
	tok[n++] = open;
	tok[n++] = 'U';
	tok[n++] = '+';
	for (i = digits - 1; i >= 0; i--)
		tok[n++] = hex[(cp >> (4 * i)) & 0xf];
	tok[n++] = close;
	put(st->out, tok, n, cls);
}

static void
put_token(struct san *st, const char *tok, size_t n, enum gth_text_class cls)
{
	if (st->word)
		end_word(st);
	st->prev = 0;
	st->marks = 0;
	put(st->out, tok, n, cls);
}

/*
 * Copy the printable ASCII run at in[*i] in one piece.  Only its first and
 * last words matter for mixed-script words: the first may continue a word
 * begun with non-ASCII letters, the last may be continued by them.
 */
static void
ascii_span(struct san *st, const char *in, size_t *ip, size_t len)
{
	struct gth_sanitized *out = st->out;
	size_t start = *ip, end = start, j, k;
	unsigned latin = 0;

	while (end < len && (unsigned char)in[end] - 0x20u < 0x5fu)
		end++;
	for (j = start; j < end; j++) {
		enum script s = script_of((unsigned char)in[j]);

		if (s == S_BREAK)
			break;
		if (s == S_LATIN)
			latin = W_LATIN;
	}
	if (st->word)
		st->word |= latin;
	if (j < end) {
		/* The word in progress ends here. */
		if (st->word) {
			put(out, in + start, j - start, GTH_TEXT_PLAIN);
			end_word(st);
			start = j;
		}
		for (k = end, latin = 0; k > j; k--) {
			enum script s = script_of((unsigned char)in[k - 1]);

			if (s == S_BREAK)
				break;
			if (s == S_LATIN)
				latin = W_LATIN;
		}
		if (k < end) {
			st->word = W_IN | latin;
			st->word_start = out->len + (k - start);
		}
	} else if (!st->word) {
		st->word = W_IN | latin;
		st->word_start = out->len;
	}
	put(out, in + start, end - start, GTH_TEXT_PLAIN);
	st->prev = (unsigned char)in[end - 1];
	st->marks = 0;
	*ip = end;
}

/* One byte below 0x20 or DEL at in[i]; returns how many input bytes it used. */
static size_t
control(struct san *st, const char *in, size_t i, size_t len)
{
	unsigned char c = (unsigned char)in[i];
	char tok[2];

	if (st->word)
		end_word(st);
	st->prev = 0;
	st->marks = 0;
	if (c == '\n' && (st->flags & GTH_SAN_KEEP_NEWLINES)) {
		put(st->out, "\n", 1, GTH_TEXT_PLAIN);
		return 1;
	}
	if (c == '\r' && (st->flags & GTH_SAN_KEEP_NEWLINES) && i + 1 < len && in[i + 1] == '\n') {
		put(st->out, "\n", 1, GTH_TEXT_PLAIN);
		return 2;
	}
	if (c == '\t' && (st->flags & GTH_SAN_KEEP_TABS)) {
		put(st->out, "\t", 1, GTH_TEXT_PLAIN);
		return 1;
	}
	tok[0] = '^';
	tok[1] = (char)(c ^ 0x40);	/* NUL -> '@', ESC -> '[', DEL -> '?' */
	put(st->out, tok, 2, GTH_TEXT_CONTROL);
	return 1;
}

void
gth_sanitized_append_text(struct gth_sanitized *out, const char *in, size_t len, unsigned flags)
{
	struct san st = { out, flags, 0, 0, 0, 0 };
	size_t i = 0;

	reserve(out, len);
	out->text[out->len] = '\0';

	while (i < len) {
		unsigned char c = (unsigned char)in[i];
		uint32_t cp;
		int n;

		if (c >= 0x20 && c < 0x7f) {
			ascii_span(&st, in, &i, len);
			continue;
		}
		if (c < 0x80) {
			i += control(&st, in, i, len);
			continue;
		}
		n = gth_utf8_decode(in + i, len - i, &cp);
		if (n < 0) {
			char tok[4] = { '<', hex[c >> 4], hex[c & 0xf], '>' };

			put_token(&st, tok, sizeof(tok), GTH_TEXT_BADBYTE);
			i++;
			continue;
		}
		if (cp < 0xa0) {
			put_cp_token(&st, '<', '>', cp, GTH_TEXT_CONTROL);
		} else if (is_bidi(cp)) {
			put_cp_token(&st, '[', ']', cp, GTH_TEXT_BIDI);
		} else if (is_invisible(cp)) {
			/* An emoji's glue passes; prev is kept for a ZWJ after FE0F. */
			if (emoji_glue(&st, cp, in + i + n, len - i - (size_t)n))
				put(out, in + i, (size_t)n, GTH_TEXT_PLAIN);
			else
				put_cp_token(&st, '[', ']', cp, GTH_TEXT_INVISIBLE);
		} else if (gth_cp_width(cp) == 0 && ++st.marks > MAX_MARKS) {
			put_cp_token(&st, '[', ']', cp, GTH_TEXT_INVISIBLE);
		} else {
			if (gth_cp_width(cp) != 0)
				st.marks = 0;
			word_char(&st, script_of(cp));
			put(out, in + i, (size_t)n, GTH_TEXT_PLAIN);
			st.prev = cp;
		}
		i += (size_t)n;
	}
	if (st.word)
		end_word(&st);
}

void
gth_sanitize(const char *in, size_t len, unsigned flags, struct gth_sanitized *out)
{
	gth_sanitized_clear(out);
	gth_sanitized_append_text(out, in, len, flags);
}

void
gth_sanitized_clear(struct gth_sanitized *s)
{
	s->len = 0;
	s->n_runs = 0;
	memset(&s->warn, 0, sizeof(s->warn));
	if (s->text != NULL)
		s->text[0] = '\0';
}

void
gth_sanitized_append(struct gth_sanitized *dst, const struct gth_sanitized *src, size_t off,
    size_t len)
{
	size_t r, end = off + len;

	if (off >= src->len || len == 0)
		return;
	if (end > src->len)
		end = src->len;
	reserve(dst, end - off);
	memcpy(dst->text + dst->len, src->text + off, end - off);
	for (r = 0; r < src->n_runs; r++) {
		const struct gth_text_run *run = &src->runs[r];
		size_t a = run->off > off ? run->off : off;
		size_t b = run->off + run->len < end ? run->off + run->len : end;

		if (run->off >= end)
			break;
		if (a < b)
			add_run(dst, dst->len + (a - off), b - a, run->cls);
	}
	dst->len += end - off;
	dst->text[dst->len] = '\0';
}

void
gth_sanitized_release(struct gth_sanitized *s)
{
	if (s == NULL)
		return;
	free(s->text);
	free(s->runs);
	memset(s, 0, sizeof(*s));
}

char *
gth_sanitize_str(const char *in, size_t len, unsigned flags, struct gth_text_warnings *warn)
{
	struct gth_sanitized s;
	char *text;

	memset(&s, 0, sizeof(s));
	gth_sanitize(in, len, flags, &s);
	if (warn != NULL)
		*warn = s.warn;
	text = s.text;
	s.text = NULL;
	gth_sanitized_release(&s);
	return text;
}

void
gth_text_warnings_add(struct gth_text_warnings *a, const struct gth_text_warnings *b)
{
	size_t i;

	for (i = 0; i < GTH_TEXT__COUNT; i++)
		a->count[i] += b->count[i];
}

size_t
gth_text_warnings_total(const struct gth_text_warnings *w)
{
	size_t i, t = 0;

	for (i = GTH_TEXT_PLAIN + 1; i < GTH_TEXT__COUNT; i++)
		t += w->count[i];
	return t;
}

char *
gth_text_warnings_summary(const struct gth_text_warnings *w)
{
	static const char *const names[GTH_TEXT__COUNT][2] = {
		[GTH_TEXT_CONTROL] = { "control character", "control characters" },
		[GTH_TEXT_BADBYTE] = { "invalid UTF-8 byte", "invalid UTF-8 bytes" },
		[GTH_TEXT_BIDI] = { "bidi control", "bidi controls" },
		[GTH_TEXT_INVISIBLE] = { "invisible character", "invisible characters" },
		[GTH_TEXT_MIXED] = { "mixed-script word", "mixed-script words" },
	};
	struct gth_buf b = GTH_BUF_INIT;
	size_t i;

	if (gth_text_warnings_total(w) == 0)
		return NULL;
	for (i = GTH_TEXT_PLAIN + 1; i < GTH_TEXT__COUNT; i++)
		if (w->count[i] > 0)
			gth_buf_addf(&b, "%s%zu %s", b.len ? ", " : "", w->count[i],
			    names[i][w->count[i] != 1]);
	return gth_buf_take(&b, NULL);
}
