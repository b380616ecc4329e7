/*
 * reef-rtrd: the RPKI-to-Router cache server.
 *
 * Only option handling exists so far; the server itself is tracked in the
 * rtrd issue (see TODO).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void
usage(FILE *f)
{
	fprintf(f, "usage: reef-rtrd [-hV]\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help",	no_argument,	NULL,	'h' },
		{ "version",	no_argument,	NULL,	'V' },
		{ NULL,		0,		NULL,	0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("reef-rtrd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	fprintf(stderr, "reef-rtrd: the RTR server is not built yet; "
	    "see the TODO file\n");
	return 1;
}
