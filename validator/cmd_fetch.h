/*
 * reef fetch: bring the cache up to date with every repository reachable
 * from the TALs, without validating (see reef(8)).
 */
#ifndef REEF_VALIDATOR_CMD_FETCH_H
#define REEF_VALIDATOR_CMD_FETCH_H

/*
 * Run "reef fetch" with argv[0] == "fetch".  Returns the exit status: 0
 * when every TA and repository was fetched, 1 otherwise, 2 on usage
 * errors.
 */
int	cmd_fetch(int argc, char **argv);

#endif
