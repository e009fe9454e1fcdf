/*
 * Token resolution for a forge: a command run without a shell, a token file
 * (refused when group or others may read it, as ssh refuses such keys), an
 * environment variable, or `git credential fill`.
 *
 * Children are started with fork + execvp: the command line is split here
 * (blanks, single and double quotes, backslash) and never seen by a shell, so
 * `;`, `|`, `$()` mean nothing.  The token travels over a pipe from the
 * child's stdout (and, for git credential, the request over its stdin); it is
 * never put in argv or the environment of a child.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/auth.h"

#define TOKEN_MAX 65536
#define CHILD_TIMEOUT_MS 30000

int
gth_auth_split_command(const char *cmd, struct gth_strvec *argv)
{
	struct gth_buf cur = GTH_BUF_INIT;
	const char *p = cmd;
	bool in_word = false;
	char q = 0;

	for (; *p != '\0'; p++) {
		if (q != 0) {
			if (*p == q) {
				q = 0;
			} else if (q == '"' && *p == '\\' && p[1] != '\0') {
				gth_buf_addc(&cur, *++p);
			} else {
				gth_buf_addc(&cur, *p);
			}
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			if (in_word) {
				gth_strvec_push_take(argv, gth_buf_take(&cur, NULL));
				in_word = false;
			}
			continue;
		}
		in_word = true;
		if (*p == '\'' || *p == '"')
			q = *p;
		else if (*p == '\\' && p[1] != '\0')
			gth_buf_addc(&cur, *++p);
		else
			gth_buf_addc(&cur, *p);
	}
	if (q != 0) {
		gth_buf_release(&cur);
		return -GTH_E_PARSE;
	}
	if (in_word)
		gth_strvec_push_take(argv, gth_buf_take(&cur, NULL));
	gth_buf_release(&cur);
	return argv->n > 0 ? 0 : -GTH_E_PARSE;
}

static long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Run argv (no shell) with `input` on stdin, capture stdout (capped) into
 * out (a secret buffer), let stderr through.  Returns 0 only for exit 0.
 */
extern char **environ;

/*
 * The environment for a child: ours plus `extra` (NAME=VALUE, may be NULL),
 * built before fork so that the child only has to exec.  Owned array of
 * borrowed strings.
 */
static char **
child_env(const char *extra)
{
	size_t n = 0, i, k = 0, nlen = extra != NULL ? strcspn(extra, "=") + 1 : 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	for (i = 0; i < n; i++)
		if (extra == NULL || strncmp(environ[i], extra, nlen) != 0)
			env[k++] = environ[i];
	if (extra != NULL)
		env[k++] = (char *)extra;
	env[k] = NULL;
	return env;
}

static int
run_capture(char *const argv[], const char *input, struct gth_buf *out, const char *what,
	struct gth_err *err)
{
	/* never let git or a helper fall back to prompting on the terminal curses owns */
	char **env = child_env("GIT_TERMINAL_PROMPT=0");
	int in[2] = { -1, -1 }, outp[2] = { -1, -1 }, status = 0, rc = 0;
	pid_t pid;
	long deadline;
	char chunk[4096];
	size_t off = 0, inlen = input != NULL ? strlen(input) : 0;

	if (pipe(in) < 0 || pipe(outp) < 0) {
		rc = gth_err_set(err, -GTH_E_IO, "%s: pipe: %s", what, strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = gth_err_set(err, -GTH_E_IO, "%s: fork: %s", what, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		close(in[0]); close(in[1]); close(outp[0]); close(outp[1]);
		signal(SIGPIPE, SIG_DFL);
		execvpe(argv[0], argv, env);
		dprintf(2, "gatehouse: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	in[0] = outp[1] = -1;
	if (inlen == 0) {
		close(in[1]);
		in[1] = -1;
	}
	fcntl(in[1] >= 0 ? in[1] : outp[0], F_SETFL, O_NONBLOCK);
	deadline = mono_ms() + CHILD_TIMEOUT_MS;
	for (;;) {
		struct pollfd pf[2];
		int np = 0, r;
		long left = deadline - mono_ms();

		if (left <= 0) {
			kill(pid, SIGKILL);
			rc = gth_err_set(err, -GTH_E_TIMEOUT, "%s did not finish within %d s", what,
			    CHILD_TIMEOUT_MS / 1000);
			break;
		}
		pf[np].fd = outp[0];
		pf[np++].events = POLLIN;
		if (in[1] >= 0) {
			pf[np].fd = in[1];
			pf[np++].events = POLLOUT;
		}
		r = poll(pf, (nfds_t)np, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (np == 2 && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(in[1], input + off, inlen - off);

			if (w > 0)
				off += (size_t)w;
			if (w < 0 || off >= inlen) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(outp[0], chunk, sizeof(chunk));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (gth_buf_add(out, chunk, (size_t)n) < 0) {
				kill(pid, SIGKILL);
				rc = gth_err_set(err, -GTH_E_TOOBIG, "%s printed more than %d bytes",
				    what, TOKEN_MAX);
				break;
			}
		}
	}
	gth_explicit_bzero(chunk, sizeof(chunk));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		if (WIFEXITED(status))
			rc = gth_err_set(err, -GTH_E_AUTH, "%s exited with status %d", what,
			    WEXITSTATUS(status));
		else
			rc = gth_err_set(err, -GTH_E_AUTH, "%s was killed by signal %d", what,
			    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
out:
	free(env);
	if (in[0] >= 0) close(in[0]);
	if (in[1] >= 0) close(in[1]);
	if (outp[0] >= 0) close(outp[0]);
	if (outp[1] >= 0) close(outp[1]);
	return rc;
}

/* The first line of s, without surrounding blanks, as a new secret string; NULL if empty. */
static char *
first_line(const char *s, size_t len)
{
	size_t a = 0, b;

	while (a < len && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '\n'))
		a++;
	b = a;
	while (b < len && s[b] != '\n' && s[b] != '\r')
		b++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	return b > a ? xstrndup(s + a, b - a) : NULL;
}

static int
token_from_command(const char *cmd, char **token, struct gth_err *err)
{
	struct gth_strvec argv = GTH_STRVEC_INIT;
	struct gth_buf out;
	char *what = NULL;
	int rc;

	if (gth_auth_split_command(cmd, &argv) < 0) {
		gth_strvec_clear(&argv);
		return gth_err_set(err, -GTH_E_CONFIG, "token command has unbalanced quotes or is empty");
	}
	gth_strvec_push_take(&argv, NULL);	/* execvp's terminator */
	argv.n--;
	what = xasprintf("token command `%s`", argv.v[0]);
	gth_buf_init(&out, TOKEN_MAX);
	rc = run_capture(argv.v, NULL, &out, what, err);
	if (rc == 0) {
		*token = first_line(out.data != NULL ? out.data : "", out.len);
		if (*token == NULL)
			rc = gth_err_set(err, -GTH_E_AUTH, "%s printed no token", what);
	}
	gth_buf_release_secret(&out);
	argv.n++;
	gth_strvec_clear(&argv);
	free(what);
	return rc;
}

static int
token_from_file(const char *path, char **token, struct gth_err *err)
{
	struct stat st;
	struct gth_buf b;
	char chunk[4096];
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gth_err_set(err, -GTH_E_AUTH, "cannot open token file %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return gth_err_set(err, -GTH_E_AUTH, "token file %s is not a regular file", path);
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return gth_err_set(err, -GTH_E_PERM,
		    "token file %s has mode %04o: it is readable or writable by group/others; "
		    "refusing it (run: chmod 600 %s)", path, (unsigned)(st.st_mode & 07777), path);
	}
	gth_buf_init(&b, TOKEN_MAX);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (gth_buf_add(&b, chunk, (size_t)n) < 0) {
			rc = gth_err_set(err, -GTH_E_TOOBIG, "token file %s is too large", path);
			break;
		}
	}
	close(fd);
	gth_explicit_bzero(chunk, sizeof(chunk));
	if (rc == 0) {
		*token = first_line(b.data != NULL ? b.data : "", b.len);
		if (*token == NULL)
			rc = gth_err_set(err, -GTH_E_AUTH, "token file %s is empty", path);
	}
	gth_buf_release_secret(&b);
	return rc;
}

static int
token_from_credential(const char *host, char **token, struct gth_err *err)
{
	char *argv[] = { "git", "credential", "fill", NULL };
	struct gth_buf out;
	char *input, *p;
	int rc;

	input = xasprintf("protocol=https\nhost=%s\n\n", host);
	gth_buf_init(&out, TOKEN_MAX);
	rc = run_capture(argv, input, &out, "git credential fill", err);
	free(input);
	if (rc == 0) {
		rc = gth_err_set(err, -GTH_E_AUTH, "git credential fill gave no password for %s", host);
		for (p = out.data; p != NULL && *p != '\0';) {
			char *nl = strchr(p, '\n');
			size_t l = nl != NULL ? (size_t)(nl - p) : strlen(p);

			if (l > 9 && strncmp(p, "password=", 9) == 0) {
				*token = first_line(p + 9, l - 9);
				if (*token != NULL) {
					gth_err_clear(err);
					rc = 0;
				}
				break;
			}
			p = nl != NULL ? nl + 1 : p + l;
		}
	}
	gth_buf_release_secret(&out);
	return rc;
}

int
gth_auth_resolve(const struct gth_auth_source *src, char **token, struct gth_err *err)
{
	const char *v;

	*token = NULL;
	if (src->command != NULL && *src->command != '\0')
		return token_from_command(src->command, token, err);
	if (src->file != NULL && *src->file != '\0')
		return token_from_file(src->file, token, err);
	if (src->env != NULL && *src->env != '\0') {
		v = getenv(src->env);
		if (v != NULL && *v != '\0') {
			*token = xstrdup(v);
			return 0;
		}
		if (!src->credential_helper)
			return gth_err_set(err, -GTH_E_AUTH, "no token: $%s is not set", src->env);
	} else {
		if ((v = getenv("GH_TOKEN")) != NULL && *v != '\0') {
			*token = xstrdup(v);
			return 0;
		}
		if ((v = getenv("GITHUB_TOKEN")) != NULL && *v != '\0') {
			*token = xstrdup(v);
			return 0;
		}
	}
	if (src->credential_helper && src->host != NULL)
		return token_from_credential(src->host, token, err);
	return gth_err_set(err, -GTH_E_AUTH,
	    "no token: set GH_TOKEN or GITHUB_TOKEN, or configure a token command, token file or "
	    "the git credential helper for this forge");
}
