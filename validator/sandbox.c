/*
 * Confinement with no_new_privs, Landlock and seccomp-BPF (sandbox.h).
 *
 * Landlock is driven by raw syscalls (glibc has no wrappers) and by our
 * own copy of the ruleset attribute, so that one binary built against
 * old headers uses whatever ABI the running kernel offers:
 *	ABI 1	filesystem rights (Linux 5.13)
 *	ABI 2	REFER: renames and links across directories (5.19)
 *	ABI 3	TRUNCATE (6.2)
 *	ABI 4	TCP bind and connect (6.7)
 *	ABI 5	IOCTL_DEV (6.10)
 *	ABI 6	scopes: abstract UNIX sockets (and signals, unused) (6.12)
 * A right the kernel does not know is left out of the handled set, which
 * leaves it unrestricted; see Documentation/userspace-api/landlock.rst.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "validator/sandbox.h"

/* Rights newer than the oldest headers we build with. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER		(1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE		(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV		(1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP		(1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP		(1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET	(1ULL << 0)
#endif

/* ABI versions that brought what we use. */
#define LL_ABI_REFER		2
#define LL_ABI_TRUNCATE		3
#define LL_ABI_NET		4
#define LL_ABI_IOCTL_DEV	5
#define LL_ABI_SCOPE		6

/* The ABI 1 filesystem rights: bits 0 to 12. */
#define LL_FS_ABI1	((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)
/* Rights that make sense on a file (not a directory) rule. */
#define LL_FS_FILE	(LANDLOCK_ACCESS_FS_EXECUTE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define LL_FS_READ	(LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_READ_DIR)
/* Writing: what the cache, the store and the outputs need, no more. */
#define LL_FS_WRITE	(LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER | \
	LANDLOCK_ACCESS_FS_TRUNCATE)
/* Every way of changing the filesystem (the fetcher's handled set). */
#define LL_FS_ALL_WRITES	(LL_FS_WRITE | \
	LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_SOCK | \
	LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK)

/*
 * struct landlock_ruleset_attr as of ABI 6.  The kernel takes a shorter
 * size from older callers: we pass what the running ABI knows.
 */
struct ll_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;
	uint64_t	scoped;
};
#define LL_ATTR_SIZE_FS		(sizeof(uint64_t))
#define LL_ATTR_SIZE_NET	(2 * sizeof(uint64_t))
#define LL_ATTR_SIZE_SCOPE	(3 * sizeof(uint64_t))

/* LeakSanitizer's needs: see sandbox.h. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_LEAK__)
#define SANDBOX_SANITIZER	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define SANDBOX_SANITIZER	1
#endif
#endif
#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER	0
#endif

/* The audit architecture of the native syscall ABI, when we know it. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define SB_AUDIT_ARCH	AUDIT_ARCH_X86_64
#define SB_X32_BIT	0x40000000U	/* __X32_SYSCALL_BIT */
#elif defined(__aarch64__)
#define SB_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define SB_AUDIT_ARCH	AUDIT_ARCH_I386
#elif defined(__riscv) && __riscv_xlen == 64
#define SB_AUDIT_ARCH	AUDIT_ARCH_RISCV64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SB_AUDIT_ARCH	AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define SB_AUDIT_ARCH	AUDIT_ARCH_S390X
#endif

/* Offsets of the low and high 32 bits of syscall argument i. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SB_ARG_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#define SB_ARG_HI(i)	(offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#else
#define SB_ARG_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#define SB_ARG_HI(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#endif

#define SB_RET_ERRNO	(SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

/* Syscalls the parser never makes; each fails with EPERM. */
static const int sb_denied[] = {
	SYS_connect, SYS_bind, SYS_listen, SYS_accept4, SYS_sendmsg,
#ifdef SYS_accept
	SYS_accept,
#endif
#ifdef SYS_sendmmsg
	SYS_sendmmsg,
#endif
#ifdef SYS_socketcall
	SYS_socketcall,	/* i386: one entry for every socket call */
#endif
	SYS_execve,
#ifdef SYS_execveat
	SYS_execveat,
#endif
#if !SANDBOX_SANITIZER
	SYS_ptrace,
#endif
	SYS_process_vm_readv, SYS_process_vm_writev,
#ifdef SYS_pidfd_getfd
	SYS_pidfd_getfd,
#endif
#ifdef SYS_io_uring_setup
	SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register,
#endif
	SYS_tkill,
#ifdef SYS_pidfd_send_signal
	SYS_pidfd_send_signal,
#endif
};

/*
 * Signals go to the process itself only (raise(), abort(),
 * pthread_kill()): a parser could otherwise stop other processes of
 * its user, reef-rtrd among them.  Landlock's signal scope would do the
 * same but also block the kernel's parent-death signal to the fetcher.
 */
static const int sb_self_only[] = {
	SYS_kill, SYS_tgkill, SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo,
};

/* Add "what: why" to the notes of res. */
static void
note(struct sandbox_result *res, const char *what, const char *why)
{
	size_t len = strlen(res->note);

	snprintf(res->note + len, sizeof(res->note) - len, "%s%s: %s",
	    len > 0 ? "; " : "", what, why);
}

int
sandbox_landlock_abi(const char **why)
{
	long abi;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi >= 1)
		return (int)abi;
	if (why != NULL)
		*why = errno == EOPNOTSUPP ? "disabled at boot (lsm=)" :
		    errno == ENOSYS ? "not built into the kernel" :
		    strerror(errno);
	return 0;
}

/* The filesystem rights an ABI knows. */
static uint64_t
ll_fs_known(int abi)
{
	uint64_t r = LL_FS_ABI1;

	if (abi >= LL_ABI_REFER)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= LL_ABI_TRUNCATE)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= LL_ABI_IOCTL_DEV)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

/* The ruleset attribute of cfg's profile on abi; its size in *size. */
static void
ll_attr(const struct sandbox_config *cfg, int abi,
    struct ll_ruleset_attr *a, size_t *size)
{
	memset(a, 0, sizeof(*a));
	*size = LL_ATTR_SIZE_FS;
	if (cfg->profile == SANDBOX_FETCHER) {
		a->handled_access_fs = LL_FS_ALL_WRITES & ll_fs_known(abi);
		return;
	}
	a->handled_access_fs = ll_fs_known(abi);
	if (abi >= LL_ABI_NET) {
		/* Handled with no rule: no TCP bind or connect at all. */
		a->handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP |
		    LANDLOCK_ACCESS_NET_CONNECT_TCP;
		*size = LL_ATTR_SIZE_NET;
	}
	if (abi >= LL_ABI_SCOPE) {
		/* Not LANDLOCK_SCOPE_SIGNAL: see sb_self_only. */
		a->scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
		*size = LL_ATTR_SIZE_SCOPE;
	}
}

/* Allow access (narrowed to what path's type takes) below path. */
static int
ll_allow(int rfd, const char *path, uint64_t access, uint64_t handled,
    char *err, size_t errlen)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd, rc = -1;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode))
		access &= LL_FS_FILE;
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = access & handled;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) == -1) {
		snprintf(err, errlen, "%s: Landlock rule: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
 out:
	close(fd);
	return rc;
}

/* Build the ruleset of cfg for abi and enforce it.  0 or -1. */
static int
ll_apply(const struct sandbox_config *cfg, int abi, char *err, size_t errlen)
{
	struct ll_ruleset_attr a;
	size_t i, size;
	int rfd, rc = -1;

	ll_attr(cfg, abi, &a, &size);
	rfd = (int)syscall(SYS_landlock_create_ruleset, &a, size, 0);
	if (rfd == -1) {
		snprintf(err, errlen, "Landlock ruleset: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < cfg->nro; i++)
		if (ll_allow(rfd, cfg->ro[i], LL_FS_READ, a.handled_access_fs,
		    err, errlen) == -1)
			goto out;
	for (i = 0; i < cfg->nrw; i++)
		if (ll_allow(rfd, cfg->rw[i], LL_FS_READ | LL_FS_WRITE,
		    a.handled_access_fs, err, errlen) == -1)
			goto out;
	if (SANDBOX_SANITIZER && cfg->profile == SANDBOX_PARSER &&
	    ll_allow(rfd, "/proc/self", LL_FS_READ, a.handled_access_fs,
	    err, errlen) == -1)
		goto out;
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1) {
		snprintf(err, errlen, "Landlock: %s", strerror(errno));
		goto out;
	}
	rc = 0;
 out:
	close(rfd);
	return rc;
}

#ifdef SB_AUDIT_ARCH
/* Room for the filter: the head, the calls listed, the tail. */
#define SB_FILTER_MAX	(SB_FILTER_FIXED + \
	2 * sizeof(sb_denied) / sizeof(sb_denied[0]) + \
	5 * sizeof(sb_self_only) / sizeof(sb_self_only[0]))
/* Instructions besides the denied calls': 6 + 5 + 7 + 1. */
#define SB_FILTER_FIXED	19

/*
 * The parser's filter: foreign ABIs refused, then the denied calls,
 * then by argument the signals (to self only), socket() (AF_UNIX only)
 * and sendto() (no address).  Returns the number of instructions.
 */
static unsigned short
sb_filter(struct sock_filter *f, pid_t self)
{
	unsigned short n = 0;
	size_t i;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    SB_AUDIT_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SB_RET_ERRNO);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
#ifdef SB_X32_BIT
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
	    SB_X32_BIT, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SB_RET_ERRNO);
#endif
	for (i = 0; i < sizeof(sb_denied) / sizeof(sb_denied[0]); i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, (unsigned int)sb_denied[i], 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		    SB_RET_ERRNO);
	}
	for (i = 0; i < sizeof(sb_self_only) / sizeof(sb_self_only[0]); i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, (unsigned int)sb_self_only[i], 0, 4);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    SB_ARG_LO(0));
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, (unsigned int)self, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		    SECCOMP_RET_ALLOW);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		    SB_RET_ERRNO);
	}
	/* socket(domain, ...): AF_UNIX only (the kernel reads an int). */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    SYS_socket, 0, 4);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    SB_ARG_LO(0));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    AF_UNIX, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SB_RET_ERRNO);
	/* sendto(fd, buf, len, flags, addr, addrlen): addr must be NULL. */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    SYS_sendto, 0, 6);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    SB_ARG_LO(4));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0,
	    0, 3);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    SB_ARG_HI(4));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0,
	    0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SB_RET_ERRNO);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	return n;
}
#endif

/* Install the parser's seccomp filter; 1 in force, 0 missing, -1. */
static int
sb_seccomp(struct sandbox_result *res, char *err, size_t errlen)
{
#ifdef SB_AUDIT_ARCH
	struct sock_filter f[SB_FILTER_MAX];
	struct sock_fprog prog;

	prog.len = sb_filter(f, getpid());
	prog.filter = f;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
		return 1;
	if (errno == EINVAL) {
		note(res, "seccomp filters",
		    "not built into the kernel");
		return 0;
	}
	snprintf(err, errlen, "seccomp: %s", strerror(errno));
	return -1;
#else
	(void)err;
	(void)errlen;
	note(res, "seccomp filter", "not written for this "
	    "architecture");
	return 0;
#endif
}

/* Threads of the process; 1 when /proc cannot tell. */
static int
thread_count(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc/self/task")) == NULL)
		return 1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n > 0 ? n : 1;
}

int
sandbox_apply(const struct sandbox_config *cfg, struct sandbox_result *res,
    char *err, size_t errlen)
{
	const char *why = NULL;
	int abi;

	memset(res, 0, sizeof(*res));
	if (cfg->nro > SANDBOX_MAX_PATHS || cfg->nrw > SANDBOX_MAX_PATHS) {
		snprintf(err, errlen, "too many paths");
		return -1;
	}
	if (thread_count() != 1) {
		snprintf(err, errlen, "confinement must come before threads");
		return -1;
	}
	/* Required by both, and no setuid program may undo them. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	res->no_new_privs = 1;
	if (cfg->max_landlock_abi == SANDBOX_NO_LANDLOCK) {
		abi = 0;
		note(res, "Landlock", "not used (as asked)");
	} else if ((abi = sandbox_landlock_abi(&why)) == 0)
		note(res, "Landlock", why);
	if (cfg->max_landlock_abi > 0 && abi > cfg->max_landlock_abi)
		abi = cfg->max_landlock_abi;
	if (abi > 0 && abi < LL_ABI_REFER && cfg->cross_dir_rename) {
		note(res, "Landlock", "ABI 1 forbids renames "
		    "across directories, which this process makes");
		abi = 0;
	}
	if (abi > 0) {
		if (ll_apply(cfg, abi, err, errlen) == -1)
			return -1;
		res->landlock_abi = abi;
	}
	if (cfg->profile == SANDBOX_PARSER &&
	    (res->seccomp = sb_seccomp(res, err, errlen)) == -1) {
		res->seccomp = 0;
		return -1;
	}
	return 0;
}

const char *
sandbox_summary(const struct sandbox_result *res, char *buf, size_t len)
{
	char ll[32];

	if (res->landlock_abi > 0)
		snprintf(ll, sizeof(ll), "Landlock ABI %d", res->landlock_abi);
	else
		snprintf(ll, sizeof(ll), "no Landlock");
	snprintf(buf, len, "%s, %s, %s", ll, res->seccomp ? "seccomp filter" :
	    "no seccomp filter", res->no_new_privs ? "no new privileges" :
	    "new privileges possible");
	return buf;
}
