/* Reason drafts: saved, restored, removed; unsafe paths refused; the signal flag. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/decide/draft.h"
#include "tap.h"

static void
on_hup(int sig)
{
	(void)sig;
	gth_draft_note_signal();
}

int
main(void)
{
	const char *st = tap_tmpdir();
	struct gth_err err = { 0 };
	char *text = NULL;

	ok(gth_draft_load(st, "github.com", "example/widget", 4, &text, &err) == -GTH_E_NOTFOUND,
	   "no draft yet");
	ok(gth_draft_save(st, "github.com", "example/widget", 4, "Half a reas", &err) == 0,
	   "draft saved");
	ok(gth_draft_save(st, "github.com", "example/widget", 4, "Half a reason, then more", &err)
	   == 0, "draft saved again as typed");
	ok(gth_draft_load(st, "github.com", "example/widget", 4, &text, &err) == 0,
	   "draft restored");
	is_str(text, "Half a reason, then more", "the latest text comes back");
	free(text);
	ok(gth_draft_load(st, "github.com", "example/widget", 5, &text, &err) == -GTH_E_NOTFOUND,
	   "other PRs have their own drafts");
	ok(gth_draft_save(st, "github.com", "../../etc", 1, "x", &err) == -GTH_E_INVAL,
	   "a repository name climbing out is refused");
	ok(gth_draft_save(st, "..", "a/b", 1, "x", &err) == -GTH_E_INVAL, "forge '..' refused");
	ok(gth_draft_remove(st, "github.com", "example/widget", 4, &err) == 0 &&
	   gth_draft_load(st, "github.com", "example/widget", 4, &text, &err) == -GTH_E_NOTFOUND,
	   "removed once the decision is recorded");
	ok(!gth_draft_flush_requested(), "no flush asked");
	signal(SIGHUP, on_hup);
	raise(SIGHUP);
	ok(gth_draft_flush_requested(), "SIGHUP asks the event loop to save");
	ok(!gth_draft_flush_requested(), "the request is consumed once");
	return done_testing();
}
