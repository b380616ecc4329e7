/*
 * Helpers shared by the integration suites that run the built reef-rtrd:
 * a scratch directory with the input file and the server's log, free
 * loopback ports, starting the server and waiting until it listens,
 * stopping it (it must exit 0 on SIGTERM), and replacing the input the
 * way a validator does.
 *
 * Every helper that can fail makes a fatal CUnit assertion, so it may
 * only be called from inside a test.
 */
#ifndef REEF_TESTS_INTEGRATION_RTRD_UTIL_H
#define REEF_TESTS_INTEGRATION_RTRD_UTIL_H

#include <sys/types.h>

/* Milliseconds a started server has to accept connections on its port. */
#define RTRD_LISTEN_WAIT_MS	15000
/* Milliseconds between two connection attempts while waiting. */
#define RTRD_LISTEN_POLL_MS	20
/* Lines of the server's log shown when it did not exit cleanly. */
#define RTRD_LOG_TAIL		30

/* rtrd_srv_init() flag: also pick http_port and http_addr. */
#define RTRD_SRV_HTTP		0x01

/*
 * One reef-rtrd child and the files it uses.  Everything is owned by
 * the struct and released by rtrd_srv_stop().  The ports were free when
 * picked; the caller puts addr (and http_addr) on the command line.
 */
struct rtrd_srv {
	pid_t	 pid;		/* the child; 0 until started */
	int	 port;		/* for the RTR or RTR/TLS listener */
	int	 http_port;	/* with RTRD_SRV_HTTP, else 0 */
	char	*addr;		/* "127.0.0.1:port" */
	char	*http_addr;	/* "127.0.0.1:http_port", or NULL */
	char	*dir;		/* scratch directory */
	char	*input;		/* dir/vrps.json */
	char	*log;		/* dir/rtrd.log: the child's output */
};

/*
 * The set most servers start with, in rpki-client's JSON layout:
 * AS13335 1.0.0.0/24-24 and AS65001 2001:db8::/32-48, and the ASPA of
 * customer 64500 with providers 64501 and 64502.
 */
extern const char rtrd_json_a[];

/* Path of the built reef-rtrd below tu_builddir(); malloc'd. */
char	*rtrd_bin(void);

/* A loopback port nobody listens on right now (fatal if none). */
int	 rtrd_free_port(void);

/* A socket connected to 127.0.0.1:port, or -1 if nobody listens there. */
int	 rtrd_connect_port(int port);

/* Sleep ms milliseconds, as the polling loops of the suites do. */
void	 rtrd_sleep_ms(int ms);

/*
 * Fill s for a server not yet started: a scratch directory named after
 * tag, the paths of its input and log, and free ports.  json, unless
 * NULL, is written as the input.  Fatal assertion if reef-rtrd is not
 * built or the directory cannot be made.
 */
void	 rtrd_srv_init(struct rtrd_srv *s, const char *tag,
	    const char *json, unsigned int flags);

/*
 * Run "reef-rtrd -vv args..." (args is NULL-terminated) with its output
 * in s->log and no proxy variables in its environment (every server the
 * suites use is on loopback), then wait until wait_port accepts a
 * connection, within RTRD_LISTEN_WAIT_MS; a fatal assertion if it never
 * does.  As root, and unless args name a --user, "--user root" comes
 * first: without it reef-rtrd switches to the account _reef whenever that
 * exists (common/privdrop.h), and _reef cannot read s->dir.
 */
void	 rtrd_srv_run(struct rtrd_srv *s, const char *const *args,
	    int wait_port);

/*
 * Stop a server from rtrd_srv_run() with SIGTERM and assert it exited 0,
 * showing the end of its log if not; then remove its directory and free
 * and zero s.  Also fine on a server that was only initialised.
 */
void	 rtrd_srv_stop(struct rtrd_srv *s);

/* Replace s->input with json through a rename, as a validator does. */
void	 rtrd_write_input(const struct rtrd_srv *s, const char *json);

#endif
