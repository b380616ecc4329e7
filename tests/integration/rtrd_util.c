/*
 * Starting and stopping the built reef-rtrd for the integration suites;
 * see rtrd_util.h.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/integration/rtrd_util.h"
#include "tests/unit/util.h"

/* Proxy settings the child must not inherit: its servers are on loopback. */
static const char *const proxy_vars[] = {
	"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
	"all_proxy", "ALL_PROXY",
};

/* See rtrd_util.h; tests assert on these exact elements. */
const char rtrd_json_a[] =
    "{\"metadata\": {\"buildtime\": \"2024-01-01T00:00:00Z\"},\n"
    " \"roas\": [\n"
    "  {\"asn\": 13335, \"prefix\": \"1.0.0.0/24\", \"maxLength\": 24,"
    " \"ta\": \"apnic\", \"expires\": 4000000000},\n"
    "  {\"asn\": 65001, \"prefix\": \"2001:db8::/32\", \"maxLength\": 48,"
    " \"ta\": \"ripe\", \"expires\": 4000000000}\n"
    " ],\n"
    " \"aspas\": [{\"customer_asid\": 64500, \"expires\": 4000000000,"
    " \"providers\": [64501, 64502]}],\n"
    " \"bgpsec_keys\": []}\n";

/*
 * Returns the path of the built reef-rtrd; the caller frees it.
 */
char *
rtrd_bin(void)
{
	return tu_asprintf("%s/rtrd/reef-rtrd", tu_builddir());
}

/*
 * Returns a loopback port the kernel just handed out and nobody holds
 * now.  Another process may still take it before the server binds; the
 * tests accept that small race.
 */
int
rtrd_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port;

	CU_ASSERT_FATAL((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/*
 * Returns a close-on-exec socket connected to 127.0.0.1:port, owned by
 * the caller, or -1 if nobody listens there.
 */
int
rtrd_connect_port(int port)
{
	struct sockaddr_in sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Sleeps for ms milliseconds (less if a signal interrupts it).
 */
void
rtrd_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Fills s (zeroed first); everything it holds is released by
 * rtrd_srv_stop().
 */
void
rtrd_srv_init(struct rtrd_srv *s, const char *tag, const char *json,
    unsigned int flags)
{
	char *bin = rtrd_bin();

	memset(s, 0, sizeof(*s));
	CU_ASSERT_FATAL(access(bin, X_OK) == 0);
	free(bin);
	CU_ASSERT_FATAL((s->dir = tu_tmpdir(tag)) != NULL);
	s->input = tu_asprintf("%s/vrps.json", s->dir);
	s->log = tu_asprintf("%s/rtrd.log", s->dir);
	if (json != NULL)
		rtrd_write_input(s, json);
	s->port = rtrd_free_port();
	s->addr = tu_asprintf("127.0.0.1:%d", s->port);
	if (flags & RTRD_SRV_HTTP) {
		s->http_port = rtrd_free_port();
		s->http_addr = tu_asprintf("127.0.0.1:%d", s->http_port);
	}
}

/* In the child: output to the log, a clean environment, then reef-rtrd. */
static void
child_exec(const struct rtrd_srv *s, const char *bin, char *const *argv)
{
	size_t i;
	int fd;

	if ((fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1) {
		dup2(fd, STDERR_FILENO);
		dup2(fd, STDOUT_FILENO);
	}
	for (i = 0; i < sizeof(proxy_vars) / sizeof(proxy_vars[0]); i++)
		unsetenv(proxy_vars[i]);
	execv(bin, argv);
	_exit(127);
}

/* 1 if args choose the user themselves (--user NAME or --user=NAME). */
static int
names_user(const char *const *args)
{
	size_t i;

	for (i = 0; args[i] != NULL; i++)
		if (strcmp(args[i], "--user") == 0 ||
		    strncmp(args[i], "--user=", strlen("--user=")) == 0)
			return 1;
	return 0;
}

/*
 * Starts the server; returns once wait_port accepts.  The argument
 * vector is built before fork() so the child only redirects and execs.
 */
void
rtrd_srv_run(struct rtrd_srv *s, const char *const *args, int wait_port)
{
	const char **argv;
	char *bin = rtrd_bin();
	size_t i, n, k = 0;
	int fd;

	for (n = 0; args[n] != NULL; n++)
		;
	/* reef-rtrd, -vv, --user root, args, NULL */
	CU_ASSERT_FATAL((argv = calloc(n + 5, sizeof(*argv))) != NULL);
	argv[k++] = "reef-rtrd";
	argv[k++] = "-vv";
	if (geteuid() == 0 && !names_user(args)) {
		argv[k++] = "--user";
		argv[k++] = "root";
	}
	for (i = 0; i < n; i++)
		argv[k++] = args[i];
	s->pid = fork();
	if (s->pid == 0)
		child_exec(s, bin, (char *const *)argv);
	free(argv);
	free(bin);
	CU_ASSERT_FATAL(s->pid != -1);
	for (i = 0; i < RTRD_LISTEN_WAIT_MS / RTRD_LISTEN_POLL_MS; i++) {
		if ((fd = rtrd_connect_port(wait_port)) != -1) {
			close(fd);
			return;
		}
		rtrd_sleep_ms(RTRD_LISTEN_POLL_MS);
	}
	CU_FAIL_FATAL("reef-rtrd did not start listening");
}

/*
 * Stops the server if it runs, then releases and zeroes s.
 */
void
rtrd_srv_stop(struct rtrd_srv *s)
{
	int status = 0;

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		CU_ASSERT(waitpid(s->pid, &status, 0) == s->pid);
		/* Any other end means it crashed or failed to shut down. */
		CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			tu_system("tail -n %d '%s' | sed 's/^/    /'",
			    RTRD_LOG_TAIL, s->log);
	}
	tu_rmtree(s->dir);
	free(s->dir);
	free(s->input);
	free(s->log);
	free(s->addr);
	free(s->http_addr);
	memset(s, 0, sizeof(*s));
}

/*
 * Writes json next to the input and renames it into place, so the
 * server never reads a half-written file.
 */
void
rtrd_write_input(const struct rtrd_srv *s, const char *json)
{
	char *tmp = tu_asprintf("%s.tmp", s->input);

	CU_ASSERT_FATAL(tu_write_file(tmp, json, strlen(json)) == 0);
	CU_ASSERT_FATAL(rename(tmp, s->input) == 0);
	free(tmp);
}
