/* The git-config reader: values as git reads them, with the line each came from. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/cfg.h"
#include "tap.h"

static char *
write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tap_tmpdir(), name);
	FILE *f = fopen(path, "w");

	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

static size_t
count_temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "gatehouse-cfg-", 14) == 0)
			n++;
	closedir(d);
	return n;
}

static const char sample[] =
	"# comment line\n"
	"[forge \"GitHub\"]\n"
	"\tKind = github\n"
	"\tquery = is:pr is:open ; trailing comment\n"
	"\n"
	"\tquery = \"label:a # not a comment\"\n"
	"[ui] ascii\n"
	"[keymap \"main\"]\n"
	"\tbind = j \\\n"
	"  move-down\n"
	"\tbind = k move-up\n"
	"[Queue]\n"
	"\tREFRESH = 5m\n";

int
main(void)
{
	static const struct {
		const char *section, *sub, *key, *value;
		int line;
	} want[] = {
		{ "forge", "GitHub", "kind", "github", 3 },
		{ "forge", "GitHub", "query", "is:pr is:open", 4 },
		{ "forge", "GitHub", "query", "label:a # not a comment", 6 },
		{ "ui", NULL, "ascii", NULL, 7 },
		{ "keymap", "main", "bind", "j   move-down", 9 },
		{ "keymap", "main", "bind", "k move-up", 11 },
		{ "queue", NULL, "refresh", "5m", 13 },
	};
	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{ "[a]\nk = 1\n[broken\n", "bad.cfg:3: missing ']' in section header" },
		{ "[a]\n\n= x\n", "bad.cfg:3: invalid configuration key" },
		{ "[a]\nk=1\n[include]\n\tpath = /etc/passwd\n",
		  "bad.cfg:3: include sections are not supported" },
		{ "[includeIf \"gitdir:/x\"]\npath = y\n",
		  "bad.cfg:1: include sections are not supported" },
	};
	struct gth_cfg cfg;
	struct gth_err err;
	char *path;
	size_t i;
	int r;

	gth_cfg_init(&cfg);
	path = write_file("sample.cfg", sample);
	r = gth_cfg_load_file(&cfg, path, &err);
	is_int(r, 0, "sample file loads");
	is_int(cfg.n, sizeof(want) / sizeof(want[0]), "every key is an entry, in order");
	for (i = 0; i < cfg.n && i < sizeof(want) / sizeof(want[0]); i++) {
		const struct gth_cfg_entry *e = &cfg.v[i];

		is_str(e->section, want[i].section, "entry %zu section", i);
		is_str(e->subsection, want[i].sub, "entry %zu subsection keeps its case", i);
		is_str(e->key, want[i].key, "entry %zu key is lower-cased", i);
		is_str(e->value, want[i].value, "entry %zu value as git reads it", i);
		is_int(e->line, want[i].line, "entry %zu line", i);
		is_str(e->origin, path, "entry %zu origin is the path", i);
	}
	is_str(gth_cfg_get_str(&cfg, "forge", "GitHub", "query", NULL), "label:a # not a comment",
	    "get returns the last value of a multi-valued key");
	ok(gth_cfg_get(&cfg, "forge", "github", "kind") == NULL, "subsections are case-sensitive");
	is_str(gth_cfg_get_str(&cfg, "QUEUE", NULL, "Refresh", "x"), "5m",
	    "section and key lookups ignore case");
	is_str(gth_cfg_get_str(&cfg, "queue", NULL, "missing", "dflt"), "dflt", "default returned");

	r = gth_cfg_error(&err, gth_cfg_get(&cfg, "queue", NULL, "refresh"), "bad %s", "duration");
	is_int(r, -GTH_E_CONFIG, "semantic error code");
	{
		char *w = xasprintf("%s:13: bad duration", path);

		is_str(err.msg, w, "semantic error names file:line");
		free(w);
	}

	/* Overrides: appended, so they win; subsection case kept, key lower-cased. */
	is_int(gth_cfg_add_override(&cfg, "queue.REFRESH=1m", &err), 0, "-c override accepted");
	is_str(gth_cfg_get_str(&cfg, "queue", NULL, "refresh", NULL), "1m", "-c override wins");
	is_int(gth_cfg_add_override(&cfg, "forge.Corp.Sub.url=https://x/y=z", &err), 0,
	    "-c with dotted subsection");
	is_str(gth_cfg_get_str(&cfg, "forge", "Corp.Sub", "url", NULL), "https://x/y=z",
	    "-c splits at the first '=' and the last '.'");
	is_int(gth_cfg_add_override(&cfg, "ui.mouse", &err), 0, "-c bare key");
	ok(gth_cfg_get(&cfg, "ui", NULL, "mouse") != NULL &&
	    gth_cfg_get(&cfg, "ui", NULL, "mouse")->value == NULL, "-c bare key is a boolean");
	is_int(gth_cfg_get(&cfg, "ui", NULL, "mouse")->line, 0, "-c entries have no line");
	is_int(gth_cfg_add_override(&cfg, "nodot=1", &err), -GTH_E_CONFIG,
	    "-c without a dot refused");
	is_int(gth_cfg_add_override(&cfg, "a.b c=1", &err), -GTH_E_CONFIG, "-c bad key refused");
	gth_cfg_error(&err, gth_cfg_get(&cfg, "queue", NULL, "refresh"), "bad");
	is_str(err.msg, "-c queue.refresh: bad", "error on an override names the -c key");
	gth_cfg_release(&cfg);

	/* Syntax errors come from libgit2, reworded to origin:line. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *p = write_file("bad.cfg", bad[i].text);
		char *w = xasprintf("%s/%s", tap_tmpdir(), bad[i].err);

		gth_cfg_init(&cfg);
		r = gth_cfg_load_file(&cfg, p, &err);
		is_int(r, -GTH_E_CONFIG, "bad file %zu refused", i);
		is_str(err.msg, w, "bad file %zu error names file:line", i);
		is_int(cfg.n, 0, "bad file %zu leaves no entries", i);
		gth_cfg_release(&cfg);
		/* Same through load_string, named by its origin. */
		gth_cfg_init(&cfg);
		r = gth_cfg_load_string(&cfg, bad[i].text, strlen(bad[i].text), "bad.cfg", &err);
		is_int(r, -GTH_E_CONFIG, "bad string %zu refused", i);
		is_str(err.msg, bad[i].err, "bad string %zu error names origin:line", i);
		gth_cfg_release(&cfg);
		free(p);
		free(w);
	}

	gth_cfg_init(&cfg);
	free(path);
	path = xasprintf("%s/nope", tap_tmpdir());
	is_int(gth_cfg_load_file(&cfg, path, &err), -GTH_E_NOTFOUND, "missing file is NOTFOUND");
	free(path);
	is_int(gth_cfg_load_file(&cfg, tap_tmpdir(), &err), -GTH_E_CONFIG, "directory refused");

	/* load_string stages text in $TMPDIR and removes it. */
	setenv("TMPDIR", tap_tmpdir(), 1);
	r = gth_cfg_load_string(&cfg, sample, strlen(sample), "acme/api:.gatehouse/policy", &err);
	is_int(r, 0, "string loads");
	is_int(cfg.n, 7, "string yields every entry");
	is_str(cfg.v[4].origin, "acme/api:.gatehouse/policy", "string entries carry the origin");
	is_int(cfg.v[4].line, 9, "string entries carry lines");
	is_int(count_temp_files(tap_tmpdir()), 0, "temporary file removed");
	r = gth_cfg_load_string(&cfg, "[a]\nk=\"x\\q\"\n", 11, "esc", &err);
	is_int(r, -GTH_E_CONFIG, "bad escape refused");
	is_int(count_temp_files(tap_tmpdir()), 0, "temporary file removed after an error");
	is_int(cfg.n, 7, "failed load appends nothing");
	{
		char *big = xmalloc(2 * 1024 * 1024);

		memset(big, '#', 2 * 1024 * 1024);
		is_int(gth_cfg_load_string(&cfg, big, 2 * 1024 * 1024, "big", &err), -GTH_E_TOOBIG,
		    "oversized text refused");
		free(big);
	}
	gth_cfg_release(&cfg);

	/* Lines stay right through CRLF, quotes, escapes, continuations and keys after headers. */
	{
		static const char tricky[] =
			"[a]\r\n\tk1 = \"x \\\" ; y\" ; c\r\n"
			"\tk2 = \"multi \\\n line\"\r\n"
			"[b \"S\"] k3 = 1\n\n  # [c]\n\tk4=\"[d]\"\n"
			"[e]k5\n[f]\n\tk6 = a\\\\\n\tk7 = z\n";
		static const struct {
			const char *key, *value;
			int line;
		} tw[] = {
			{ "k1", "x \" ; y", 2 }, { "k2", "multi  line", 3 }, { "k3", "1", 5 },
			{ "k4", "[d]", 8 }, { "k5", NULL, 9 }, { "k6", "a\\", 11 },
			{ "k7", "z", 12 },
		};

		gth_cfg_init(&cfg);
		is_int(gth_cfg_load_string(&cfg, tricky, strlen(tricky), "tricky", &err), 0,
		    "tricky text loads");
		is_int(cfg.n, 7, "tricky text: seven entries");
		for (i = 0; i < cfg.n && i < 7; i++) {
			is_str(cfg.v[i].key, tw[i].key, "tricky entry %zu key", i);
			is_str(cfg.v[i].value, tw[i].value, "tricky %s value", tw[i].key);
			is_int(cfg.v[i].line, tw[i].line, "tricky %s line", tw[i].key);
		}
		gth_cfg_release(&cfg);
	}
	return done_testing();
}
