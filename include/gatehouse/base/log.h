/*
 * Trace log.
 *
 * While curses owns the screen nothing may go to stderr, so diagnostics go to
 * the file named by GATEHOUSE_TRACE (opened 0600, appended), or nowhere.
 * Callers must never log secrets; gth_log() also refuses to write a line that
 * contains the registered secrets (tokens) and writes "[redacted]" instead.
 */
#ifndef GATEHOUSE_BASE_LOG_H
#define GATEHOUSE_BASE_LOG_H

enum gth_log_level {
	GTH_LOG_ERROR,
	GTH_LOG_WARN,
	GTH_LOG_INFO,
	GTH_LOG_DEBUG,
};

/* Open the trace file from GATEHOUSE_TRACE if set. Safe to call twice. */
void gth_log_open_from_env(void);
void gth_log_close(void);

void gth_log(enum gth_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Remember a secret so that no logged line can carry it; the log keeps its own
 * zeroed-on-release copy.  s shorter than 8 bytes is ignored.
 */
void gth_log_add_secret(const char *s);

#define gth_debug(...) gth_log(GTH_LOG_DEBUG, __VA_ARGS__)
#define gth_info(...)  gth_log(GTH_LOG_INFO, __VA_ARGS__)
#define gth_warn(...)  gth_log(GTH_LOG_WARN, __VA_ARGS__)
#define gth_error(...) gth_log(GTH_LOG_ERROR, __VA_ARGS__)

#endif
