/*
 * allowed_signers (ssh-keygen(1), ALLOWED SIGNERS): who may sign decisions.
 *
 * Each line is "principals [options] keytype base64".  Principals is a
 * comma-separated pattern list ('*', '?', '!' negation); options are
 * namespaces="...", valid-after="...", valid-before="..." (YYYYMMDD[Z] or
 * YYYYMMDDHHMM[SS][Z], local time without Z) and cert-authority.
 * Certificates are not supported: cert-authority lines are kept but never
 * match, and the load reports them in *notes.  A malformed line is skipped
 * and reported in notes, as ssh-keygen skips it.
 */
#ifndef GATEHOUSE_SIGN_ALLOWED_H
#define GATEHOUSE_SIGN_ALLOWED_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"
#include "gatehouse/sign/sshkey.h"

#define GTH_ALLOWED_FILE_MAX (4 * 1024 * 1024)

struct gth_allowed_entry {
	char *principals;	/* pattern list as written */
	char *namespaces;	/* pattern list, or NULL for any */
	bool cert_authority;
	time_t valid_after;	/* 0 = unbounded */
	time_t valid_before;	/* 0 = unbounded */
	unsigned char *key;
	size_t keylen;
	long line;
};

struct gth_allowed {
	struct gth_allowed_entry *v;
	size_t n, cap;
	struct gth_strvec notes;	/* "file:line: why it was skipped" */
};

/* Parse text (name is used in notes).  Never fails on bad lines; free with gth_allowed_free. */
struct gth_allowed *gth_allowed_parse(const char *text, size_t len, const char *name);
/* Read and parse a file; -GTH_E_IO / -GTH_E_TOOBIG with a message. */
int gth_allowed_load(const char *path, struct gth_allowed **out, struct gth_err *err);
void gth_allowed_free(struct gth_allowed *a);

/* Does name match the pattern list (OpenSSH match_pattern_list semantics)? */
bool gth_allowed_match_list(const char *name, const char *patterns);

/*
 * The first entry for key valid at when for namespace ns, whose principals
 * match principal (NULL: any entry for the key).  NULL if none.
 */
const struct gth_allowed_entry *gth_allowed_find(const struct gth_allowed *a, const void *key,
	size_t keylen, const char *ns, const char *principal, time_t when);

/*
 * Full check of an armored SSHSIG over msg: parses, verifies the crypto for
 * namespace ns, and requires an allowed entry for the signer (matching
 * principal when it is not NULL).  On success *principals_out (may be NULL)
 * gets a copy of the entry's principals and fp the signer's fingerprint.
 * -GTH_E_VERIFY with "incorrect signature", "namespace does not match",
 * "key SHA256:... is not in allowed_signers" ... otherwise.
 */
int gth_allowed_verify(const struct gth_allowed *a, const char *armored, size_t armored_len,
	const void *msg, size_t len, const char *ns, const char *principal, time_t when,
	char **principals_out, char fp[GTH_SSHKEY_FP_MAX], struct gth_err *err);

#endif
