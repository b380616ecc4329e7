/*
 * reef-rtrd: the RPKI-to-Router cache server.  Parses and checks the
 * command line, then runs the event loop (server.c).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/log.h"
#include "common/prefix.h"
#include "rtrd/fetchinput.h"
#include "rtrd/history.h"
#include "rtrd/pdu.h"
#include "rtrd/server.h"

/* The validator's output directory when -i is not given. */
#define DEFAULT_INPUT		"/var/lib/reef"
/* -l, --tls-listen, --http and --allow given at most this often. */
#define MAX_LISTEN		64
#define MAX_ALLOW		1024

enum {
	OPT_MAX_VERSION = 256,
	OPT_REFRESH,
	OPT_RETRY,
	OPT_EXPIRE,
	OPT_HISTORY,
	OPT_ALLOW,
	OPT_STDIO,
	OPT_TLS_LISTEN,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_HTTP,
	OPT_USER,
	OPT_INPUT_INTERVAL,
	OPT_CA_FILE,
	OPT_SYSLOG
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: reef-rtrd [-hvV] [-l addr:port]... [-i path | url] "
	    "[--max-version n]\n"
	    "                 [--refresh s] [--retry s] [--expire s] "
	    "[--history n]\n"
	    "                 [--allow prefix]... [--stdio] "
	    "[--tls-listen addr:port]...\n"
	    "                 [--tls-cert file] [--tls-key file] "
	    "[--http addr:port]...\n"
	    "                 [--user name] [--input-interval s] "
	    "[--ca-file file] [--syslog]\n");
}

/* Parse a decimal number within [min, max] for the named option. */
static int
parse_num(const char *opt, const char *arg, unsigned long min,
    unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	if (arg[0] < '0' || arg[0] > '9' ||
	    (*out = strtoul(arg, &end, 10), errno != 0) || *end != '\0' ||
	    *out < min || *out > max) {
		fprintf(stderr, "reef-rtrd: %s: \"%s\" is not a number "
		    "from %lu to %lu\n", opt, arg, min, max);
		return -1;
	}
	return 0;
}

/* An https:// input is checked now; the URL options need one. */
static int
check_input(const struct server_config *cfg)
{
	const char *why;

	if (!fetchinput_is_url(cfg->input)) {
		if (cfg->ca_file != NULL || cfg->input_interval != 0) {
			fprintf(stderr, "reef-rtrd: --ca-file and "
			    "--input-interval need an https:// input\n");
			return -1;
		}
		return 0;
	}
	if (fetchinput_url_check(cfg->input, &why) == -1) {
		fprintf(stderr, "reef-rtrd: --input: \"%s\": %s\n",
		    cfg->input, why);
		return -1;
	}
	return 0;
}

/* Check the options that depend on each other. */
static int
check_config(const struct server_config *cfg)
{
	const struct session_config *sc = &cfg->session;

	/* 8210bis section 6: the data must outlive the polling intervals. */
	if (sc->expire <= sc->refresh || sc->expire <= sc->retry) {
		fprintf(stderr, "reef-rtrd: --expire (%u) must be larger "
		    "than --refresh (%u) and --retry (%u)\n", sc->expire,
		    sc->refresh, sc->retry);
		return -1;
	}
	if (cfg->use_stdio && (cfg->nlisten > 0 || cfg->nallow > 0 ||
	    cfg->ntls > 0 || cfg->nhttp > 0)) {
		fprintf(stderr, "reef-rtrd: --stdio cannot be combined with "
		    "--listen, --tls-listen, --http or --allow\n");
		return -1;
	}
	if (cfg->ntls > 0 && (cfg->tls_cert == NULL || cfg->tls_key == NULL)) {
		fprintf(stderr, "reef-rtrd: --tls-listen needs --tls-cert and "
		    "--tls-key\n");
		return -1;
	}
	if (check_input(cfg) == -1)
		return -1;
	if (cfg->ntls == 0 && (cfg->tls_cert != NULL || cfg->tls_key != NULL)) {
		fprintf(stderr, "reef-rtrd: --tls-cert and --tls-key need "
		    "--tls-listen\n");
		return -1;
	}
	return 0;
}

/* Append a listening address for option opt to list (*n entries). */
static int
add_listen(const char *opt, char **list, size_t *n, char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (server_parse_addr(arg, &ss, &len) == -1) {
		fprintf(stderr, "reef-rtrd: %s: \"%s\" is not "
		    "ADDRESS:PORT (IPv6 as [ADDRESS]:PORT)\n", opt, arg);
		return -1;
	}
	if (*n == MAX_LISTEN) {
		fprintf(stderr, "reef-rtrd: %s: more than %d addresses\n",
		    opt, MAX_LISTEN);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

/* A non-empty file or user name for option opt. */
static int
set_name(const char *opt, const char *arg, const char **out)
{
	if (arg[0] == '\0') {
		fprintf(stderr, "reef-rtrd: %s: empty argument\n", opt);
		return -1;
	}
	*out = arg;
	return 0;
}

static int
add_allow(struct server_config *cfg, const char *arg)
{
	int rc;

	if (cfg->nallow == MAX_ALLOW) {
		fprintf(stderr, "reef-rtrd: --allow: more than %d networks\n",
		    MAX_ALLOW);
		return -1;
	}
	if ((rc = prefix_parse(arg, &cfg->allow[cfg->nallow])) != PREFIX_OK) {
		fprintf(stderr, "reef-rtrd: --allow: \"%s\": %s\n", arg,
		    prefix_strerror(rc));
		return -1;
	}
	cfg->nallow++;
	return 0;
}

/* Fill cfg from the command line; 0 to run, 1 to exit 0, -1 on error. */
static int
parse_args(int argc, char **argv, struct server_config *cfg, int *verbose,
    int *use_syslog)
{
	static const struct option longopts[] = {
		{ "allow",	 required_argument, NULL, OPT_ALLOW },
		{ "ca-file",	 required_argument, NULL, OPT_CA_FILE },
		{ "expire",	 required_argument, NULL, OPT_EXPIRE },
		{ "help",	 no_argument,	    NULL, 'h' },
		{ "history",	 required_argument, NULL, OPT_HISTORY },
		{ "http",	 required_argument, NULL, OPT_HTTP },
		{ "input",	 required_argument, NULL, 'i' },
		{ "input-interval", required_argument, NULL, OPT_INPUT_INTERVAL },
		{ "listen",	 required_argument, NULL, 'l' },
		{ "max-version", required_argument, NULL, OPT_MAX_VERSION },
		/* The name for --http: same option. */
		{ "metrics",	 required_argument, NULL, OPT_HTTP },
		{ "refresh",	 required_argument, NULL, OPT_REFRESH },
		{ "retry",	 required_argument, NULL, OPT_RETRY },
		{ "stdio",	 no_argument,	    NULL, OPT_STDIO },
		{ "syslog",	 no_argument,	    NULL, OPT_SYSLOG },
		{ "tls-cert",	 required_argument, NULL, OPT_TLS_CERT },
		{ "tls-key",	 required_argument, NULL, OPT_TLS_KEY },
		{ "tls-listen",	 required_argument, NULL, OPT_TLS_LISTEN },
		{ "user",	 required_argument, NULL, OPT_USER },
		{ "verbose",	 no_argument,	    NULL, 'v' },
		{ "version",	 no_argument,	    NULL, 'V' },
		{ NULL,		 0,		    NULL, 0 },
	};
	unsigned long n;
	int ch, rc = 0;

	while (rc == 0 &&
	    (ch = getopt_long(argc, argv, "hi:l:vV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("reef-rtrd %s\n", PACKAGE_VERSION);
			return 1;
		case 'v':
			(*verbose)++;
			break;
		case OPT_SYSLOG:
			*use_syslog = 1;
			break;
		case 'i':
			if (optarg[0] == '\0') {
				fprintf(stderr, "reef-rtrd: --input: empty "
				    "path\n");
				return -1;
			}
			cfg->input = optarg;
			break;
		case 'l':
			rc = add_listen("--listen", cfg->listen, &cfg->nlisten,
			    optarg);
			break;
		case OPT_TLS_LISTEN:
			rc = add_listen("--tls-listen", cfg->tls_listen,
			    &cfg->ntls, optarg);
			break;
		case OPT_HTTP:
			rc = add_listen("--http", cfg->http_listen,
			    &cfg->nhttp, optarg);
			break;
		case OPT_TLS_CERT:
			rc = set_name("--tls-cert", optarg, &cfg->tls_cert);
			break;
		case OPT_TLS_KEY:
			rc = set_name("--tls-key", optarg, &cfg->tls_key);
			break;
		case OPT_USER:
			rc = set_name("--user", optarg, &cfg->user);
			break;
		case OPT_CA_FILE:
			rc = set_name("--ca-file", optarg, &cfg->ca_file);
			break;
		case OPT_INPUT_INTERVAL:
			if ((rc = parse_num("--input-interval", optarg,
			    FETCHINPUT_INTERVAL_MIN, FETCHINPUT_INTERVAL_MAX,
			    &n)) == 0)
				cfg->input_interval = n;
			break;
		case OPT_ALLOW:
			rc = add_allow(cfg, optarg);
			break;
		case OPT_MAX_VERSION:
			if ((rc = parse_num("--max-version", optarg, 0,
			    PDU_VERSION_MAX, &n)) == 0)
				cfg->session.max_version = n;
			break;
		case OPT_REFRESH:
			if ((rc = parse_num("--refresh", optarg,
			    RTR_REFRESH_MIN, RTR_REFRESH_MAX, &n)) == 0)
				cfg->session.refresh = n;
			break;
		case OPT_RETRY:
			if ((rc = parse_num("--retry", optarg, RTR_RETRY_MIN,
			    RTR_RETRY_MAX, &n)) == 0)
				cfg->session.retry = n;
			break;
		case OPT_EXPIRE:
			if ((rc = parse_num("--expire", optarg, RTR_EXPIRE_MIN,
			    RTR_EXPIRE_MAX, &n)) == 0)
				cfg->session.expire = n;
			break;
		case OPT_HISTORY:
			if ((rc = parse_num("--history", optarg, 1,
			    MAX_RTR_DELTAS, &n)) == 0)
				cfg->history = n;
			break;
		case OPT_STDIO:
			cfg->use_stdio = 1;
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (rc != 0)
		return -1;
	if (optind != argc) {
		fprintf(stderr, "reef-rtrd: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		return -1;
	}
	return check_config(cfg);
}

int
main(int argc, char **argv)
{
	static char *listen[MAX_LISTEN], *tls_listen[MAX_LISTEN];
	static char *http_listen[MAX_LISTEN];
	static struct prefix allow[MAX_ALLOW];
	struct server_config cfg;
	struct log_config lc;
	int verbose = 0, use_syslog = 0, rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = listen;
	cfg.tls_listen = tls_listen;
	cfg.http_listen = http_listen;
	cfg.allow = allow;
	cfg.input = DEFAULT_INPUT;
	cfg.history = HISTORY_DEFAULT_DELTAS;
	cfg.session.max_version = PDU_VERSION_MAX;
	cfg.session.refresh = RTR_REFRESH_DEFAULT;
	cfg.session.retry = RTR_RETRY_DEFAULT;
	cfg.session.expire = RTR_EXPIRE_DEFAULT;
	cfg.session.handshake_timeout = SESSION_HANDSHAKE_TIMEOUT;
	if ((rc = parse_args(argc, argv, &cfg, &verbose, &use_syslog)) != 0)
		return rc == 1 ? 0 : 1;
	/*
	 * A router polls every refresh interval and drops our data after
	 * the expire interval: a session silent for that long is dead.
	 */
	cfg.session.idle_timeout = cfg.session.expire;

	memset(&lc, 0, sizeof(lc));
	lc.ident = "reef-rtrd";
	lc.level = verbose >= 2 ? LOG_LEVEL_DEBUG : verbose == 1 ?
	    LOG_LEVEL_INFO : LOG_LEVEL_NOTICE;
	lc.fd = STDERR_FILENO;
	/* A daemon under a service manager may prefer syslog(3) to stderr. */
	lc.use_syslog = use_syslog;
	lc.facility = LOG_DAEMON;
	log_init(&lc);
	rc = server_run(&cfg);
	log_close();
	return rc;
}
