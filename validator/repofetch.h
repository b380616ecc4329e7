/*
 * How the walk (validator/walk.h) asks for a repository to be brought up
 * to date before it reads one of its publication points; implemented by
 * the fetcher (validator/fetch.h) and by its process-separated form.
 */
#ifndef REEF_VALIDATOR_REPOFETCH_H
#define REEF_VALIDATOR_REPOFETCH_H

struct repo_fetcher {
	/*
	 * Bring the repository up to date and wait.  Called at most once
	 * per repository (caRepository URI) per run, possibly from several
	 * walk threads at once for different repositories; returns 0 when
	 * the cached view is usable (fresh or the previous good one) and -1
	 * when nothing is cached.  notify may be NULL.
	 */
	int	(*fetch)(void *arg, const char *ca_repository_uri,
		    const char *rpki_notify_uri);
	void	*arg;
	/*
	 * Optional (NULL: none).  Start bringing the repository up to date
	 * in the background and return at once: the walk calls it as soon
	 * as a CA naming the repository is accepted, long before a worker
	 * reaches that CA, so one slow repository does not hold up the
	 * fetches of the others (Stalloris).  Idempotent; returns 0 or -1
	 * (refused or out of memory; fetch() then decides).  It may be
	 * called with the walk's lock held: it must not block.
	 */
	int	(*hint)(void *arg, const char *ca_repository_uri,
		    const char *rpki_notify_uri);
};

#endif
