/* Key choice, agent signing into SSHSIG, and the signing worker thread. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/sign/signer.h"
#include "gatehouse/sign/sshsig.h"

#define KEYFILE_MAX 16384

int
gth_sign_key_spec(const char *spec, unsigned char **blob, size_t *len,
	char fp[GTH_SSHKEY_FP_MAX], struct gth_err *err)
{
	char *path = NULL, *text = NULL;
	int r;

	*blob = NULL;
	*len = 0;
	fp[0] = '\0';
	spec += strspn(spec, " \t");
	if (gth_str_has_prefix(spec, "SHA256:")) {
		if (strlen(spec) >= GTH_SSHKEY_FP_MAX)
			return gth_err_set(err, -GTH_E_CONFIG, "bad key fingerprint");
		gth_strlcpy(fp, spec, GTH_SSHKEY_FP_MAX);
		return 0;
	}
	if (gth_str_has_prefix(spec, "key::"))
		spec += 5;
	if (strchr(spec, ' ') != NULL && (gth_str_has_prefix(spec, "ssh-") ||
	    gth_str_has_prefix(spec, "ecdsa-") || gth_str_has_prefix(spec, "sk-")))
		r = gth_sshkey_parse_line(spec, blob, len, NULL, err);
	else {
		if (spec[0] == '~' && spec[1] == '/' && getenv("HOME") != NULL)
			path = xasprintf("%s%s", getenv("HOME"), spec + 1);
		else
			path = xstrdup(spec);
		if (!gth_str_has_suffix(path, ".pub") && access(path, R_OK) == 0) {
			/* A private key path, as git allows: its public half sits beside it. */
			char *pub = xasprintf("%s.pub", path);

			if (access(pub, R_OK) == 0) {
				free(path);
				path = pub;
			} else {
				free(pub);
			}
		}
		r = gth_sshkey_read_file(path, KEYFILE_MAX, "key file", &text, NULL, err);
		if (r == 0)
			r = gth_sshkey_parse_line(text, blob, len, NULL, err);
	}
	if (r == 0)
		gth_sshkey_fingerprint(*blob, *len, fp);
	free(path);
	free(text);
	return r;
}

static int
find_spec(const struct gth_agent_identities *ids, const char *spec, const char *what,
	size_t *index, struct gth_err *err)
{
	unsigned char *blob = NULL;
	char fp[GTH_SSHKEY_FP_MAX];
	size_t len = 0, i;
	int r;

	if ((r = gth_sign_key_spec(spec, &blob, &len, fp, err)) != 0)
		return r;
	r = gth_err_set(err, -GTH_E_NOKEY, "the %s key %s is not in the ssh-agent (ssh-add it on "
		"the machine the agent runs on)", what, fp);
	for (i = 0; i < ids->n; i++) {
		if (blob != NULL ? (ids->v[i].len == len && memcmp(ids->v[i].blob, blob, len) == 0)
				 : strcmp(ids->v[i].fp, fp) == 0) {
			*index = i;
			gth_err_clear(err);
			r = 0;
			break;
		}
	}
	free(blob);
	return r;
}

int
gth_sign_choose_key(const struct gth_agent_identities *ids, const char *configured,
	const char *git_signingkey, const char *git_gpg_format, size_t *index,
	struct gth_err *err)
{
	if (ids->n == 0)
		return gth_err_set(err, -GTH_E_NOKEY, "the ssh-agent holds no keys: ssh-add your "
			"signing key on the machine the agent runs on");
	if (configured != NULL && *configured != '\0')
		return find_spec(ids, configured, "configured", index, err);
	if (git_signingkey != NULL && *git_signingkey != '\0' && git_gpg_format != NULL &&
	    strcmp(git_gpg_format, "ssh") == 0)
		return find_spec(ids, git_signingkey, "git user.signingkey", index, err);
	if (ids->n == 1) {
		*index = 0;
		return 0;
	}
	return gth_err_set(err, -GTH_E_CONFLICT, "the ssh-agent holds %zu keys: choose one "
		"(or set the signing key in the config)", ids->n);
}

int
gth_sign_agent(struct gth_agent *a, const void *key, size_t keylen, const char *ns,
	const void *msg, size_t len, long waiting_ms, void (*waiting)(void *ctx), void *ctx,
	char **armored, struct gth_err *err)
{
	struct gth_buf data = GTH_BUF_INIT, blob = GTH_BUF_INIT;
	struct gth_sshsig *parsed = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	char *text = NULL;
	int r;

	*armored = NULL;
	if ((r = gth_sshsig_signed_data(ns, GTH_SSHSIG_HASHALG, msg, len, &data)) != 0)
		goto out;
	r = gth_agent_sign(a, key, keylen, data.data, data.len, waiting_ms, waiting, ctx, &sig,
		&siglen, err);
	if (r != 0)
		goto out;
	if ((r = gth_sshsig_wrap(key, keylen, ns, GTH_SSHSIG_HASHALG, sig, siglen, &blob)) != 0)
		goto out;
	text = gth_sshsig_armor(blob.data, blob.len);
	if ((r = gth_sshsig_parse(text, strlen(text), &parsed, err)) != 0 ||
	    (r = gth_sshsig_verify(parsed, ns, msg, len, NULL, err)) != 0) {
		r = gth_err_set(err, -GTH_E_SIG, "the ssh-agent's signature does not verify");
		goto out;
	}
	*armored = text;
	text = NULL;
out:
	gth_sshsig_free(parsed);
	free(text);
	free(sig);
	gth_buf_release(&data);
	gth_buf_release(&blob);
	return r;
}

struct gth_sign_job {
	pthread_t thread;
	int pipe[2];
	struct gth_agent *agent;
	unsigned char *key;
	size_t keylen;
	char *ns;
	char *msg;
	size_t len;
	atomic_int state;
	int result;
	char *armored;
	struct gth_err err;
};

static void
job_notify(struct gth_sign_job *job, enum gth_sign_state st)
{
	char c = (char)st;
	ssize_t w;

	atomic_store(&job->state, (int)st);
	do
		w = write(job->pipe[1], &c, 1);
	while (w < 0 && errno == EINTR);
}

static void
job_waiting(void *ctx)
{
	job_notify(ctx, GTH_SIGN_WAITING);
}

static void *
job_run(void *arg)
{
	struct gth_sign_job *job = arg;

	job->result = gth_sign_agent(job->agent, job->key, job->keylen, job->ns, job->msg,
		job->len, GTH_SIGN_WAITING_MS, job_waiting, job, &job->armored, &job->err);
	job_notify(job, GTH_SIGN_DONE);
	return NULL;
}

int
gth_sign_job_start(const char *sock_path, const void *key, size_t keylen, const char *ns,
	const void *msg, size_t len, struct gth_sign_job **out, struct gth_err *err)
{
	struct gth_sign_job *job;
	struct gth_agent *a = NULL;
	int r;

	*out = NULL;
	if ((r = gth_agent_open(sock_path, &a, err)) != 0)
		return r;
	job = xcalloc(1, sizeof(*job));
	if (pipe2(job->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		gth_agent_close(a);
		free(job);
		return gth_err_set(err, -GTH_E_IO, "pipe: %s", strerror(errno));
	}
	job->agent = a;
	job->key = xmalloc(keylen ? keylen : 1);
	memcpy(job->key, key, keylen);
	job->keylen = keylen;
	job->ns = xstrdup(ns);
	job->msg = xmalloc(len + 1);
	memcpy(job->msg, msg, len);
	job->len = len;
	atomic_init(&job->state, GTH_SIGN_RUNNING);
	if (pthread_create(&job->thread, NULL, job_run, job) != 0) {
		close(job->pipe[0]);
		close(job->pipe[1]);
		gth_agent_close(a);
		free(job->key);
		free(job->ns);
		free(job->msg);
		free(job);
		return gth_err_set(err, -GTH_E_INTERNAL, "cannot start the signing thread");
	}
	*out = job;
	return 0;
}

int
gth_sign_job_fd(const struct gth_sign_job *job)
{
	return job->pipe[0];
}

enum gth_sign_state
gth_sign_job_state(struct gth_sign_job *job)
{
	char c[16];

	while (read(job->pipe[0], c, sizeof(c)) > 0)
		;
	return (enum gth_sign_state)atomic_load(&job->state);
}

void
gth_sign_job_cancel(struct gth_sign_job *job)
{
	gth_agent_cancel(job->agent);
}

int
gth_sign_job_finish(struct gth_sign_job *job, char **armored, struct gth_err *err)
{
	int r;

	*armored = NULL;
	pthread_join(job->thread, NULL);
	r = job->result;
	if (r == 0) {
		*armored = job->armored;
		job->armored = NULL;
	} else if (err != NULL) {
		*err = job->err;
	}
	close(job->pipe[0]);
	close(job->pipe[1]);
	gth_agent_close(job->agent);
	free(job->key);
	free(job->ns);
	free(job->msg);
	free(job->armored);
	free(job);
	return r;
}
