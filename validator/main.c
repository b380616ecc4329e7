/*
 * reef: the RPKI relying-party validator.
 *
 * Subcommand dispatch.  Each subcommand lives in its own cmd_*.c file and
 * takes (argc, argv) with argv[0] the subcommand name.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validator/cmd_audit.h"
#include "validator/cmd_fetch.h"
#include "validator/cmd_show.h"
#include "validator/cmd_validate.h"

struct subcommand {
	const char	*name;
	int		(*run)(int, char **);
	const char	*summary;
};

static int	cmd_version(int, char **);
static int	cmd_help(int, char **);

static const struct subcommand subcommands[] = {
	{ "check",	cmd_check,	"RFC 6811 state of routes against a run's VRPs" },
	{ "coverage",	cmd_coverage,	"which routes of an AS the VRPs cover" },
	{ "diff",	cmd_diff,	"payloads and objects changed between two runs" },
	{ "explain",	cmd_explain,	"the objects behind a VRP, or an object's fate" },
	{ "fetch",	cmd_fetch,	"update the cache from the repositories" },
	{ "help",	cmd_help,	"list the subcommands" },
	{ "show",	cmd_show,	"print and check RPKI objects" },
	{ "validate",	cmd_validate,	"fetch, validate and write the outputs" },
	{ "version",	cmd_version,	"print the version" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: reef subcommand [options] [args]\n\nsubcommands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name,
		    subcommands[i].summary);
	fprintf(f, "\nSee reef(8).\n");
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc; (void)argv;
	printf("reef %s\n", PACKAGE_VERSION);
	return 0;
}

static int
cmd_help(int argc, char **argv)
{
	(void)argc; (void)argv;
	usage(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cmd_help(argc - 1, argv + 1);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "reef: unknown subcommand: %s\n", argv[1]);
	usage(stderr);
	return 1;
}
