/*
 * The audit log: append-only JSONL at $XDG_STATE_HOME/gatehouse/audit.jsonl.
 *
 * Each line is canonical JSON (sorted keys, compact) with "seq" (1, 2, ...)
 * and "prev", the sha256 hex of the previous line's bytes (64 zeros for the
 * first), so editing, deleting or reordering any line breaks the chain at a
 * line gth_audit_verify() names.  Every append is fsync'd; the last seq and
 * hash are also kept in "<path>.head" (atomically replaced, fsync'd) so that
 * cutting lines off the end is detected too.  Appends from several processes
 * are serialized with flock().  Optionally each line is mirrored to syslog
 * (LOG_AUTHPRIV) for the bastion's log shipping.
 */
#ifndef GATEHOUSE_DECIDE_AUDIT_H
#define GATEHOUSE_DECIDE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/model/decision.h"

#define GTH_AUDIT_LINE_MAX 16384

struct gth_audit;

/* Open (create 0600) the log at path.  Free with gth_audit_close. */
int gth_audit_open(const char *path, bool syslog_mirror, struct gth_audit **out,
	struct gth_err *err);
void gth_audit_close(struct gth_audit *a);

/*
 * Append one event ("recorded", "posted", "dead", "retry", "sync"...) about
 * decision d (may be NULL) or id (may be NULL), with an optional detail
 * (sanitized).  Durable when it returns 0.
 */
int gth_audit_append(struct gth_audit *a, const char *event, const struct gth_decision *d,
	const char *id, const char *detail, struct gth_err *err);

struct gth_audit_report {
	long lines;		/* lines read */
	long bad_line;		/* first line at fault, 0 when the log is intact */
	char msg[256];		/* what is wrong there */
};

/*
 * Verify the log at path: 0 when intact, -GTH_E_CORRUPT with rep->bad_line
 * and rep->msg otherwise; -GTH_E_IO when it cannot be read.
 */
int gth_audit_verify(const char *path, struct gth_audit_report *rep);

/*
 * Check one line (without its newline) given the expected seq and the
 * previous line's sha256 hex; exposed for the fuzz target.  0 or
 * -GTH_E_CORRUPT with a message in msg (size msglen).
 */
int gth_audit_check_line(const char *line, size_t len, long seq, const char *prev_hex,
	char *msg, size_t msglen);

#endif
