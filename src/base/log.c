/* Trace file logging with secret redaction. */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/log.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static struct gth_strvec secrets = GTH_STRVEC_INIT;

void
gth_log_open_from_env(void)
{
	const char *path = getenv("GATEHOUSE_TRACE");

	pthread_mutex_lock(&log_lock);
	if (log_fd < 0 && path != NULL && *path != '\0')
		log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	pthread_mutex_unlock(&log_lock);
}

void
gth_log_close(void)
{
	size_t i;

	pthread_mutex_lock(&log_lock);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	for (i = 0; i < secrets.n; i++)
		gth_explicit_bzero(secrets.v[i], strlen(secrets.v[i]));
	gth_strvec_clear(&secrets);
	pthread_mutex_unlock(&log_lock);
}

void
gth_log_add_secret(const char *s)
{
	if (s == NULL || strlen(s) < 8)
		return;
	pthread_mutex_lock(&log_lock);
	if (!gth_strvec_has(&secrets, s))
		gth_strvec_push(&secrets, s);
	pthread_mutex_unlock(&log_lock);
}

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
gth_log(enum gth_log_level level, const char *fmt, ...)
{
	struct gth_buf line = GTH_BUF_INIT;
	struct timespec ts;
	struct tm tm;
	va_list ap;
	size_t i;

	if (log_fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	gth_buf_addf(&line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
	    level_names[level]);
	va_start(ap, fmt);
	gth_buf_vaddf(&line, fmt, ap);
	va_end(ap);
	for (i = 0; i < line.len; i++)
		if ((unsigned char)line.data[i] < 0x20 || line.data[i] == 0x7f)
			line.data[i] = '?';
	pthread_mutex_lock(&log_lock);
	for (i = 0; i < secrets.n; i++) {
		if (strstr(line.data, secrets.v[i]) != NULL) {
			gth_buf_reset(&line);
			gth_buf_adds(&line, "[redacted: line carried a secret]");
			break;
		}
	}
	gth_buf_addc(&line, '\n');
	if (log_fd >= 0 && write(log_fd, line.data, line.len) < 0) {
		/* a trace file that fails is not worth failing for */
	}
	pthread_mutex_unlock(&log_lock);
	gth_buf_release(&line);
}
