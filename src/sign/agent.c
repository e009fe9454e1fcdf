/*
 * ssh-agent client.  Framing and limits follow OpenSSH authfd.c
 * (ssh_request_reply, ssh_fetch_identitylist, ssh_agent_sign).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/sign/agent.h"
#include "gatehouse/sign/wire.h"

/* Listing keys needs no human: an agent silent this long is broken. */
#define LIST_TIMEOUT_MS 15000
/* A refusal slower than this came after a prompt on the agent's host. */
#define HUMAN_MS 700
/* Largest message we send (OpenSSH refuses to sign more than 1 MiB; we send ~100 B). */
#define SIGN_DATA_MAX 4096

struct gth_agent {
	int fd;
	atomic_int cancelled;
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
gth_agent_identities_release(struct gth_agent_identities *ids)
{
	size_t i;

	for (i = 0; i < ids->n; i++) {
		free(ids->v[i].blob);
		free(ids->v[i].type);
		free(ids->v[i].comment);
	}
	free(ids->v);
	memset(ids, 0, sizeof(*ids));
}

int
gth_agent_open(const char *path, struct gth_agent **out, struct gth_err *err)
{
	struct sockaddr_un sun;
	struct gth_agent *a;
	int fd;

	*out = NULL;
	if (path == NULL)
		path = getenv("SSH_AUTH_SOCK");
	if (path == NULL || *path == '\0')
		return gth_err_set(err, -GTH_E_AGENT,
			"no ssh-agent: SSH_AUTH_SOCK is not set (connect with ssh -A, or start "
			"ssh-agent and ssh-add your signing key)");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return gth_err_set(err, -GTH_E_AGENT, "SSH_AUTH_SOCK path is too long");
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return gth_err_set(err, -GTH_E_AGENT, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;

		close(fd);
		return gth_err_set(err, -GTH_E_AGENT,
			"cannot reach the ssh-agent at SSH_AUTH_SOCK (%s): was the forwarded "
			"connection closed?", strerror(e));
	}
	a = xcalloc(1, sizeof(*a));
	a->fd = fd;
	atomic_init(&a->cancelled, 0);
	*out = a;
	return 0;
}

void
gth_agent_close(struct gth_agent *a)
{
	if (a == NULL)
		return;
	close(a->fd);
	free(a);
}

void
gth_agent_cancel(struct gth_agent *a)
{
	atomic_store(&a->cancelled, 1);
	shutdown(a->fd, SHUT_RDWR);
}

static int
write_all(struct gth_agent *a, const void *p, size_t n, struct gth_err *err)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = send(a->fd, c, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (atomic_load(&a->cancelled))
				return gth_err_set(err, -GTH_E_CANCEL, "signing cancelled");
			return gth_err_set(err, -GTH_E_AGENT, "lost the ssh-agent connection: %s",
				w < 0 ? strerror(errno) : "closed");
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read n bytes.  deadline_ms < 0 waits forever; waiting is fired once when
 * wait_at passes without data.
 */
static int
read_all(struct gth_agent *a, void *p, size_t n, long deadline, long *wait_at,
	void (*waiting)(void *), void *ctx, struct gth_err *err)
{
	char *c = p;

	while (n > 0) {
		struct pollfd pfd = { .fd = a->fd, .events = POLLIN };
		long now = now_ms(), t = -1;
		ssize_t rd;
		int pr;

		if (deadline >= 0)
			t = deadline > now ? deadline - now : 0;
		if (*wait_at >= 0 && (t < 0 || *wait_at - now < t))
			t = *wait_at > now ? *wait_at - now : 0;
		pr = poll(&pfd, 1, t > (long)1 << 30 ? 1 << 30 : (int)t);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			now = now_ms();
			if (*wait_at >= 0 && now >= *wait_at) {
				*wait_at = -1;
				if (waiting != NULL)
					waiting(ctx);
			}
			if (deadline >= 0 && now >= deadline)
				return gth_err_set(err, -GTH_E_TIMEOUT,
					"the ssh-agent did not answer");
			continue;
		}
		rd = read(a->fd, c, n);
		if (rd < 0 && errno == EINTR)
			continue;
		if (rd <= 0) {
			if (atomic_load(&a->cancelled))
				return gth_err_set(err, -GTH_E_CANCEL, "signing cancelled");
			return gth_err_set(err, -GTH_E_AGENT, "lost the ssh-agent connection: %s",
				rd < 0 ? strerror(errno) : "closed by the agent");
		}
		c += rd;
		n -= (size_t)rd;
	}
	return 0;
}

static int
request(struct gth_agent *a, const struct gth_buf *req, long timeout_ms, long waiting_ms,
	void (*waiting)(void *), void *ctx, struct gth_buf *reply, struct gth_err *err)
{
	unsigned char hdr[4];
	long start = now_ms();
	long deadline = timeout_ms < 0 ? -1 : start + timeout_ms;
	long wait_at = waiting_ms < 0 ? -1 : start + waiting_ms;
	uint32_t len;
	int r;

	hdr[0] = (unsigned char)(req->len >> 24);
	hdr[1] = (unsigned char)(req->len >> 16);
	hdr[2] = (unsigned char)(req->len >> 8);
	hdr[3] = (unsigned char)req->len;
	if ((r = write_all(a, hdr, 4, err)) != 0 || (r = write_all(a, req->data, req->len, err)))
		return r;
	if ((r = read_all(a, hdr, 4, deadline, &wait_at, waiting, ctx, err)) != 0)
		return r;
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (len == 0 || len > GTH_AGENT_MSG_MAX)
		return gth_err_set(err, -GTH_E_PROTO, "ssh-agent reply of %u bytes refused",
			(unsigned)len);
	gth_buf_init(reply, GTH_AGENT_MSG_MAX + 1);
	reply->data = xmalloc(len + 1);
	reply->cap = len + 1;
	if ((r = read_all(a, reply->data, len, deadline, &wait_at, waiting, ctx, err)) != 0) {
		gth_buf_release(reply);
		return r;
	}
	reply->len = len;
	reply->data[len] = '\0';
	return 0;
}

static int
is_failure(uint8_t t)
{
	return t == GTH_AGENT_FAILURE || t == GTH_AGENT_EXTENSION_FAILURE ||
	       t == GTH_AGENT2_FAILURE || t == GTH_AGENT_COM_FAILURE;
}

int
gth_agent_parse_identities(const void *msg, size_t len, struct gth_agent_identities *ids,
	struct gth_err *err)
{
	struct gth_wire w;
	uint8_t t;
	uint32_t n, i;

	if (len > GTH_AGENT_MSG_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "ssh-agent reply too large");
	gth_wire_init(&w, msg, len);
	if (gth_wire_u8(&w, &t) != 0)
		return gth_err_set(err, -GTH_E_PROTO, "empty ssh-agent reply");
	if (is_failure(t))
		return gth_err_set(err, -GTH_E_REFUSED, "the ssh-agent refused to list its keys");
	if (t != GTH_AGENT_IDENTITIES_ANSWER)
		return gth_err_set(err, -GTH_E_PROTO, "unexpected ssh-agent reply type %u", t);
	if (gth_wire_u32(&w, &n) != 0)
		return gth_err_set(err, -GTH_E_PROTO, "truncated ssh-agent reply");
	if (n > GTH_AGENT_IDS_MAX)
		return gth_err_set(err, -GTH_E_PROTO, "ssh-agent claims %u keys", (unsigned)n);
	for (i = 0; i < n; i++) {
		const unsigned char *kb, *cm;
		size_t kl, cl;
		struct gth_agent_identity *id;
		char *type;

		if (gth_wire_string(&w, &kb, &kl) != 0 || gth_wire_string(&w, &cm, &cl) != 0) {
			gth_agent_identities_release(ids);
			return gth_err_set(err, -GTH_E_PROTO, "truncated ssh-agent key list");
		}
		/* Unknown or malformed key blobs are skipped, as authfd.c does. */
		if (kl > GTH_SSHKEY_BLOB_MAX || (type = gth_wire_key_type(kb, kl)) == NULL)
			continue;
		id = &GTH_PUSH(ids->v, ids->n, ids->cap);
		memset(id, 0, sizeof(*id));
		id->blob = xmalloc(kl);
		memcpy(id->blob, kb, kl);
		id->len = kl;
		id->type = type;
		id->comment = xstrndup((const char *)cm, cl);
		gth_sshkey_fingerprint(kb, kl, id->fp);
	}
	if (w.len != 0) {
		gth_agent_identities_release(ids);
		return gth_err_set(err, -GTH_E_PROTO, "trailing data in ssh-agent key list");
	}
	return 0;
}

int
gth_agent_list(struct gth_agent *a, struct gth_agent_identities *ids, struct gth_err *err)
{
	struct gth_buf req = GTH_BUF_INIT, reply = GTH_BUF_INIT;
	int r;

	gth_wire_put_u8(&req, GTH_AGENTC_REQUEST_IDENTITIES);
	r = request(a, &req, LIST_TIMEOUT_MS, -1, NULL, NULL, &reply, err);
	if (r == 0)
		r = gth_agent_parse_identities(reply.data, reply.len, ids, err);
	gth_buf_release(&req);
	gth_buf_release(&reply);
	return r;
}

int
gth_agent_parse_sign_reply(const void *msg, size_t len, const void *key, size_t keylen,
	unsigned char **sig, size_t *siglen, struct gth_err *err)
{
	struct gth_wire w, sw;
	const unsigned char *s, *alg, *raw;
	size_t sl, al, rl;
	uint8_t t;
	char *ktype = NULL;
	int r = 0;

	*sig = NULL;
	*siglen = 0;
	if (len > GTH_AGENT_MSG_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "ssh-agent reply too large");
	gth_wire_init(&w, msg, len);
	if (gth_wire_u8(&w, &t) != 0)
		return gth_err_set(err, -GTH_E_PROTO, "empty ssh-agent reply");
	if (is_failure(t))
		return gth_err_set(err, -GTH_E_REFUSED, "the ssh-agent refused to sign");
	if (t != GTH_AGENT_SIGN_RESPONSE)
		return gth_err_set(err, -GTH_E_PROTO, "unexpected ssh-agent reply type %u", t);
	if (gth_wire_string(&w, &s, &sl) != 0 || w.len != 0 || sl > GTH_SSHKEY_BLOB_MAX)
		return gth_err_set(err, -GTH_E_PROTO, "malformed ssh-agent signature reply");
	gth_wire_init(&sw, s, sl);
	if (gth_wire_string(&sw, &alg, &al) != 0 || gth_wire_string(&sw, &raw, &rl) != 0)
		return gth_err_set(err, -GTH_E_PROTO, "malformed signature from the ssh-agent");
	if ((ktype = gth_wire_key_type(key, keylen)) == NULL)
		return gth_err_set(err, -GTH_E_INVAL, "malformed key");
	/* The sshkey_check_sigtype() step: a downgraded RSA signature is refused here. */
	if (strcmp(ktype, "ssh-rsa") == 0) {
		if (!gth_wire_eq(alg, al, "rsa-sha2-512"))
			r = gth_err_set(err, -GTH_E_PROTO,
				"the ssh-agent answered with a %.*s signature instead of "
				"rsa-sha2-512 (agent too old?)", (int)(al > 40 ? 40 : al), alg);
	} else if (!gth_wire_eq(alg, al, ktype)) {
		r = gth_err_set(err, -GTH_E_PROTO, "the ssh-agent signature algorithm does not "
			"match the key type %s", ktype);
	}
	free(ktype);
	if (r != 0)
		return r;
	*sig = xmalloc(sl);
	memcpy(*sig, s, sl);
	*siglen = sl;
	return 0;
}

/* After a refusal: is the key still there?  (A lifetime may have ended meanwhile.) */
static bool
still_has_key(struct gth_agent *a, const void *key, size_t keylen)
{
	struct gth_agent_identities ids = { 0 };
	bool has = true;
	size_t i;

	if (gth_agent_list(a, &ids, NULL) == 0) {
		has = false;
		for (i = 0; i < ids.n && !has; i++)
			has = ids.v[i].len == keylen && memcmp(ids.v[i].blob, key, keylen) == 0;
	}
	gth_agent_identities_release(&ids);
	return has;
}

int
gth_agent_sign(struct gth_agent *a, const void *key, size_t keylen, const void *data,
	size_t len, long waiting_ms, void (*waiting)(void *ctx), void *ctx,
	unsigned char **sig, size_t *siglen, struct gth_err *err)
{
	struct gth_buf req = GTH_BUF_INIT, reply = GTH_BUF_INIT;
	long start = now_ms();
	int r;

	*sig = NULL;
	*siglen = 0;
	if (len > SIGN_DATA_MAX || keylen > GTH_SSHKEY_BLOB_MAX)
		return gth_err_set(err, -GTH_E_TOOBIG, "data to sign too large");
	gth_wire_put_u8(&req, GTH_AGENTC_SIGN_REQUEST);
	gth_wire_put_string(&req, key, keylen);
	gth_wire_put_string(&req, data, len);
	gth_wire_put_u32(&req, gth_sshkey_is_rsa(key, keylen) ? GTH_AGENT_RSA_SHA2_512 : 0);
	r = request(a, &req, -1, waiting_ms, waiting, ctx, &reply, err);
	if (r == 0) {
		r = gth_agent_parse_sign_reply(reply.data, reply.len, key, keylen, sig, siglen,
			err);
		if (r == -GTH_E_REFUSED && !still_has_key(a, key, keylen))
			gth_err_set(err, r, "the key is no longer in the ssh-agent (its lifetime, "
				"ssh-add -t, may have ended): ssh-add it again");
		else if (r == -GTH_E_REFUSED && now_ms() - start >= HUMAN_MS)
			gth_err_set(err, r, "the ssh-agent refused after asking: confirmation "
				"denied (ssh-add -c) or the security key was not touched");
		else if (r == -GTH_E_REFUSED)
			gth_err_set(err, r, "the ssh-agent refused to sign with this key: a "
				"destination-constrained key (ssh-add -h) cannot sign decisions; "
				"add a separate unconstrained signing key");
	}
	gth_buf_release(&req);
	gth_buf_release(&reply);
	return r;
}
