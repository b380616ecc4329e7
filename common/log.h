/*
 * Logging: one line per event, to a file descriptor (normally stderr) or
 * to syslog(3), filtered by a minimum level.
 *
 * The configuration is process-wide: main() calls log_init() once, before
 * it starts any thread, and never changes it afterwards; the logging calls
 * only read it, so they are thread-safe.  Each line is emitted with a single
 * write(2) (or a single syslog(3) call), so lines from different threads
 * never interleave as long as a line fits in PIPE_BUF when the descriptor
 * is a pipe.
 *
 * Line format on a descriptor:
 *	IDENT: LEVEL: OBJ: MESSAGE[: DETAIL]
 * where "IDENT: " is left out when no ident is set and "OBJ: " when the
 * message concerns no particular file or URI.  DETAIL is strerror(errno)
 * for the _errno forms and the drained OpenSSL error queue for the _crypto
 * forms.  syslog lines carry no ident or level (syslog has its own).
 * Control characters in the line (e.g. from a hostile URI) are replaced
 * with '?', so one event is always exactly one line.  Lines longer than
 * MAX_LOG_LINE are truncated and end in "...".
 */
#ifndef REEF_LOG_H
#define REEF_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

struct log_config {
	const char	*ident;		/* program name, or NULL; not copied */
	enum log_level	 level;		/* least severe level still shown */
	int		 use_syslog;	/* non-zero: syslog(3), else fd */
	int		 facility;	/* syslog facility, e.g. LOG_DAEMON */
	int		 fd;		/* destination when !use_syslog */
};

/*
 * Install cfg as the process-wide configuration (copied; cfg->ident must
 * stay valid).  NULL restores the default: no ident, level NOTICE, stderr.
 * Opens the syslog connection when cfg->use_syslog is set.  Not thread-safe:
 * call before starting threads.
 */
void		 log_init(const struct log_config *cfg);

/* Close the syslog connection, if any, and restore the default configuration. */
void		 log_close(void);

/* Return non-zero when messages of this level would be emitted. */
int		 log_enabled(enum log_level level);

/* Return the lowercase name of level ("error", "warning", ...), "unknown" if out of range. */
const char	*log_level_name(enum log_level level);

/* Parse a level name as log_level_name() prints it; return 0 and set *out, or -1. */
int		 log_level_parse(const char *name, enum log_level *out);

/*
 * Emit one line at level about obj (a file name or URI; NULL for none).
 * log_vmsg() takes the arguments as a va_list.  All of these preserve errno.
 */
void		 log_msg(enum log_level level, const char *obj, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		 log_vmsg(enum log_level level, const char *obj, const char *fmt,
		    va_list ap) __attribute__((format(printf, 3, 0)));

/* As log_msg(), appending ": " and strerror() of errno as it was on entry. */
void		 log_msg_errno(enum log_level level, const char *obj,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * As log_msg(), appending ": " and every entry of the calling thread's
 * OpenSSL error queue (separated by "; "), which is left empty.  Nothing is
 * appended when the queue was already empty.
 */
void		 log_msg_crypto(enum log_level level, const char *obj,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Shorthands.  The _obj forms name the file or URI concerned; log_error
 * and log_warn* (the forms without x) append strerror(errno), as warn(3)
 * does; _crypto appends the OpenSSL errors.
 */
#define log_errorx(...)		log_msg(LOG_LEVEL_ERROR, NULL, __VA_ARGS__)
#define log_error(...)		log_msg_errno(LOG_LEVEL_ERROR, NULL, __VA_ARGS__)
#define log_warnx(...)		log_msg(LOG_LEVEL_WARNING, NULL, __VA_ARGS__)
#define log_warn(...)		log_msg_errno(LOG_LEVEL_WARNING, NULL, __VA_ARGS__)
#define log_notice(...)		log_msg(LOG_LEVEL_NOTICE, NULL, __VA_ARGS__)
#define log_info(...)		log_msg(LOG_LEVEL_INFO, NULL, __VA_ARGS__)
#define log_debug(...)		log_msg(LOG_LEVEL_DEBUG, NULL, __VA_ARGS__)
#define log_errorx_obj(o, ...)	log_msg(LOG_LEVEL_ERROR, (o), __VA_ARGS__)
#define log_warnx_obj(o, ...)	log_msg(LOG_LEVEL_WARNING, (o), __VA_ARGS__)
#define log_warn_obj(o, ...)	log_msg_errno(LOG_LEVEL_WARNING, (o), __VA_ARGS__)
#define log_info_obj(o, ...)	log_msg(LOG_LEVEL_INFO, (o), __VA_ARGS__)
#define log_debug_obj(o, ...)	log_msg(LOG_LEVEL_DEBUG, (o), __VA_ARGS__)
#define log_warnx_crypto(o, ...) log_msg_crypto(LOG_LEVEL_WARNING, (o), __VA_ARGS__)

/*
 * The last message about an object, so a caller can report why a parser
 * rejected it without every parser handing its reason back.  Each thread
 * keeps its own: the last warning or error it logged that named an
 * object (obj != NULL), whether or not the level filter showed it.  The
 * text is MESSAGE[: DETAIL] of the line format above (no ident, level or
 * object; control characters replaced, long text truncated with "...").
 * Messages without an object leave it alone.  The state is thread-local
 * only: nothing one thread logs is ever seen by another.
 *
 * Use: log_last_reset(); x = parse(uri, ...); if x == NULL, then
 * log_last_message(uri) is the parser's reason, or NULL if it logged none.
 */

/* Forget the calling thread's last message. */
void		 log_last_reset(void);

/*
 * Return the calling thread's last message if it was about obj (compared
 * with strcmp; NULL matches any object), else NULL.  The string belongs
 * to the logger and stays valid until this thread logs again or calls
 * log_last_reset(); copy it to keep it.
 */
const char	*log_last_message(const char *obj);

#endif
