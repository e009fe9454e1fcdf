/*
 * Driver for the fault-injection test (test_faults.sh): one decision's path
 * to the outbox, run under failing allocations, a full or read-only disk, a
 * failing fsync (faultshim.so) or a dying ssh-agent, and an independent
 * check of what the outbox holds afterwards.
 *
 *	faults_driver make DIR              a signed decision: DIR/record.json,
 *	                                    DIR/record.sig, DIR/allowed_signers; prints its id
 *	faults_driver record STATE DIR      record DIR's decision in STATE/outbox (audit in
 *	                                    STATE/audit.jsonl): "recorded <id>" once durable,
 *	                                    else "record failed: <why>" and exit 1
 *	faults_driver agent-record STATE KEY.pub   build a decision for KEY, sign it through
 *	                                    $SSH_AUTH_SOCK, record it as above
 *	faults_driver check STATE ID [OUT]  parse every entry in new/ cur/ done/ dead/: prints
 *	                                    "entries=N bad=N tmp=N id_new=N id_other=N" (id_*: the
 *	                                    entries of ID); OUT/entry.json and OUT/entry.sig get
 *	                                    ID's record and signature.  Exit 1 if any is bad.
 *
 * The audit log is verified with outbox_driver audit STATE.
 *
 * GTH_FAIL_ALLOC=n makes xmalloc's allocation n of the recording path fail
 * (counted from opening the audit log and the outbox, as the app does at
 * startup); with faultshim.so preloaded, GTH_FAULT_MALLOC=n does the same
 * for every malloc, the libraries' too.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include <openssl/evp.h>

#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/audit.h"
#include "gatehouse/decide/fsutil.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/decide/record.h"
#include "gatehouse/sign/agent.h"
#include "gatehouse/sign/signer.h"
#include "gatehouse/sign/sshkey.h"
#include "gatehouse/sign/sshsig.h"

/* Defined by faultshim.so when it is preloaded: from here on, its malloc may fail. */
void gth_faultshim_arm(void) __attribute__((weak));

static void
fatal_hook(void)
{
	static const char msg[] = "faults_driver: fatal hook ran\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing to do */
	}
}

static int
write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct gth_err err = { 0 };
	int r = gth_fs_write_atomic(p, data, len, &err);

	if (r != 0)
		fprintf(stderr, "%s\n", err.msg);
	free(p);
	return r;
}

static int
cmd_make(const char *dir)
{
	struct fx_key key;
	struct gth_decision *d;
	char *record, *armored, *line;
	size_t rlen;
	int r;

	fx_key_init(&key);
	d = fx_decision(&key, GTH_VERDICT_APPROVE, 7, &record, &rlen, &armored);
	line = fx_allowed_line(&key, "reviewer@example.com");
	r = write_file(dir, "record.json", record, rlen);
	if (r == 0)
		r = write_file(dir, "record.sig", armored, strlen(armored));
	if (r == 0)
		r = write_file(dir, "allowed_signers", line, strlen(line));
	if (r == 0)
		printf("%s\n", d->id);
	free(line);
	free(record);
	free(armored);
	gth_decision_free(d);
	fx_key_release(&key);
	return r == 0 ? 0 : 1;
}

/* Open the audit log and the outbox, then record: the path a decision takes. */
static int
record_one(const char *state, const struct gth_decision *d, const char *record, size_t rlen,
	const char *armored)
{
	struct gth_err err = { 0 };
	struct gth_audit *au = NULL;
	struct gth_outbox *ob = NULL;
	char *ap = xasprintf("%s/audit.jsonl", state), *od = xasprintf("%s/outbox", state);
	int r;

	/* The app makes its state directory the same way. */
	if ((r = gth_fs_mkdirs(state, &err)) == 0 &&
	    (r = gth_audit_open(ap, false, &au, &err)) == 0 &&
	    (r = gth_outbox_open(od, au, &ob, &err)) == 0)
		r = gth_outbox_record(ob, d, record, rlen, armored, &err);
	if (r == 0)
		printf("recorded %s\n", d->id);
	else
		printf("record failed: %s\n", gth_err_text(&err, r));
	gth_outbox_close(ob);
	gth_audit_close(au);
	free(ap);
	free(od);
	return r == 0 ? 0 : 1;
}

static int
cmd_record(const char *state, const char *dir)
{
	struct gth_decision *d = NULL;
	struct gth_err err = { 0 };
	char *rp = xasprintf("%s/record.json", dir), *sp = xasprintf("%s/record.sig", dir);
	char *record = NULL, *armored = NULL;
	const char *fail = getenv("GTH_FAIL_ALLOC");
	size_t rlen = 0, slen = 0;
	long n;
	int r = 1;

	if (gth_fs_read_file(rp, GTH_OUTBOX_ENTRY_MAX, &record, &rlen, &err) != 0 ||
	    gth_fs_read_file(sp, GTH_OUTBOX_ENTRY_MAX, &armored, &slen, &err) != 0 ||
	    gth_record_decode(record, rlen, &d, &err) != 0) {
		fprintf(stderr, "faults_driver: %s\n", err.msg);
		goto out;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (fail != NULL && gth_parse_long(fail, 1, 1000000, &n) == 0)
		gth_xalloc_fail_after((unsigned long)n);
	if (gth_faultshim_arm != NULL) {
		/*
		 * libcrypto loads its providers on the first digest (thousands of
		 * allocations, done long before any decision in the app).
		 */
		unsigned char md[64];
		unsigned int mdlen = 0;

		EVP_Digest(record, rlen, md, &mdlen, EVP_sha512(), NULL);
		gth_faultshim_arm();
	}
	r = record_one(state, d, record, rlen, armored);
out:
	gth_decision_free(d);
	free(record);
	free(armored);
	free(rp);
	free(sp);
	return r;
}

static void
say_waiting(void *ctx)
{
	(void)ctx;
	fprintf(stderr, "waiting for the ssh-agent\n");
}

static int
cmd_agent_record(const char *state, const char *keypath)
{
	struct gth_decision *d = gth_decision_new();
	struct gth_agent *a = NULL;
	struct gth_err err = { 0 };
	unsigned char *blob = NULL;
	char fp[GTH_SSHKEY_FP_MAX], *record = NULL, *armored = NULL;
	size_t blen = 0, rlen = 0;
	int r, rc = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	if ((r = gth_sign_key_spec(keypath, &blob, &blen, fp, &err)) == 0 && blob == NULL)
		r = gth_err_set(&err, -GTH_E_INVAL, "%s: a public key file is needed", keypath);
	if (r != 0)
		goto out;
	gth_sshkey_fingerprint(blob, blen, fp);
	gth_decision_new_id(d->id);
	d->forge = xstrdup("github.com");
	d->repo = xstrdup("example/widget");
	d->number = 9;
	d->head = xasprintf("%040d", 9);
	d->base = xstrdup("1111111111111111111111111111111111111111");
	d->verdict = GTH_VERDICT_APPROVE;
	d->reason = xstrdup("Checked the diff.");
	d->risk = xstrdup("low");
	d->gates = xstrdup("tests:pass");
	d->policy = xstrdup("ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12");
	d->reviewer = xstrdup("alice");
	d->key = xstrdup(fp);
	gth_decision_set_time(d, 1767322800);
	printf("id %s\n", d->id);
	if ((r = gth_record_encode(d, &record, &rlen, &err)) != 0 ||
	    (r = gth_agent_open(NULL, &a, &err)) != 0)
		goto out;
	r = gth_sign_agent(a, blob, blen, GTH_SSHSIG_NAMESPACE, record, rlen, GTH_SIGN_WAITING_MS,
		say_waiting, NULL, &armored, &err);
out:
	gth_agent_close(a);
	if (r == 0)
		rc = record_one(state, d, record, rlen, armored);
	else
		printf("sign failed: %s\n", gth_err_text(&err, r));
	gth_decision_free(d);
	free(blob);
	free(record);
	free(armored);
	return rc;
}

struct tally {
	size_t entries, bad, tmp, id_new, id_other;
};

/* Parse one entry file as delivery would; 0 when whole and consistent with its name. */
static int
check_entry(const char *path, const char *name, const char *id, const char *out)
{
	struct gth_outbox_entry e;
	struct gth_decision *d = NULL;
	struct gth_err err = { 0 };
	char *data = NULL;
	size_t len = 0;
	int r;

	if ((r = gth_fs_read_file(path, GTH_OUTBOX_ENTRY_MAX, &data, &len, &err)) != 0 ||
	    (r = gth_outbox_entry_parse(data, len, &e, &err)) != 0) {
		printf("# %s: %s\n", path, err.msg);
		free(data);
		return -1;
	}
	if ((r = gth_record_decode(e.record, e.record_len, &d, &err)) != 0 ||
	    strncmp(name, e.id, GTH_DECISION_ID_LEN) != 0 || strcmp(d->id, e.id) != 0) {
		printf("# %s: %s\n", path, r != 0 ? err.msg : "id differs from its name");
		r = -1;
	} else if (strcmp(e.id, id) == 0 && out != NULL) {
		write_file(out, "entry.json", e.record, e.record_len);
		write_file(out, "entry.sig", e.armored, strlen(e.armored));
	}
	gth_decision_free(d);
	gth_outbox_entry_release(&e);
	free(data);
	return r;
}

static int
cmd_check(const char *state, const char *id, const char *out)
{
	static const char *const subs[] = { "new", "cur", "done", "dead", "tmp" };
	struct tally t = { 0 };
	size_t i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		char *dp = xasprintf("%s/outbox/%s", state, subs[i]);
		DIR *dir = opendir(dp);
		struct dirent *de;

		while (dir != NULL && (de = readdir(dir)) != NULL) {
			char *p;
			size_t nl = strlen(de->d_name);

			if (de->d_name[0] == '.')
				continue;
			if (i == 4) {
				t.tmp++;
				continue;
			}
			if (i == 3 && nl > 4 && strcmp(de->d_name + nl - 4, ".err") == 0)
				continue;
			t.entries++;
			if (strncmp(de->d_name, id, GTH_DECISION_ID_LEN) == 0) {
				if (i == 0)
					t.id_new++;
				else
					t.id_other++;
			}
			p = xasprintf("%s/%s", dp, de->d_name);
			if (check_entry(p, de->d_name, id, i == 0 ? out : NULL) != 0)
				t.bad++;
			free(p);
		}
		if (dir != NULL)
			closedir(dir);
		free(dp);
	}
	printf("entries=%zu bad=%zu tmp=%zu id_new=%zu id_other=%zu\n", t.entries, t.bad, t.tmp,
		t.id_new, t.id_other);
	return t.bad == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	gth_xalloc_set_fatal_hook(fatal_hook);
	if (argc == 3 && strcmp(argv[1], "make") == 0)
		return cmd_make(argv[2]);
	if (argc == 4 && strcmp(argv[1], "record") == 0)
		return cmd_record(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "agent-record") == 0)
		return cmd_agent_record(argv[2], argv[3]);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "check") == 0)
		return cmd_check(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	fprintf(stderr, "usage: faults_driver make|record|agent-record|check ...\n");
	return 2;
}
