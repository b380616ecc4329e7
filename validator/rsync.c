/*
 * Running rsync(1) for one repository at a time, asynchronously, with a
 * fixed argument list and a wall-clock deadline; see rsync.h.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/http.h"
#include "validator/rsync.h"
#include "validator/uri.h"

#define MS_PER_S	1000
/* Status the child exits with when execve() fails, as a shell would. */
#define EXIT_EXEC_FAILED	127
/* Descriptors closed one by one where close_range(2) is missing. */
#define CLOSE_FALLBACK_MAX	4096
/* Room for "--max-size=" and friends with a number. */
#define OPT_MAX		64

/* RPKI object types fetched; everything else is excluded. */
static const char *const rsync_includes[] = {
	"--include=*/",
	"--include=*.cer",
	"--include=*.crl",
	"--include=*.mft",
	"--include=*.roa",
	"--include=*.asa",
	"--include=*.gbr",
	"--include=*.tak",
	"--include=*.sig",
	"--include=*.spl",
	"--exclude=*",
};
#define NINCLUDES	(sizeof(rsync_includes) / sizeof(rsync_includes[0]))

/* The rsync daemon's port (rsync URIs without a port; others are dubious). */
#define RSYNC_PORT	"873"
/* Addresses of a name looked at. */
#define RSYNC_MAX_ADDRS	16

/*
 * A name being resolved by a thread of its own, so a slow DNS server
 * holds up no one; shared by the job and the thread, freed by the last.
 */
struct resolve {
	pthread_mutex_t		 lock;
	int			 refs;
	int			 wfd;		/* the thread's end of the pipe */
	char			 host[URI_MAX_HOST_LENGTH + 1];
	int			 gai;		/* getaddrinfo() result */
	struct sockaddr_storage	 addrs[RSYNC_MAX_ADDRS];
	socklen_t		 lens[RSYNC_MAX_ADDRS];
	size_t			 naddrs;
};

/* Fixed options before the filters, and "--", source, dest, NULL. */
#define NFIXED		8
#define ARGV_MAX	(NFIXED + 1 + NINCLUDES + 4)

struct rsync_job {
	char			*uri;		/* canonical source URI */
	char			*source;	/* what rsync gets: host or address */
	char			*dest;		/* destination directory */
	char			*execmsg;
	unsigned int		 io_timeout, conn_timeout;
	int			 ignore_times;
	char			 program[MAX_PATH_LENGTH + 1];
	struct resolve		*res;		/* while the name resolves */
	int			 rfd;		/* its pipe, or -1 */
	size_t			 host_end;	/* in uri: after the host */
	pid_t			 pid;
	int			 fd;		/* child's stdout+stderr, or -1 */
	int			 reaped;
	int			 wstatus;
	int			 termed;	/* SIGTERM sent at the deadline */
	int			 killed;	/* SIGKILL sent after the grace */
	unsigned int		 deadline;	/* seconds, for messages */
	int64_t			 deadline_at;	/* monotonic ms */
	int64_t			 kill_at;	/* monotonic ms */
	enum rsync_status	 result;
	size_t			 nlines;	/* output lines seen */
	size_t			 linelen;
	char			 line[RSYNC_LINE_MAX];
	char			 first[RSYNC_LINE_MAX];	/* first line, kept */
	char			 message[RSYNC_MESSAGE_MAX];
};

/* Monotonic clock in milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / 1000000;
}

/* Is path an executable regular file? */
static int
is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

/* Look name up in $PATH into out (sz bytes); 0 or -1. */
static int
find_in_path(const char *name, char *out, size_t sz)
{
	const char *path = getenv("PATH"), *p, *end;
	int n;

	if (path == NULL || *path == '\0')
		path = RSYNC_CHILD_PATH;
	for (p = path; ; p = end + 1) {
		end = strchrnul(p, ':');
		/* An empty element means the current directory; skip it. */
		if (end > p) {
			n = snprintf(out, sz, "%.*s/%s", (int)(end - p), p,
			    name);
			if (n > 0 && (size_t)n < sz && is_executable(out))
				return 0;
		}
		if (*end == '\0')
			break;
	}
	return -1;
}

/*
 * Returns 0 with *cfg at its defaults and the program resolved, or -1.
 */
int
rsync_config_init(struct rsync_config *cfg, const char *program)
{
	int n;

	memset(cfg, 0, sizeof(*cfg));
	cfg->deadline = MAX_RSYNC_TIME;
	cfg->io_timeout = MAX_IO_TIMEOUT;
	cfg->conn_timeout = MAX_CONN_TIMEOUT;
	if (program == NULL)
		program = RSYNC_DEFAULT_PROGRAM;
	if (strchr(program, '/') == NULL) {
		if (find_in_path(program, cfg->program,
		    sizeof(cfg->program)) == -1) {
			log_errorx_obj(program, "not found in PATH");
			return -1;
		}
		return 0;
	}
	n = snprintf(cfg->program, sizeof(cfg->program), "%s", program);
	if (n < 0 || (size_t)n >= sizeof(cfg->program)) {
		log_errorx("rsync program path too long");
		return -1;
	}
	if (!is_executable(cfg->program)) {
		log_errorx_obj(program, "not an executable file");
		return -1;
	}
	return 0;
}

/*
 * Create the relative directory path rel below the existing directory
 * root, one component at a time and never following a symbolic link, so
 * a link planted anywhere cannot redirect the fetch out of the cache.
 */
static int
mkdir_below(const char *root, const char *rel)
{
	char comp[MAX_FILENAME_LENGTH + 1];
	const char *p, *end;
	int fd, nfd, rc = -1;
	size_t len;

	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	for (p = rel; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = strchrnul(p, '/');
		len = end - p;
		if (len == 0 || len >= sizeof(comp)) {
			errno = EINVAL;
			goto out;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (mkdirat(fd, comp, 0755) == -1 && errno != EEXIST)
			goto out;
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (nfd == -1)
			goto out;
		close(fd);
		fd = nfd;
	}
	rc = 0;
 out:
	close(fd);
	return rc;
}

/*
 * Work out the canonical source URI and the destination directory of a
 * fetch, creating the latter.  On success both are malloc'd into job;
 * *host receives the host when its addresses must be checked (a name,
 * dubious hosts not allowed), else "".
 */
static int
prepare_paths(const struct rsync_config *cfg, const char *uri,
    const char *stagedir, struct rsync_job *job,
    char host[URI_MAX_HOST_LENGTH + 1])
{
	struct uri *u;
	enum uri_error err;
	char *rel = NULL, *slash;
	int rc = -1;

	if ((u = malloc(sizeof(*u))) == NULL) {
		log_warn_obj(uri, "malloc");
		return -1;
	}
	err = uri_parse(uri, cfg->allow_dubious ? URI_ALLOW_DUBIOUS : 0, u);
	if (err == URI_OK && u->scheme != URI_SCHEME_RSYNC)
		err = URI_ERR_NOT_RSYNC;
	if (err == URI_OK)
		err = uri_cache_path_parsed(u, &rel);
	if (err != URI_OK) {
		log_warnx_obj(uri, "refused: %s", uri_strerror(err));
		goto out;
	}
	/* A file lands in the directory its URI names. */
	if (!u->dir && (slash = strrchr(rel, '/')) != NULL)
		*slash = '\0';
	if ((job->uri = uri_format(u)) == NULL)
		goto nomem;
	host[0] = '\0';
	if (cfg->check_addresses && !cfg->allow_dubious && !u->dubious) {
		/* uri_format(): "rsync://" HOST "/"...: no port, no brackets. */
		memcpy(host, u->host, strlen(u->host) + 1);
		job->host_end = strlen("rsync://") + strlen(u->host);
	}
	/*
	 * rsync reads "a:b" before any '/' as a remote host; a destination
	 * that starts with '/' or "./" is always local.
	 */
	if (asprintf(&job->dest, "%s%s/%s/", stagedir[0] == '/' ? "" : "./",
	    stagedir, rel) == -1) {
		job->dest = NULL;
		goto nomem;
	}
	if (strlen(job->dest) > MAX_PATH_LENGTH) {
		log_warnx_obj(uri, "destination path too long");
		goto out;
	}
	if (mkdir_below(stagedir, rel) == -1) {
		log_warn_obj(uri, "cannot create %s below %s", rel, stagedir);
		goto out;
	}
	rc = 0;
	goto out;
 nomem:
	log_warn_obj(uri, "malloc");
 out:
	free(rel);
	free(u);
	return rc;
}

/*
 * In the child, between fork and exec: only async-signal-safe calls.
 * Never returns.
 */
static void __attribute__((noreturn))
child_exec(int outfd, char *const argv[], char *const envp[],
    const char *execmsg)
{
	struct sigaction sa;
	struct rlimit rl;
	sigset_t all;
	const char *name;
	int nullfd, sig, fd;

	/* Own process group, so the deadline kill reaches rsync's helpers. */
	setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	umask(022);
	/* Belt and braces to --max-size: no file may grow past the limit. */
	rl.rlim_cur = rl.rlim_max = MAX_FILE_SIZE;
	setrlimit(RLIMIT_FSIZE, &rl);

	if ((nullfd = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(nullfd, STDIN_FILENO) == -1 ||
	    dup2(outfd, STDOUT_FILENO) == -1 ||
	    dup2(outfd, STDERR_FILENO) == -1)
		_exit(EXIT_EXEC_FAILED);
	/* Nothing else of ours may reach rsync. */
	if (close_range(STDERR_FILENO + 1, ~0U, 0) == -1) {
		for (fd = STDERR_FILENO + 1; fd < CLOSE_FALLBACK_MAX; fd++)
			close(fd);
	}
	execve(argv[0], argv, envp);
	name = strerrorname_np(errno);
	if (write(STDERR_FILENO, execmsg, strlen(execmsg)) > 0 &&
	    name != NULL)
		(void)!write(STDERR_FILENO, name, strlen(name));
	(void)!write(STDERR_FILENO, "\n", 1);
	_exit(EXIT_EXEC_FAILED);
}

/* Fill argv (ARGV_MAX slots) with the fixed command line; opts holds numbers. */
static void
build_argv(const struct rsync_job *job, char opts[3][OPT_MAX],
    const char *argv[ARGV_MAX])
{
	size_t i, n = 0;

	snprintf(opts[0], OPT_MAX, "--max-size=%d", MAX_FILE_SIZE);
	snprintf(opts[1], OPT_MAX, "--timeout=%u", job->io_timeout);
	snprintf(opts[2], OPT_MAX, "--contimeout=%u", job->conn_timeout);
	argv[n++] = job->program;
	argv[n++] = "-rt";
	argv[n++] = "--no-motd";
	argv[n++] = "--no-links";
	argv[n++] = opts[0];
	argv[n++] = opts[1];
	argv[n++] = opts[2];
	argv[n++] = "--delete";
	if (job->ignore_times)
		argv[n++] = "--ignore-times";
	for (i = 0; i < NINCLUDES; i++)
		argv[n++] = rsync_includes[i];
	argv[n++] = "--";
	argv[n++] = job->source != NULL ? job->source : job->uri;
	argv[n++] = job->dest;
	argv[n] = NULL;
}

/* Start the child for job (paths and source ready); 0 or -1 (logged). */
static int
spawn(struct rsync_job *job)
{
	static char *const envp[] = { "PATH=" RSYNC_CHILD_PATH, NULL };
	char opts[3][OPT_MAX];
	const char *argv[ARGV_MAX];
	int pfd[2] = { -1, -1 };

	build_argv(job, opts, argv);
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		log_warn_obj(job->uri, "pipe");
		return -1;
	}
	switch (job->pid = fork()) {
	case -1:
		log_warn_obj(job->uri, "fork");
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	case 0:
		child_exec(pfd[1], (char *const *)argv, envp, job->execmsg);
	default:
		break;
	}
	/* Also from here, so a kill at once cannot miss the new group. */
	setpgid(job->pid, job->pid);
	close(pfd[1]);
	job->fd = pfd[0];
	if (fcntl(job->fd, F_SETFL, O_NONBLOCK) == -1)
		log_warn_obj(job->uri, "fcntl");
	log_info_obj(job->uri, "rsync started (pid %d) from %s into %s",
	    (int)job->pid, job->source != NULL ? job->source : job->uri,
	    job->dest);
	return 0;
}

/* ---- Name resolution ------------------------------------------------------ */

static void
resolve_unref(struct resolve *r)
{
	int last;

	pthread_mutex_lock(&r->lock);
	last = --r->refs == 0;
	pthread_mutex_unlock(&r->lock);
	if (!last)
		return;
	if (r->wfd != -1)
		close(r->wfd);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static void *
resolver(void *arg)
{
	struct resolve *r = arg;
	struct addrinfo hints, *res = NULL, *ai;
	int gai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	gai = getaddrinfo(r->host, RSYNC_PORT, &hints, &res);
	pthread_mutex_lock(&r->lock);
	r->gai = gai;
	for (ai = res; gai == 0 && ai != NULL && r->naddrs < RSYNC_MAX_ADDRS;
	    ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(r->addrs[0]))
			continue;
		memcpy(&r->addrs[r->naddrs], ai->ai_addr, ai->ai_addrlen);
		r->lens[r->naddrs++] = ai->ai_addrlen;
	}
	pthread_mutex_unlock(&r->lock);
	if (res != NULL)
		freeaddrinfo(res);
	/* The job may be gone: no SIGPIPE for a closed end. */
	(void)send(r->wfd, "", 1, MSG_NOSIGNAL);
	resolve_unref(r);
	return NULL;
}

/* Resolve host in a detached thread; 0 or -1 (logged). */
static int
start_resolve(struct rsync_job *job, const char *host)
{
	struct resolve *r;
	pthread_attr_t attr;
	pthread_t tid;
	int sv[2], rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn_obj(job->uri, "socketpair");
		free(r);
		return -1;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->refs = 2;
	r->wfd = sv[1];
	memcpy(r->host, host, strlen(host) + 1);
	job->res = r;
	job->rfd = sv[0];
	if (fcntl(job->rfd, F_SETFL, O_NONBLOCK) == -1)
		log_warn_obj(job->uri, "fcntl");
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, resolver, r);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_warnx_obj(job->uri, "cannot start name resolution");
		r->refs = 1;		/* no thread holds it */
		return -1;
	}
	return 0;
}

/* End a job that never got a child, with result and message. */
static void __attribute__((format(printf, 3, 4)))
conclude_early(struct rsync_job *job, enum rsync_status result,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	job->reaped = 1;
	job->result = result;
	n = snprintf(job->message, sizeof(job->message), "%s: ", job->uri);
	if (n < 0 || (size_t)n >= sizeof(job->message))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(job->message + n, sizeof(job->message) - n, fmt, ap);
	va_end(ap);
	log_warnx("%s", job->message);
}

/*
 * The name resolved: pick its first address that is not refused
 * (http_addr_refused(): loopback is allowed) and give
 * rsync that literal address, so rsync connects exactly where was
 * checked and never resolves the name again (DNS rebinding).  Then start
 * the child.  Returns RSYNC_RUNNING, or the outcome when refused.
 */
static enum rsync_status
resolved(struct rsync_job *job)
{
	struct resolve *r = job->res;
	char addr[INET6_ADDRSTRLEN], bad[INET6_ADDRSTRLEN] = "";
	const char *why = NULL, *w;
	const void *a;
	size_t i;
	int chosen = -1, v6 = 0;

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->naddrs && chosen == -1; i++) {
		const struct sockaddr *sa = (const struct sockaddr *)
		    (const void *)&r->addrs[i];

		v6 = sa->sa_family == AF_INET6;
		a = v6 ? (const void *)&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr : (const void *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		if (inet_ntop(sa->sa_family, a, addr, sizeof(addr)) == NULL)
			continue;
		if ((w = http_addr_refused(sa, r->lens[i])) == NULL)
			chosen = (int)i;
		else if (why == NULL) {
			why = w;
			memcpy(bad, addr, sizeof(bad));
		}
	}
	pthread_mutex_unlock(&r->lock);
	if (r->gai != 0) {
		conclude_early(job, RSYNC_FAILED, "cannot resolve %s: %s",
		    r->host, gai_strerror(r->gai));
		return job->result;
	}
	if (chosen == -1) {
		conclude_early(job, RSYNC_FAILED, "%s resolves to %s, a %s "
		    "address (refused without --allow-dubious-hosts)",
		    r->host, bad[0] != '\0' ? bad : "nothing usable",
		    why != NULL ? why : "unusable");
		return job->result;
	}
	if (asprintf(&job->source, "rsync://%s%s%s%s", v6 ? "[" : "", addr,
	    v6 ? "]" : "", job->uri + job->host_end) == -1) {
		job->source = NULL;
		conclude_early(job, RSYNC_FAILED, "out of memory");
		return job->result;
	}
	if (spawn(job) == -1) {
		conclude_early(job, RSYNC_FAILED, "cannot start rsync");
		return job->result;
	}
	return RSYNC_RUNNING;
}

/* While the name resolves: RSYNC_RUNNING, or what came of it. */
static enum rsync_status
poll_resolve(struct rsync_job *job)
{
	enum rsync_status st;
	char c;
	ssize_t n;

	n = read(job->rfd, &c, 1);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		if (now_ms() < job->deadline_at)
			return RSYNC_RUNNING;
		st = RSYNC_TIMEOUT;
		conclude_early(job, st, "name resolution still running at the "
		    "deadline of %u s", job->deadline);
	} else
		st = resolved(job);
	close(job->rfd);
	job->rfd = -1;
	resolve_unref(job->res);
	job->res = NULL;
	return st;
}

/*
 * Returns 0 with a running job in *jobp, or -1 with *jobp NULL.
 */
int
rsync_start(const struct rsync_config *cfg, const char *uri,
    const char *stagedir, struct rsync_job **jobp)
{
	char host[URI_MAX_HOST_LENGTH + 1];
	struct rsync_job *job;

	*jobp = NULL;
	if ((job = calloc(1, sizeof(*job))) == NULL) {
		log_warn_obj(uri, "calloc");
		return -1;
	}
	job->fd = -1;
	job->rfd = -1;
	job->pid = -1;
	if (prepare_paths(cfg, uri, stagedir, job, host) == -1)
		goto fail;
	memcpy(job->program, cfg->program, sizeof(job->program));
	job->io_timeout = cfg->io_timeout;
	job->conn_timeout = cfg->conn_timeout;
	job->ignore_times = cfg->ignore_times;
	if (asprintf(&job->execmsg, "cannot execute %s: ", cfg->program) ==
	    -1) {
		job->execmsg = NULL;
		log_warn_obj(uri, "malloc");
		goto fail;
	}
	job->deadline = cfg->deadline;
	job->deadline_at = now_ms() + (int64_t)cfg->deadline * MS_PER_S;
	if (host[0] != '\0') {
		if (start_resolve(job, host) == -1)
			goto fail;
	} else if (spawn(job) == -1)
		goto fail;
	*jobp = job;
	return 0;
 fail:
	rsync_free(job);
	return -1;
}

/* One complete line of rsync output. */
static void
output_line(struct rsync_job *job)
{
	job->line[job->linelen] = '\0';
	job->linelen = 0;
	if (job->line[0] == '\0')
		return;
	if (job->nlines == 0)
		memcpy(job->first, job->line, sizeof(job->first));
	if (job->nlines < RSYNC_MAX_LOG_LINES)
		log_info_obj(job->uri, "rsync: %s", job->line);
	else if (job->nlines == RSYNC_MAX_LOG_LINES)
		log_info_obj(job->uri, "rsync: further output not shown");
	job->nlines++;
}

/* Read whatever output is ready; at EOF or error close the pipe. */
static void
drain(struct rsync_job *job)
{
	char buf[RSYNC_LINE_MAX];
	ssize_t n, i;

	while (job->fd != -1) {
		n = read(job->fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (n == -1)
				log_warn_obj(job->uri, "read rsync output");
			close(job->fd);
			job->fd = -1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				output_line(job);
				continue;
			}
			/* Cut overlong lines: keep the start, drop the rest. */
			if (job->linelen < sizeof(job->line) - 1)
				job->line[job->linelen++] = buf[i];
		}
	}
	if (job->linelen > 0)
		output_line(job);
}

/* Signal the child's whole process group while the child is unreaped. */
static void
signal_group(struct rsync_job *job, int sig)
{
	if (kill(-job->pid, sig) == -1 && errno != ESRCH)
		log_warn_obj(job->uri, "kill");
}

/* Enforce the deadline: SIGTERM at it, SIGKILL RSYNC_KILL_GRACE later. */
static void
enforce_deadline(struct rsync_job *job, int64_t now)
{
	if (!job->termed && now >= job->deadline_at) {
		log_info_obj(job->uri, "rsync deadline of %u s passed, "
		    "stopping pid %d", job->deadline, (int)job->pid);
		signal_group(job, SIGTERM);
		job->termed = 1;
		job->kill_at = now + (int64_t)RSYNC_KILL_GRACE * MS_PER_S;
	} else if (job->termed && !job->killed && now >= job->kill_at) {
		signal_group(job, SIGKILL);
		job->killed = 1;
	}
}

/* Short English text for rsync's exit codes (rsync(1), EXIT VALUES). */
static const char *
exit_text(int code)
{
	switch (code) {
	case 1:		return "syntax or usage error";
	case 2:		return "protocol incompatibility";
	case 3:		return "error selecting input/output files";
	case 4:		return "action not supported";
	case 5:		return "error starting client-server protocol";
	case 10:	return "error in socket I/O";
	case 11:	return "error in file I/O";
	case 12:	return "error in rsync protocol data stream";
	case 14:	return "error in IPC code";
	case 20:	return "interrupted";
	case 22:	return "out of memory";
	case 23:	return "partial transfer due to error";
	case 24:	return "partial transfer, source files vanished";
	case 30:	return "timeout in data send/receive";
	case 35:	return "timeout waiting for daemon connection";
	case EXIT_EXEC_FAILED:	return "could not run rsync";
	default:	return "unknown error";
	}
}

/* Set result and message from the wait status, and log the outcome. */
static void
conclude(struct rsync_job *job)
{
	const char *sep = job->first[0] != '\0' ? ": " : "";
	int st = job->wstatus;

	if (job->termed) {
		job->result = RSYNC_TIMEOUT;
		snprintf(job->message, sizeof(job->message),
		    "%s: rsync killed after the deadline of %u s%s%s",
		    job->uri, job->deadline, sep, job->first);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		job->result = RSYNC_OK;
		snprintf(job->message, sizeof(job->message),
		    "%s: rsync finished", job->uri);
	} else if (WIFEXITED(st)) {
		job->result = RSYNC_FAILED;
		snprintf(job->message, sizeof(job->message),
		    "%s: rsync exited with status %d (%s)%s%s", job->uri,
		    WEXITSTATUS(st), exit_text(WEXITSTATUS(st)), sep,
		    job->first);
	} else {
		job->result = RSYNC_FAILED;
		snprintf(job->message, sizeof(job->message),
		    "%s: rsync killed by signal %d (%s)%s%s", job->uri,
		    WIFSIGNALED(st) ? WTERMSIG(st) : 0,
		    WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "?", sep,
		    job->first);
	}
	if (job->result == RSYNC_OK)
		log_info("%s", job->message);
	else
		log_warnx("%s", job->message);
}

/*
 * Returns RSYNC_RUNNING, or the outcome once the child has been reaped.
 */
enum rsync_status
rsync_poll(struct rsync_job *job)
{
	pid_t r;

	if (job->reaped)
		return job->result;
	if (job->res != NULL)
		return poll_resolve(job);
	drain(job);
	r = waitpid(job->pid, &job->wstatus, WNOHANG);
	if (r == -1 && errno != EINTR) {
		/* Someone else reaped it; we cannot know how it ended. */
		log_warn_obj(job->uri, "waitpid");
		job->wstatus = EXIT_EXEC_FAILED << 8;
		r = job->pid;
	}
	if (r != job->pid) {
		enforce_deadline(job, now_ms());
		return RSYNC_RUNNING;
	}
	job->reaped = 1;
	/*
	 * The group id cannot be reused while any member lives, so this
	 * reaches only rsync's own leftover helpers, if any.
	 */
	if (kill(-job->pid, SIGKILL) == -1 && errno != ESRCH)
		log_warn_obj(job->uri, "kill");
	drain(job);
	if (job->fd != -1) {
		close(job->fd);
		job->fd = -1;
	}
	conclude(job);
	return job->result;
}

/*
 * Returns the outcome of the job, blocking until it has one.
 */
enum rsync_status
rsync_wait(struct rsync_job *job)
{
	struct pollfd pfd;
	enum rsync_status st;

	while ((st = rsync_poll(job)) == RSYNC_RUNNING) {
		pfd.fd = rsync_fd(job);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, pfd.fd != -1 ? 1 : 0,
		    rsync_timeout_ms(job)) == -1 && errno != EINTR) {
			log_warn_obj(job->uri, "poll");
			/* Do not spin; the deadline still applies. */
			usleep(RSYNC_REAP_TICK_MS * 1000);
		}
	}
	return st;
}

/*
 * Returns the output descriptor, or -1 once it is closed.
 */
int
rsync_fd(const struct rsync_job *job)
{
	return job->res != NULL ? job->rfd : job->fd;
}

/*
 * Returns the milliseconds until rsync_poll() must run again, or -1.
 */
int
rsync_timeout_ms(const struct rsync_job *job)
{
	int64_t left;

	if (job->reaped)
		return -1;
	if (job->res != NULL)
		left = job->deadline_at - now_ms();
	else if (job->killed)
		left = RSYNC_REAP_TICK_MS;
	else
		left = (job->termed ? job->kill_at : job->deadline_at) -
		    now_ms();
	if (job->res == NULL && job->fd == -1 && left > RSYNC_REAP_TICK_MS)
		left = RSYNC_REAP_TICK_MS;
	if (left < 0)
		left = 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* Returns the child's pid. */
pid_t
rsync_pid(const struct rsync_job *job)
{
	return job->pid;
}

/* Returns the canonical source URI, owned by the job. */
const char *
rsync_uri(const struct rsync_job *job)
{
	return job->uri;
}

/* Returns the destination directory, owned by the job. */
const char *
rsync_dest(const struct rsync_job *job)
{
	return job->dest;
}

/* Returns the outcome message, owned by the job ("" while running). */
const char *
rsync_message(const struct rsync_job *job)
{
	return job->message;
}

/*
 * Kill and reap a running child, close everything, free the job.
 */
void
rsync_free(struct rsync_job *job)
{
	if (job == NULL)
		return;
	if (job->pid > 0 && !job->reaped) {
		signal_group(job, SIGKILL);
		while (waitpid(job->pid, NULL, 0) == -1 && errno == EINTR)
			;
		/* Helpers left in the group die too. */
		kill(-job->pid, SIGKILL);
	}
	if (job->fd != -1)
		close(job->fd);
	if (job->rfd != -1)
		close(job->rfd);
	if (job->res != NULL)
		resolve_unref(job->res);
	free(job->uri);
	free(job->source);
	free(job->dest);
	free(job->execmsg);
	free(job);
}
