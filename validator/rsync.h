/*
 * Fetching a repository with the rsync(1) program.
 *
 * rsync_start() checks the URI (validator/uri.h), computes the destination
 * from it below a staging directory (the cache path layout of uri.h), and
 * starts rsync with fork/execve and a fixed argument list:
 *
 *	rsync -rt --no-motd --no-links --max-size=MAX_FILE_SIZE
 *	    --timeout=IO --contimeout=CONN --delete [--ignore-times]
 *	    --include=*\/ --include=*.cer ... --include=*.spl --exclude=*
 *	    -- SOURCE DEST
 *
 * that is: recursive, keep modification times, no symbolic links (nor
 * devices or specials, which -rt leaves out), no file larger than
 * MAX_FILE_SIZE, only RPKI file types, files that vanished upstream
 * deleted.  No shell, no -e, nothing from the caller besides the URI.
 * The child gets a clean environment (PATH only, so none of rsync's
 * RSYNC_* variables or ~/.popt), only stdin (/dev/null) and a pipe on
 * stdout and stderr (every other descriptor is closed), its own process
 * group, default signal handling, a umask of 022 and a file size limit
 * (RLIMIT_FSIZE) of MAX_FILE_SIZE.
 *
 * The run is driven by the caller's event loop: wait for rsync_fd() to be
 * readable or rsync_timeout_ms() to pass (or SIGCHLD), then call
 * rsync_poll() until it returns something other than RSYNC_RUNNING.  rsync's
 * own --timeout only catches a silent server; a server that drips a byte
 * now and then is stopped by the wall-clock deadline, after which the
 * process group gets SIGTERM and, RSYNC_KILL_GRACE seconds later, SIGKILL.
 * Each line rsync prints is logged at info level with the URI; the outcome
 * is logged once (a warning on failure) as rsync_message() gives it.
 *
 * Addresses.  With check_addresses set and allow_dubious not, a URI whose
 * host is a name is resolved first, in a thread of its own (the job's descriptor tells when
 * it is done, and the deadline covers it), and rsync is given the first
 * address that is not refused (http_addr_refused(), validator/http.h) as
 * a literal in place of the name: rsync connects exactly where was
 * checked and never resolves the name itself, so DNS rebinding cannot
 * aim it elsewhere; a name with only dubious addresses fails the job.
 * Limits: rsync gets that one address (no fallback to the name's other
 * addresses), and the daemon sees an address rather than the name (rsync
 * daemons do no name-based virtual hosting).  The child's environment
 * carries no RSYNC_PROXY.
 */
#ifndef REEF_RSYNC_H
#define REEF_RSYNC_H

#include <sys/types.h>

#include "common/limits.h"

/* Seconds between SIGTERM and SIGKILL once the deadline has passed. */
#define RSYNC_KILL_GRACE	2
/* Lines of rsync output logged per run; further lines are only counted. */
#define RSYNC_MAX_LOG_LINES	32
/* Longest line of rsync output kept, with the NUL; longer lines are cut. */
#define RSYNC_LINE_MAX		512
/* Longest result message, with the NUL. */
#define RSYNC_MESSAGE_MAX	(MAX_URI_LENGTH + 2 * RSYNC_LINE_MAX)
/* How often a child whose output is closed is checked for exit, in ms. */
#define RSYNC_REAP_TICK_MS	100
/* The PATH the child runs with. */
#define RSYNC_CHILD_PATH	"/usr/local/bin:/usr/bin:/bin"
/* Program looked up in PATH when none is configured. */
#define RSYNC_DEFAULT_PROGRAM	"rsync"

struct rsync_config {
	/* Absolute (or explicitly relative) path of the rsync program. */
	char		 program[MAX_PATH_LENGTH + 1];
	unsigned int	 deadline;	/* wall-clock seconds per run */
	unsigned int	 io_timeout;	/* rsync --timeout */
	unsigned int	 conn_timeout;	/* rsync --contimeout */
	/* Accept IP literals, localhost and ports in URIs (labs, tests). */
	int		 allow_dubious;
	/* Resolve names first and refuse dubious addresses (see above). */
	int		 check_addresses;
	/*
	 * Add --ignore-times: the destination holds files whose times are
	 * not the server's (written from RRDP), so equal size and time must
	 * not make rsync skip a file.
	 */
	int		 ignore_times;
};

enum rsync_status {
	RSYNC_RUNNING = 0,
	RSYNC_OK,		/* exit status 0 */
	RSYNC_FAILED,		/* non-zero exit, signal, or exec failure */
	RSYNC_TIMEOUT,		/* killed at the deadline */
};

struct rsync_job;

/*
 * Fill *cfg with the defaults (deadline MAX_RSYNC_TIME, --timeout
 * MAX_IO_TIMEOUT, --contimeout MAX_CONN_TIMEOUT, dubious hosts refused,
 * addresses not checked: the fetcher turns that on)
 * and resolve program (NULL: RSYNC_DEFAULT_PROGRAM): a name without '/' is
 * looked up in $PATH now, once, since the child gets a fixed PATH.
 * Returns 0, or -1 (logged) when no executable is found.
 */
int		 rsync_config_init(struct rsync_config *cfg,
		    const char *program);

/*
 * Start fetching the rsync URI uri into stagedir, an existing directory.
 * A directory URI (ending in '/', or a bare module) is mirrored into
 * stagedir/RELPATH, a file URI is fetched into the directory of
 * stagedir/RELPATH, where RELPATH is uri_to_cache_path(uri); missing
 * directories are created (never through a symbolic link).  Returns 0 and
 * a job in *job, which the caller passes to rsync_free(), or -1 (logged,
 * naming the URI) when the URI is refused or rsync cannot be started; then
 * *job is NULL and no process runs.
 */
int		 rsync_start(const struct rsync_config *cfg, const char *uri,
		    const char *stagedir, struct rsync_job **job);

/*
 * Advance the job without blocking: log pending output, enforce the
 * deadline, reap the child.  Returns RSYNC_RUNNING until the child has been
 * reaped, then its outcome (the same on every later call).
 */
enum rsync_status rsync_poll(struct rsync_job *job);

/* Block until the job ends (calling rsync_poll()); returns its outcome. */
enum rsync_status rsync_wait(struct rsync_job *job);

/*
 * Descriptor to wait on for readability while the job runs (the child's
 * output), or -1 once it is closed.  Owned by the job.
 */
int		 rsync_fd(const struct rsync_job *job);

/*
 * Milliseconds until rsync_poll() has something to do without any input
 * (the deadline or the SIGKILL after it, or a reap check), for poll(2); -1
 * once the job has ended.
 */
int		 rsync_timeout_ms(const struct rsync_job *job);

/* Process id of the child (its process group id too). */
pid_t		 rsync_pid(const struct rsync_job *job);

/* The canonical source URI and the destination directory; owned by the job. */
const char	*rsync_uri(const struct rsync_job *job);
const char	*rsync_dest(const struct rsync_job *job);

/*
 * After the job has ended, one line naming the URI and the outcome, e.g.
 * "rsync://h/m/: rsync exited with status 5 (error starting client-server
 * protocol): @ERROR: Unknown module 'm'"; "" while it runs.  Owned by the
 * job.
 */
const char	*rsync_message(const struct rsync_job *job);

/*
 * Free the job.  A child still running is killed (SIGKILL to its process
 * group) and reaped first.  NULL is accepted.
 */
void		 rsync_free(struct rsync_job *job);

#endif
