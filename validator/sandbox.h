/*
 * Confinement of a process by the Linux kernel: no new privileges,
 * Landlock (files; from ABI 4 also TCP, from ABI 6 abstract UNIX
 * sockets) and a seccomp-BPF filter.  reef(8), SANDBOX, tells the user.
 *
 * Two profiles:
 *
 * SANDBOX_PARSER, for the process that parses repository content (the
 * walk of reef validate, the discovery of reef fetch): it may read only
 * below the read-only and read-write paths, write only below the
 * read-write ones, execute nothing, and open no network connection.
 * The seccomp filter makes these fail with EPERM: socket() of any family
 * but AF_UNIX, connect, bind, listen, accept, accept4, sendto with an
 * address, sendmsg, sendmmsg (an unconnected socket could reach a local
 * daemon), execve, execveat, ptrace, process_vm_readv/writev,
 * pidfd_getfd (the fetcher's sockets), io_uring (its requests bypass the
 * filter), and kill, tgkill, tkill, rt_(tg)sigqueueinfo and
 * pidfd_send_signal to any process but the caller.  It returns an error
 * rather than killing the process so that a call a library makes
 * unexpectedly shows as a logged error and a failed run, not a silent
 * crash; the call is refused either way.  Syscalls of a foreign ABI
 * (x32, or i386 on x86_64) all fail.
 *
 * SANDBOX_FETCHER, for the fetcher process (network, rsync children):
 * Landlock only, on writes: it may create, change and remove files only
 * below the read-write paths; it reads and executes as before.
 *
 * The fallback: a kernel without Landlock (or with it disabled) leaves
 * the process with the seccomp filter and the privilege drop; one built
 * without seccomp filters leaves it with Landlock.  Neither is an error:
 * the result's note says what is missing, for the caller to log.  Only a
 * failure of something the kernel offers (a path that cannot be opened,
 * a rule refused) is an error.
 *
 * Everything applies to the calling thread and what it starts later:
 * call sandbox_apply() while the process has one thread (it checks).
 *
 * Builds with AddressSanitizer keep ptrace and reading /proc/self, which
 * LeakSanitizer needs at exit (it stops the threads with ptrace and
 * reads the memory map): without them every run would end in its fatal
 * error.  The fetcher stays out of reach: it is not dumpable and lives
 * in another Landlock domain.
 */
#ifndef REEF_VALIDATOR_SANDBOX_H
#define REEF_VALIDATOR_SANDBOX_H

#include <stddef.h>

/* Longest note on what could not be applied, with the NUL. */
#define SANDBOX_NOTE_MAX	256
/* Longest summary from sandbox_summary(), with the NUL. */
#define SANDBOX_SUMMARY_MAX	160
/* Most paths of each kind one call accepts. */
#define SANDBOX_MAX_PATHS	16
/* max_landlock_abi: behave as on a kernel without Landlock. */
#define SANDBOX_NO_LANDLOCK	(-1)

enum sandbox_profile {
	SANDBOX_PARSER = 1,
	SANDBOX_FETCHER,
};

struct sandbox_config {
	enum sandbox_profile	 profile;
	const char * const	*ro;	/* read-only paths (PARSER) */
	size_t			 nro;
	const char * const	*rw;	/* read-write paths, dirs or files */
	size_t			 nrw;
	/*
	 * Files are renamed between directories below rw (the fetcher's
	 * stage to generation): Landlock is then only used from ABI 2,
	 * ABI 1 forbidding such renames outright.
	 */
	int			 cross_dir_rename;
	/*
	 * Use no Landlock ABI above this (tests, debugging): 0, the newest
	 * the kernel offers; SANDBOX_NO_LANDLOCK, none, as on a kernel
	 * without it.
	 */
	int			 max_landlock_abi;
};

/* What sandbox_apply() put in force. */
struct sandbox_result {
	int	no_new_privs;		/* PR_SET_NO_NEW_PRIVS set */
	int	landlock_abi;		/* ABI used; 0: no Landlock */
	int	seccomp;		/* 1: the seccomp filter is in force */
	char	note[SANDBOX_NOTE_MAX];	/* what is missing and why; "" */
};

/*
 * The Landlock ABI version the running kernel offers, or 0 when it has
 * no Landlock or has it disabled (*why, if not NULL, then says which).
 */
int	 sandbox_landlock_abi(const char **why);

/*
 * Confine the calling process as cfg says and fill *res.  Returns 0
 * (also when a kernel feature is missing: see res->note), or -1 with a
 * one-line reason in err (errlen bytes) when confinement failed; the
 * process may then be partly confined and should stop.
 */
int	 sandbox_apply(const struct sandbox_config *cfg,
	    struct sandbox_result *res, char *err, size_t errlen);

/*
 * One line for the log on what res holds, e.g. "Landlock ABI 6, seccomp
 * filter, no new privileges", into buf (len bytes); returns buf.
 */
const char *sandbox_summary(const struct sandbox_result *res, char *buf,
	    size_t len);

#endif
