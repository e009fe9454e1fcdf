/* Test fixtures for decide/: software signer and the directory-backed forge. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "fixture.h"
#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/fsutil.h"
#include "gatehouse/decide/record.h"
#include "gatehouse/sign/sshsig.h"
#include "gatehouse/sign/wire.h"

void
fx_key_init(struct fx_key *k)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *pk = NULL;
	unsigned char raw[32];
	size_t rawlen = sizeof(raw);
	struct gth_buf b = GTH_BUF_INIT;

	EVP_PKEY_keygen_init(ctx);
	EVP_PKEY_keygen(ctx, &pk);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_get_raw_public_key(pk, raw, &rawlen);
	gth_wire_put_cstring(&b, "ssh-ed25519");
	gth_wire_put_string(&b, raw, 32);
	memcpy(k->blob, b.data, sizeof(k->blob));
	gth_buf_release(&b);
	gth_sshkey_fingerprint(k->blob, sizeof(k->blob), k->fp);
	k->pkey = pk;
}

void
fx_key_release(struct fx_key *k)
{
	EVP_PKEY_free(k->pkey);
}

char *
fx_sign(const struct fx_key *k, const char *msg, size_t len)
{
	struct gth_buf data = GTH_BUF_INIT, sig = GTH_BUF_INIT, blob = GTH_BUF_INIT;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned char raw[64];
	size_t rawlen = sizeof(raw);
	char *armored;

	gth_sshsig_signed_data(GTH_SSHSIG_NAMESPACE, "sha512", msg, len, &data);
	EVP_DigestSignInit(m, NULL, NULL, NULL, k->pkey);
	EVP_DigestSign(m, raw, &rawlen, (unsigned char *)data.data, data.len);
	EVP_MD_CTX_free(m);
	gth_wire_put_cstring(&sig, "ssh-ed25519");
	gth_wire_put_string(&sig, raw, rawlen);
	gth_sshsig_wrap(k->blob, sizeof(k->blob), GTH_SSHSIG_NAMESPACE, "sha512", sig.data, sig.len,
		&blob);
	armored = gth_sshsig_armor(blob.data, blob.len);
	gth_buf_release(&data);
	gth_buf_release(&sig);
	gth_buf_release(&blob);
	return armored;
}

char *
fx_sign_sk(const struct fx_key *k, const char *msg, size_t len, unsigned flags,
	char fp[GTH_SSHKEY_FP_MAX], char **allowed)
{
	struct gth_buf key = GTH_BUF_INIT, data = GTH_BUF_INIT, skmsg = GTH_BUF_INIT;
	struct gth_buf sig = GTH_BUF_INIT, blob = GTH_BUF_INIT;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned char raw[64], md[32];
	size_t rawlen = sizeof(raw);
	unsigned int mdlen;
	char *armored, *line;

	gth_wire_put_cstring(&key, "sk-ssh-ed25519@openssh.com");
	gth_wire_put_string(&key, k->blob + 19, 32);
	gth_wire_put_cstring(&key, "ssh:");
	gth_sshkey_fingerprint(key.data, key.len, fp);
	gth_sshsig_signed_data(GTH_SSHSIG_NAMESPACE, "sha512", msg, len, &data);
	EVP_Digest("ssh:", 4, md, &mdlen, EVP_sha256(), NULL);
	gth_buf_add(&skmsg, md, 32);
	gth_wire_put_u8(&skmsg, (uint8_t)flags);
	gth_wire_put_u32(&skmsg, 7);
	EVP_Digest(data.data, data.len, md, &mdlen, EVP_sha256(), NULL);
	gth_buf_add(&skmsg, md, 32);
	EVP_DigestSignInit(m, NULL, NULL, NULL, k->pkey);
	EVP_DigestSign(m, raw, &rawlen, (unsigned char *)skmsg.data, skmsg.len);
	EVP_MD_CTX_free(m);
	gth_wire_put_cstring(&sig, "sk-ssh-ed25519@openssh.com");
	gth_wire_put_string(&sig, raw, rawlen);
	gth_wire_put_u8(&sig, (uint8_t)flags);
	gth_wire_put_u32(&sig, 7);
	gth_sshsig_wrap(key.data, key.len, GTH_SSHSIG_NAMESPACE, "sha512", sig.data, sig.len,
		&blob);
	armored = gth_sshsig_armor(blob.data, blob.len);
	line = gth_sshkey_format(key.data, key.len);
	*allowed = xasprintf("alice@example.com %s\n", line);
	free(line);
	gth_buf_release(&key);
	gth_buf_release(&data);
	gth_buf_release(&skmsg);
	gth_buf_release(&sig);
	gth_buf_release(&blob);
	return armored;
}

struct gth_decision *
fx_decision(const struct fx_key *k, enum gth_verdict v, long number, char **record,
	size_t *record_len, char **armored)
{
	struct gth_decision *d = gth_decision_new();
	struct gth_err err = { 0 };

	gth_decision_new_id(d->id);
	d->forge = xstrdup("github.com");
	d->repo = xstrdup("example/widget");
	d->number = number;
	d->head = xasprintf("%040ld", number);
	d->base = xstrdup("1111111111111111111111111111111111111111");
	d->verdict = v;
	d->reason = xasprintf("Decision on #%ld: checked the diff.", number);
	d->risk = xstrdup("high");
	gth_strvec_push(&d->risk_reasons, "high: src/auth/login.c (auth-paths)");
	d->gates = xstrdup("tests:pass sast:pass");
	d->policy = xstrdup("ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12");
	d->reviewer = xstrdup("alice");
	d->key = xstrdup(k->fp);
	gth_decision_set_time(d, 1767322800);
	if (v == GTH_VERDICT_ESCALATE)
		gth_strvec_push(&d->escalate_to, "example/security");
	if (gth_record_encode(d, record, record_len, &err) != 0) {
		fprintf(stderr, "fx_decision: %s\n", err.msg);
		abort();
	}
	*armored = fx_sign(k, *record, *record_len);
	return d;
}

char *
fx_allowed_line(const struct fx_key *k, const char *principal)
{
	char *key = gth_sshkey_format(k->blob, sizeof(k->blob));
	char *s = xasprintf("%s namespaces=\"gatehouse-decision\" %s\n", principal, key);

	free(key);
	return s;
}

void
fx_forge_init(struct fx_forge *f, const char *dir, const char *login)
{
	memset(f, 0, sizeof(*f));
	f->dir = xstrdup(dir);
	f->login = login;
	f->script = "";
	gth_fs_mkdirs(dir, NULL);
	{
		static const char *const subs[] = { "reviews", "status", "escalate" };
		size_t i;

		for (i = 0; i < 3; i++) {
			char *p = xasprintf("%s/%s", dir, subs[i]);

			gth_fs_mkdirs(p, NULL);
			free(p);
		}
	}
}

void
fx_forge_release(struct fx_forge *f)
{
	free(f->dir);
}

/* Next scripted outcome. */
static char
next_action(struct fx_forge *f)
{
	f->calls++;
	if (f->delay_us > 0)
		usleep(f->delay_us);
	if (f->pos >= strlen(f->script)) {
		int roll = rand() % 100;

		if (roll < f->chaos / 2)
			return '5';
		if (roll < f->chaos)
			return 'C';
		return '.';
	}
	return f->script[f->pos++];
}

static int
fail_before(char a, struct gth_err *err)
{
	if (a == '5')
		return err->status = 503, gth_err_set(err, -GTH_E_HTTP, "503 Service Unavailable");
	if (a == '4')
		return err->status = 422, gth_err_set(err, -GTH_E_HTTP, "422 Unprocessable");
	if (a == 'T')
		return err->status = 429,
		       gth_err_set(err, -GTH_E_RATELIMIT, "429 Too Many Requests");
	return 0;
}

static int
dropped(struct gth_err *err)
{
	err->status = 0;
	return gth_err_set(err, -GTH_E_NET, "connection dropped after the request was sent");
}

/* Unique, sortable file name for a new object. */
static char *
object_path(struct fx_forge *f, const char *sub, const char *suffix)
{
	struct timespec ts;
	static unsigned long seq;

	clock_gettime(CLOCK_REALTIME, &ts);
	return xasprintf("%s/%s/%lld%09ld-%ld-%lu%s", f->dir, sub, (long long)ts.tv_sec,
		ts.tv_nsec, (long)getpid(), ++seq, suffix);
}

void
fx_forge_plant(struct fx_forge *f, const char *author, const char *body, const char *commit,
	const char *state)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "author", author, "body", body,
		"commit", commit, "state", state);
	char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	char *p = object_path(f, "reviews", ".json");

	gth_fs_write_atomic(p, s, strlen(s), NULL);
	free(p);
	free(s);
	json_decref(o);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
fx_forge_reviews(struct fx_forge *f, struct gth_review **out, size_t *n)
{
	char *dir = xasprintf("%s/reviews", f->dir);
	struct gth_strvec names = GTH_STRVEC_INIT;
	struct gth_review *v = NULL;
	size_t cap = 0, i;
	DIR *dh = opendir(dir);
	struct dirent *de;

	*n = 0;
	while (dh != NULL && (de = readdir(dh)) != NULL)
		if (strstr(de->d_name, ".json") != NULL && strstr(de->d_name, ".tmp") == NULL)
			gth_strvec_push(&names, de->d_name);
	if (dh != NULL)
		closedir(dh);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(char *), cmp_names);
	for (i = 0; i < names.n; i++) {
		char *p = xasprintf("%s/%s", dir, names.v[i]), *text = NULL;
		size_t len;
		json_t *o;

		if (gth_fs_read_file(p, 1 << 20, &text, &len, NULL) == 0 &&
		    (o = json_loadb(text, len, 0, NULL)) != NULL) {
			struct gth_review *r = &GTH_PUSH(v, *n, cap);

			memset(r, 0, sizeof(*r));
			r->id = (long long)i + 1;
			r->author = xstrdup(json_string_value(json_object_get(o, "author")));
			r->body = xstrdup(json_string_value(json_object_get(o, "body")));
			r->commit = xstrdup(json_string_value(json_object_get(o, "commit")));
			r->state = xstrdup(json_string_value(json_object_get(o, "state")));
			json_decref(o);
		}
		free(text);
		free(p);
	}
	gth_strvec_clear(&names);
	free(dir);
	*out = v;
}

size_t
fx_forge_count(struct fx_forge *f, const char *what)
{
	char *dir = xasprintf("%s/%s", f->dir, what);
	DIR *dh = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	while (dh != NULL && (de = readdir(dh)) != NULL)
		if (de->d_name[0] != '.' && strstr(de->d_name, ".tmp") == NULL)
			n++;
	if (dh != NULL)
		closedir(dh);
	free(dir);
	return n;
}

static int
op_list(void *ctx, const struct gth_decision *d, struct gth_review **out, size_t *n,
	struct gth_err *err)
{
	struct fx_forge *f = ctx;
	char a = next_action(f);
	int r;

	*out = NULL;
	*n = 0;
	if (a == 'C')
		return dropped(err);
	if ((r = fail_before(a, err)) != 0)
		return r;
	fx_forge_reviews(f, out, n);
	return 0;
}

static const char *
op_self(void *ctx, const struct gth_decision *d)
{
	(void)d;
	return ((struct fx_forge *)ctx)->login;
}

static int
op_post_review(void *ctx, const struct gth_decision *d, const char *body, struct gth_err *err)
{
	struct fx_forge *f = ctx;
	char a = next_action(f);
	int r;

	if ((r = fail_before(a, err)) != 0)
		return r;
	fx_forge_plant(f, f->login, body, d->head, gth_verdict_review_state(d->verdict));
	if (gth_fs_step_hook != NULL)
		gth_fs_step_hook("forge:committed");
	return a == 'C' ? dropped(err) : 0;
}

/* Idempotent by nature: one file per (PR, head), replaced. */
static int
op_post_status(void *ctx, const struct gth_decision *d, struct gth_err *err)
{
	struct fx_forge *f = ctx;
	char a = next_action(f), *p;
	static const char *const states[] = { "success", "failure", "pending" };
	int r;

	if ((r = fail_before(a, err)) != 0)
		return r;
	p = xasprintf("%s/status/%ld-%s", f->dir, d->number, d->head);
	gth_fs_write_atomic(p, states[d->verdict], strlen(states[d->verdict]), NULL);
	free(p);
	return a == 'C' ? dropped(err) : 0;
}

static int
op_escalate(void *ctx, const struct gth_decision *d, struct gth_err *err)
{
	struct fx_forge *f = ctx;
	char a = next_action(f), *p;
	int r;

	if ((r = fail_before(a, err)) != 0)
		return r;
	p = xasprintf("%s/escalate/%ld", f->dir, d->number);
	gth_fs_write_atomic(p, d->escalate_to.v[0], strlen(d->escalate_to.v[0]), NULL);
	free(p);
	return a == 'C' ? dropped(err) : 0;
}

const struct gth_delivery_sink_ops fx_forge_ops = {
	.list_reviews = op_list,
	.self_login = op_self,
	.post_review = op_post_review,
	.post_status = op_post_status,
	.escalate = op_escalate,
	.is_permanent = NULL,
};
