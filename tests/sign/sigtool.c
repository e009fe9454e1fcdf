/*
 * Test driver for sign/: the same jobs as ssh-keygen -Y, through our own
 * agent client and verifier, so the shell test can compare the two.
 *
 *	sigtool list                          keys in the agent: "type fp comment"
 *	sigtool sign [-n NS] KEY.pub          sign stdin via the agent, armored SSHSIG on stdout
 *	sigtool sign-async [-n NS] KEY.pub    the same on the worker thread, "waiting" on stderr
 *	sigtool verify -f ALLOWED [-I P] [-n NS] -s SIG   check stdin against SIG
 *	sigtool check [-n NS] -s SIG          crypto only (like check-novalidate)
 *	sigtool fp KEY.pub                    fingerprint
 *	sigtool choose [CONFIGURED [GITKEY GITFORMAT]]   key choice among the agent's keys
 *	sigtool raw-sign-flags0 KEY.pub       ask the agent with flags 0 and run our reply check
 *	sigtool sk-sign ed25519|ecdsa FLAGS   sign stdin as a FIDO (sk-) key would, with a
 *	                                      software key (no hardware here), armored on stdout
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/sign/agent.h"
#include "gatehouse/sign/allowed.h"
#include "gatehouse/sign/signer.h"
#include "gatehouse/sign/sshsig.h"
#include "gatehouse/sign/wire.h"

static char *
slurp(FILE *f, size_t *len)
{
	struct gth_buf b = GTH_BUF_INIT;
	char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		gth_buf_add(&b, chunk, n);
	return gth_buf_take(&b, len);
}

static char *
slurp_path(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *s;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	s = slurp(f, len);
	fclose(f);
	return s;
}

static int
fail(const char *what, const struct gth_err *err, int code)
{
	fprintf(stderr, "%s: %s\n", what, gth_err_text(err, code));
	return 1;
}

static void
load_key(const char *path, unsigned char **blob, size_t *len)
{
	struct gth_err err = { 0 };
	char *text = slurp_path(path, NULL);
	int r = gth_sshkey_parse_line(text, blob, len, NULL, &err);

	free(text);
	if (r != 0) {
		fail(path, &err, r);
		exit(2);
	}
}

static int
cmd_list(void)
{
	struct gth_agent *a = NULL;
	struct gth_agent_identities ids = { 0 };
	struct gth_err err = { 0 };
	size_t i;
	int r;

	if ((r = gth_agent_open(NULL, &a, &err)) != 0 || (r = gth_agent_list(a, &ids, &err)) != 0) {
		gth_agent_close(a);
		return fail("list", &err, r);
	}
	for (i = 0; i < ids.n; i++)
		printf("%s %s %s\n", ids.v[i].type, ids.v[i].fp, ids.v[i].comment);
	gth_agent_identities_release(&ids);
	gth_agent_close(a);
	return 0;
}

static void
say_waiting(void *ctx)
{
	fprintf(stderr, "waiting for the ssh-agent (%s)\n", (const char *)ctx);
}

static int
cmd_sign(const char *ns, const char *keypath, int async)
{
	struct gth_agent *a = NULL;
	struct gth_agent_identities ids = { 0 };
	struct gth_err err = { 0 };
	unsigned char *key = NULL;
	size_t keylen = 0, len = 0, idx;
	char *msg = slurp(stdin, &len), *armored = NULL;
	int r;

	load_key(keypath, &key, &keylen);
	if (async) {
		struct gth_sign_job *job = NULL;
		int waited = 0;

		if ((r = gth_sign_job_start(NULL, key, keylen, ns, msg, len, &job, &err)) != 0)
			return fail("sign", &err, r);
		for (;;) {
			struct pollfd pfd = { .fd = gth_sign_job_fd(job), .events = POLLIN };
			enum gth_sign_state st;

			poll(&pfd, 1, 100);
			st = gth_sign_job_state(job);
			if (st == GTH_SIGN_WAITING && !waited) {
				say_waiting("confirm or touch");
				waited = 1;
				if (getenv("SIGTOOL_CANCEL_ON_WAIT") != NULL)
					gth_sign_job_cancel(job);
			}
			if (st == GTH_SIGN_DONE)
				break;
		}
		r = gth_sign_job_finish(job, &armored, &err);
	} else {
		if ((r = gth_agent_open(NULL, &a, &err)) != 0 ||
		    (r = gth_agent_list(a, &ids, &err)) != 0)
			goto out;
		if ((r = gth_sign_choose_key(&ids, keypath, NULL, NULL, &idx, &err)) != 0)
			goto out;
		if (getenv("SIGTOOL_SLEEP_BEFORE_SIGN") != NULL)
			sleep(3);
		r = gth_sign_agent(a, key, keylen, ns, msg, len, GTH_SIGN_WAITING_MS, say_waiting,
			"confirm or touch", &armored, &err);
	}
out:
	if (r == 0)
		fputs(armored, stdout);
	else
		fail("sign", &err, r);
	gth_agent_identities_release(&ids);
	gth_agent_close(a);
	free(armored);
	free(msg);
	free(key);
	return r == 0 ? 0 : 1;
}

static int
cmd_verify(const char *allowed_path, const char *principal, const char *ns, const char *sigpath)
{
	struct gth_allowed *al = NULL;
	struct gth_err err = { 0 };
	char fp[GTH_SSHKEY_FP_MAX], *who = NULL;
	size_t len = 0, slen = 0, i;
	char *msg = slurp(stdin, &len), *sig = slurp_path(sigpath, &slen);
	const char *vt = getenv("SIGTOOL_VERIFY_TIME");
	time_t when = time(NULL);
	long t;
	int r;

	if (vt != NULL && gth_parse_long(vt, 0, 1L << 40, &t) == 0)
		when = (time_t)t;
	if ((r = gth_allowed_load(allowed_path, &al, &err)) != 0)
		return fail("verify", &err, r);
	for (i = 0; i < al->notes.n; i++)
		fprintf(stderr, "note: %s\n", al->notes.v[i]);
	r = gth_allowed_verify(al, sig, slen, msg, len, ns, principal, when, &who, fp, &err);
	if (r == 0)
		printf("Good \"%s\" signature for %s with key %s\n", ns, who, fp);
	else
		fail("verify", &err, r);
	gth_allowed_free(al);
	free(who);
	free(msg);
	free(sig);
	return r == 0 ? 0 : 1;
}

static int
cmd_check(const char *ns, const char *sigpath)
{
	struct gth_sshsig *s = NULL;
	struct gth_err err = { 0 };
	size_t len = 0, slen = 0;
	char *msg = slurp(stdin, &len), *sig = slurp_path(sigpath, &slen);
	int r;

	struct gth_sshkey_sigdetail det;

	if ((r = gth_sshsig_parse(sig, slen, &s, &err)) == 0 &&
	    (r = gth_sshsig_verify(s, ns, msg, len, &det, &err)) == 0)
		printf("Good \"%s\" signature with key %s%s\n", ns, s->fp,
			!det.is_sk ? "" : (det.sk_flags & 1) ? " (user present)" :
			" (NO user presence)");
	else
		fail("check", &err, r);
	gth_sshsig_free(s);
	free(msg);
	free(sig);
	return r == 0 ? 0 : 1;
}

static int
cmd_choose(const char *configured, const char *gitkey, const char *gitfmt)
{
	struct gth_agent *a = NULL;
	struct gth_agent_identities ids = { 0 };
	struct gth_err err = { 0 };
	size_t idx = 0;
	int r;

	if ((r = gth_agent_open(NULL, &a, &err)) == 0 && (r = gth_agent_list(a, &ids, &err)) == 0 &&
	    (r = gth_sign_choose_key(&ids, configured, gitkey, gitfmt, &idx, &err)) == 0)
		printf("%s %s\n", ids.v[idx].fp, ids.v[idx].comment);
	else
		fail("choose", &err, r);
	gth_agent_identities_release(&ids);
	gth_agent_close(a);
	return r == 0 ? 0 : 1;
}

/* Speak the sign request by hand with flags 0, then hand the reply to our checker. */
static int
cmd_raw_flags0(const char *keypath)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct gth_buf req = GTH_BUF_INIT, data = GTH_BUF_INIT;
	struct gth_err err = { 0 };
	unsigned char *key = NULL, hdr[4], *reply, *sig = NULL;
	size_t keylen = 0, siglen = 0;
	uint32_t n;
	int fd, r;

	load_key(keypath, &key, &keylen);
	gth_sshsig_signed_data(GTH_SSHSIG_NAMESPACE, "sha512", "x", 1, &data);
	gth_wire_put_u32(&req, 0);
	gth_wire_put_u8(&req, GTH_AGENTC_SIGN_REQUEST);
	gth_wire_put_string(&req, key, keylen);
	gth_wire_put_string(&req, data.data, data.len);
	gth_wire_put_u32(&req, 0);
	n = (uint32_t)req.len - 4;
	req.data[0] = (char)(n >> 24);
	req.data[1] = (char)(n >> 16);
	req.data[2] = (char)(n >> 8);
	req.data[3] = (char)n;
	gth_strlcpy(sun.sun_path, getenv("SSH_AUTH_SOCK"), sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    write(fd, req.data, req.len) != (ssize_t)req.len || read(fd, hdr, 4) != 4)
		return 2;
	n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	reply = xmalloc(n);
	for (size_t got = 0; got < n;) {
		ssize_t rd = read(fd, reply + got, n - got);

		if (rd <= 0)
			return 2;
		got += (size_t)rd;
	}
	r = gth_agent_parse_sign_reply(reply, n, key, keylen, &sig, &siglen, &err);
	if (r == 0)
		printf("accepted\n");
	else
		fail("reply", &err, r);
	close(fd);
	free(reply);
	free(sig);
	free(key);
	gth_buf_release(&req);
	gth_buf_release(&data);
	return r == 0 ? 0 : 1;
}

/* mpint of a positive BIGNUM (leading zero when the top bit is set). */
static void
put_mpint(struct gth_buf *b, const BIGNUM *bn)
{
	unsigned char raw[80];
	int n = BN_bn2bin(bn, raw + 1);

	raw[0] = 0;
	if (raw[1] & 0x80)
		gth_wire_put_string(b, raw, (size_t)n + 1);
	else
		gth_wire_put_string(b, raw + 1, (size_t)n);
}

/*
 * What a security key does (PROTOCOL.u2f): sign sha256(application) ||
 * flags || counter || sha256(data); the SSHSIG around it is ours.
 */
static int
cmd_sk_sign(const char *kind, const char *flagstr)
{
	const char *app = "ssh:";
	int ed = strcmp(kind, "ed25519") == 0;
	EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(ed ? EVP_PKEY_ED25519 : EVP_PKEY_EC, NULL);
	EVP_PKEY *pk = NULL;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	struct gth_buf key = GTH_BUF_INIT, data = GTH_BUF_INIT, sig = GTH_BUF_INIT;
	struct gth_buf blob = GTH_BUF_INIT, skmsg = GTH_BUF_INIT;
	unsigned char pub[133], raw[160], md[32];
	size_t publen = sizeof(pub), rawlen = sizeof(raw), len = 0;
	unsigned int mdlen;
	long flags;
	char *msg = slurp(stdin, &len), *armored;

	if (gth_parse_long(flagstr, 0, 255, &flags) != 0)
		return 2;
	EVP_PKEY_keygen_init(kctx);
	if (!ed)
		EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kctx, NID_X9_62_prime256v1);
	EVP_PKEY_keygen(kctx, &pk);
	if (ed) {
		EVP_PKEY_get_raw_public_key(pk, pub, &publen);
		gth_wire_put_cstring(&key, "sk-ssh-ed25519@openssh.com");
	} else {
		EVP_PKEY_get_octet_string_param(pk, "encoded-pub-key", pub, sizeof(pub), &publen);
		gth_wire_put_cstring(&key, "sk-ecdsa-sha2-nistp256@openssh.com");
		gth_wire_put_cstring(&key, "nistp256");
	}
	gth_wire_put_string(&key, pub, publen);
	gth_wire_put_cstring(&key, app);
	gth_sshsig_signed_data(GTH_SSHSIG_NAMESPACE, "sha512", msg, len, &data);
	EVP_Digest(app, strlen(app), md, &mdlen, EVP_sha256(), NULL);
	gth_buf_add(&skmsg, md, 32);
	gth_wire_put_u8(&skmsg, (uint8_t)flags);
	gth_wire_put_u32(&skmsg, 42);
	EVP_Digest(data.data, data.len, md, &mdlen, EVP_sha256(), NULL);
	gth_buf_add(&skmsg, md, 32);
	EVP_DigestSignInit(m, NULL, ed ? NULL : EVP_sha256(), NULL, pk);
	EVP_DigestSign(m, raw, &rawlen, (unsigned char *)skmsg.data, skmsg.len);
	gth_wire_put_cstring(&sig, ed ? "sk-ssh-ed25519@openssh.com" :
		"sk-ecdsa-sha2-nistp256@openssh.com");
	if (ed) {
		gth_wire_put_string(&sig, raw, rawlen);
	} else {
		const unsigned char *p = raw;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)rawlen);
		struct gth_buf rs = GTH_BUF_INIT;

		put_mpint(&rs, ECDSA_SIG_get0_r(es));
		put_mpint(&rs, ECDSA_SIG_get0_s(es));
		gth_wire_put_string(&sig, rs.data, rs.len);
		gth_buf_release(&rs);
		ECDSA_SIG_free(es);
	}
	gth_wire_put_u8(&sig, (uint8_t)flags);
	gth_wire_put_u32(&sig, 42);
	gth_sshsig_wrap(key.data, key.len, GTH_SSHSIG_NAMESPACE, "sha512", sig.data, sig.len,
		&blob);
	armored = gth_sshsig_armor(blob.data, blob.len);
	fputs(armored, stdout);
	free(armored);
	free(msg);
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(kctx);
	gth_buf_release(&key);
	gth_buf_release(&data);
	gth_buf_release(&sig);
	gth_buf_release(&blob);
	gth_buf_release(&skmsg);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *ns = GTH_SSHSIG_NAMESPACE, *allowed = NULL, *principal = NULL, *sig = NULL;
	const char *cmd;
	int c;

	if (argc < 2) {
		fprintf(stderr, "usage: sigtool list|sign|sign-async|verify|check|fp|choose ...\n");
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "n:f:I:s:")) != -1) {
		switch (c) {
		case 'n': ns = optarg; break;
		case 'f': allowed = optarg; break;
		case 'I': principal = optarg; break;
		case 's': sig = optarg; break;
		default: return 2;
		}
	}
	argv += optind;
	argc -= optind;
	if (strcmp(cmd, "list") == 0)
		return cmd_list();
	if ((strcmp(cmd, "sign") == 0 || strcmp(cmd, "sign-async") == 0) && argc == 1)
		return cmd_sign(ns, argv[0], strcmp(cmd, "sign-async") == 0);
	if (strcmp(cmd, "verify") == 0 && allowed != NULL && sig != NULL)
		return cmd_verify(allowed, principal, ns, sig);
	if (strcmp(cmd, "check") == 0 && sig != NULL)
		return cmd_check(ns, sig);
	if (strcmp(cmd, "fp") == 0 && argc == 1) {
		unsigned char *key;
		size_t len;
		char fp[GTH_SSHKEY_FP_MAX];

		load_key(argv[0], &key, &len);
		gth_sshkey_fingerprint(key, len, fp);
		printf("%s\n", fp);
		free(key);
		return 0;
	}
	if (strcmp(cmd, "choose") == 0)
		return cmd_choose(argc > 0 ? argv[0] : NULL, argc > 1 ? argv[1] : NULL,
			argc > 2 ? argv[2] : NULL);
	if (strcmp(cmd, "sk-sign") == 0 && argc == 2)
		return cmd_sk_sign(argv[0], argv[1]);
	if (strcmp(cmd, "raw-sign-flags0") == 0 && argc == 1)
		return cmd_raw_flags0(argv[0]);
	fprintf(stderr, "sigtool: bad usage\n");
	return 2;
}
