/*
 * Logging to a descriptor or syslog; see log.h for the line format and the
 * threading rules.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* GNU strerror_r(), which is thread-safe */
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/err.h>

#include "limits.h"
#include "log.h"

/* Room kept at the end of a truncated line for this marker. */
#define TRUNC_MARK	"..."
/* Size of the buffer for one strerror or OpenSSL error string. */
#define DETAIL_MAX	256

/* Set by log_init() before threads exist, read-only afterwards. */
static struct log_config log_cfg = {
	.ident = NULL,
	.level = LOG_LEVEL_NOTICE,
	.use_syslog = 0,
	.facility = LOG_USER,
	.fd = STDERR_FILENO,
};
static int log_syslog_open;

/*
 * The calling thread's last warning-or-worse message that named an
 * object (see log_last_message() in log.h).  Thread-local, so no thread
 * ever sees another's and no lock is needed.
 */
static __thread struct {
	int	set;
	char	obj[MAX_URI_LENGTH + 1];
	char	msg[MAX_LOG_LINE];
} log_last;

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};
#define NLEVELS	(sizeof(level_names) / sizeof(level_names[0]))

static const int level_prio[] = {
	[LOG_LEVEL_ERROR] = LOG_ERR,
	[LOG_LEVEL_WARNING] = LOG_WARNING,
	[LOG_LEVEL_NOTICE] = LOG_NOTICE,
	[LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

/* One line being assembled; the last byte is reserved for the newline. */
struct line {
	char	buf[MAX_LOG_LINE];
	size_t	len;
	int	truncated;
};

enum detail {
	DETAIL_NONE,
	DETAIL_ERRNO,
	DETAIL_CRYPTO,
};

static void __attribute__((format(printf, 2, 0)))
line_vappend(struct line *l, const char *fmt, va_list ap)
{
	size_t room = sizeof(l->buf) - 1 - l->len;
	int n;

	if (l->truncated)
		return;
	n = vsnprintf(l->buf + l->len, room + 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > room) {
		l->len += room;
		l->truncated = 1;
	} else
		l->len += n;
}

static void __attribute__((format(printf, 2, 3)))
line_append(struct line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_vappend(l, fmt, ap);
	va_end(ap);
}

/* Append the thread's OpenSSL errors, emptying the queue. */
static void
line_append_crypto(struct line *l)
{
	char tmp[DETAIL_MAX];
	const char *data;
	unsigned long e;
	int flags, first = 1;

	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		ERR_error_string_n(e, tmp, sizeof(tmp));
		line_append(l, "%s%s", first ? ": " : "; ", tmp);
		if ((flags & ERR_TXT_STRING) && data != NULL && *data != '\0')
			line_append(l, " (%s)", data);
		first = 0;
	}
}

/* Mark truncation and make the text one line (no control characters). */
static void
line_sanitize(struct line *l)
{
	size_t i, mark = sizeof(TRUNC_MARK) - 1;

	if (l->truncated && l->len >= mark)
		memcpy(l->buf + l->len - mark, TRUNC_MARK, mark);
	for (i = 0; i < l->len; i++) {
		unsigned char c = l->buf[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			l->buf[i] = '?';
	}
}

/* Make the line a single line of text and terminate it. */
static void
line_finish(struct line *l)
{
	line_sanitize(l);
	l->buf[l->len++] = '\n';
}

/*
 * Remember body as the calling thread's last message about obj.  An
 * object name too long to keep is not remembered at all, so that
 * log_last_message() never matches a different, truncated name.
 */
static void
last_record(const char *obj, const struct line *body)
{
	size_t olen = strlen(obj);

	if (olen >= sizeof(log_last.obj)) {
		log_last.set = 0;
		return;
	}
	memcpy(log_last.obj, obj, olen + 1);
	memcpy(log_last.msg, body->buf, body->len);
	log_last.msg[body->len] = '\0';
	log_last.set = 1;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return;		/* nowhere left to report it */
		}
		buf += n;
		len -= n;
	}
}

/* Whether a message at level about obj is kept for log_last_message(). */
static int
last_wanted(enum log_level level, const char *obj)
{
	return obj != NULL && level <= LOG_LEVEL_WARNING;
}

static void __attribute__((format(printf, 5, 0)))
log_emit(enum log_level level, const char *obj, enum detail detail,
    int errnum, const char *fmt, va_list ap)
{
	struct line body, l;
	char ebuf[DETAIL_MAX];
	int show = log_enabled(level), keep = last_wanted(level, obj);

	if (!show && !keep) {
		/* The queue must not leak into an unrelated later report. */
		if (detail == DETAIL_CRYPTO)
			ERR_clear_error();
		return;
	}
	/* The message proper: kept as is, and the tail of the line. */
	body.len = 0;
	body.truncated = 0;
	line_vappend(&body, fmt, ap);
	if (detail == DETAIL_ERRNO)
		line_append(&body, ": %s",
		    strerror_r(errnum, ebuf, sizeof(ebuf)));
	else if (detail == DETAIL_CRYPTO)
		line_append_crypto(&body);
	line_sanitize(&body);
	if (keep)
		last_record(obj, &body);
	if (!show)
		return;

	l.len = 0;
	l.truncated = 0;
	if (!log_cfg.use_syslog) {
		if (log_cfg.ident != NULL)
			line_append(&l, "%s: ", log_cfg.ident);
		line_append(&l, "%s: ", log_level_name(level));
	}
	if (obj != NULL)
		line_append(&l, "%s: ", obj);
	line_append(&l, "%.*s", (int)body.len, body.buf);
	l.truncated |= body.truncated;
	line_finish(&l);

	if (log_cfg.use_syslog)
		syslog(log_cfg.facility | level_prio[level], "%.*s",
		    (int)(l.len - 1), l.buf);
	else
		write_all(log_cfg.fd, l.buf, l.len);
}

/*
 * Install the process-wide configuration; see log.h.
 */
void
log_init(const struct log_config *cfg)
{
	log_close();
	if (cfg == NULL)
		return;
	log_cfg = *cfg;
	if ((unsigned)log_cfg.level >= NLEVELS)
		log_cfg.level = LOG_LEVEL_DEBUG;
	if (log_cfg.use_syslog) {
		openlog(log_cfg.ident, LOG_PID | LOG_NDELAY, log_cfg.facility);
		log_syslog_open = 1;
	}
}

/*
 * Close syslog and go back to the default configuration.
 */
void
log_close(void)
{
	if (log_syslog_open)
		closelog();
	log_syslog_open = 0;
	log_cfg.ident = NULL;
	log_cfg.level = LOG_LEVEL_NOTICE;
	log_cfg.use_syslog = 0;
	log_cfg.facility = LOG_USER;
	log_cfg.fd = STDERR_FILENO;
}

/*
 * Return non-zero if a message at level passes the filter.
 */
int
log_enabled(enum log_level level)
{
	return (unsigned)level < NLEVELS && level <= log_cfg.level;
}

/*
 * Return the static name of level.
 */
const char *
log_level_name(enum log_level level)
{
	if ((unsigned)level >= NLEVELS)
		return "unknown";
	return level_names[level];
}

/*
 * Parse a level name (case-insensitive); 0 on success, -1 if unknown.
 */
int
log_level_parse(const char *name, enum log_level *out)
{
	size_t i;

	for (i = 0; i < NLEVELS; i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Log one line; errno is preserved.
 */
void
log_vmsg(enum log_level level, const char *obj, const char *fmt, va_list ap)
{
	int saved = errno;

	log_emit(level, obj, DETAIL_NONE, 0, fmt, ap);
	errno = saved;
}

/*
 * Log one line; errno is preserved.
 */
void
log_msg(enum log_level level, const char *obj, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(level, obj, DETAIL_NONE, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*
 * Log one line with strerror(errno) appended; errno is preserved.
 */
void
log_msg_errno(enum log_level level, const char *obj, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(level, obj, DETAIL_ERRNO, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*
 * Log one line with the OpenSSL error queue appended (and emptied);
 * errno is preserved.
 */
void
log_msg_crypto(enum log_level level, const char *obj, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(level, obj, DETAIL_CRYPTO, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*
 * Forget the calling thread's last message; see log.h.
 */
void
log_last_reset(void)
{
	log_last.set = 0;
	log_last.obj[0] = '\0';
	log_last.msg[0] = '\0';
}

/*
 * The calling thread's last kept message if it was about obj (any object
 * when obj is NULL), else NULL; see log.h for how long it stays valid.
 */
const char *
log_last_message(const char *obj)
{
	if (!log_last.set)
		return NULL;
	if (obj != NULL && strcmp(obj, log_last.obj) != 0)
		return NULL;
	return log_last.msg;
}
