/*
 * A fixed pool of worker threads running queued jobs in queue order: a
 * job is queued last (FIFO) or first (LIFO, threadpool_submit_front()).
 *
 * Jobs may submit further jobs (the walk queues a child CA from the job
 * of its parent); threadpool_wait() returns once the queue is empty and
 * no job is running, so it waits for the whole cascade.
 */
#ifndef REEF_VALIDATOR_THREADPOOL_H
#define REEF_VALIDATOR_THREADPOOL_H

#include <stddef.h>

/* Most worker threads one pool starts, whatever -j says. */
#define THREADPOOL_MAX_THREADS	256

struct threadpool;

typedef void	(*threadpool_fn)(void *arg);

/*
 * Start a pool of n threads (0: the number of online processors; at most
 * THREADPOOL_MAX_THREADS).  Returns the pool (free with threadpool_free())
 * or NULL on failure.
 */
struct threadpool	*threadpool_new(unsigned int n);

/*
 * Queue fn(arg) to run on a worker.  Safe from any thread, including
 * from inside a job.  Returns 0, or -1 on allocation failure (the job is
 * then not queued and the caller still owns arg).
 */
int			 threadpool_submit(struct threadpool *pool,
			    threadpool_fn fn, void *arg);

/*
 * threadpool_submit(), but the job goes first in the queue: jobs
 * submitted this way run last in, first out.
 */
int			 threadpool_submit_front(struct threadpool *pool,
			    threadpool_fn fn, void *arg);

/* Block until the queue is empty and every worker is idle. */
void			 threadpool_wait(struct threadpool *pool);

/* Returns the number of worker threads. */
unsigned int		 threadpool_size(const struct threadpool *pool);

/*
 * Wait for all jobs (as threadpool_wait()), stop and join the workers
 * and free the pool.  NULL is allowed.
 */
void			 threadpool_free(struct threadpool *pool);

#endif
