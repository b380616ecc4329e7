/*
 * A tiny thread pool: n independent jobs, indexes handed out by an atomic
 * counter to a fixed number of threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "repogen.h"

struct work {
	size_t		  n;
	size_t		  next;		/* atomic */
	int		  failed;	/* atomic */
	int		(*fn)(void *, size_t);
	void		 *arg;
};

static void *
work_thread(void *arg)
{
	struct work	*w = arg;
	size_t		 i;

	for (;;) {
		if (__atomic_load_n(&w->failed, __ATOMIC_RELAXED))
			break;
		i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED);
		if (i >= w->n)
			break;
		if (w->fn(w->arg, i) == -1)
			__atomic_store_n(&w->failed, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * Run fn(arg, i) for i in [0, n) on nthreads threads (the calling thread is
 * one of them).  Stops handing out jobs after the first failure.  Returns 0
 * if every job returned 0, else -1.
 */
int
rg_work_run(int nthreads, size_t n, int (*fn)(void *, size_t), void *arg)
{
	struct work	 w = { n, 0, 0, fn, arg };
	pthread_t	*tids;
	int		 i, started = 0;

	if (nthreads < 1)
		nthreads = 1;
	if ((size_t)nthreads > n)
		nthreads = n > 0 ? (int)n : 1;
	tids = rg_xcalloc((size_t)nthreads, sizeof(*tids));
	for (i = 1; i < nthreads; i++) {
		if (pthread_create(&tids[i], NULL, work_thread, &w) != 0) {
			fprintf(stderr, "reef-repogen: pthread_create failed\n");
			break;
		}
		started++;
	}
	work_thread(&w);
	for (i = 1; i <= started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return w.failed ? -1 : 0;
}
