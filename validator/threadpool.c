/*
 * Fixed-size thread pool with one queue (jobs added at either end)
 * guarded by one mutex.  Jobs of the walk are coarse (a whole
 * publication point), so contention on the queue lock does not matter.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "validator/threadpool.h"

struct job {
	threadpool_fn	 fn;
	void		*arg;
	struct job	*next;
};

struct threadpool {
	pthread_mutex_t	 lock;
	pthread_cond_t	 work;		/* a job was queued, or stop */
	pthread_cond_t	 idle;		/* queue empty and nobody busy */
	struct job	*head;
	struct job	*tail;
	unsigned int	 busy;		/* jobs running now */
	int		 stop;
	pthread_t	*threads;
	unsigned int	 nthreads;
};

static void *
worker(void *arg)
{
	struct threadpool *p = arg;
	struct job *j;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->head == NULL && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->head == NULL)
			break;
		j = p->head;
		if ((p->head = j->next) == NULL)
			p->tail = NULL;
		p->busy++;
		pthread_mutex_unlock(&p->lock);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&p->lock);
		p->busy--;
		if (p->busy == 0 && p->head == NULL)
			pthread_cond_broadcast(&p->idle);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static unsigned int
online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (unsigned int)n;
}

/*
 * Returns a new pool with n workers running (0 = online CPUs), or NULL.
 * The caller owns the pool and frees it with threadpool_free().
 */
struct threadpool *
threadpool_new(unsigned int n)
{
	struct threadpool *p;

	if (n == 0)
		n = online_cpus();
	if (n > THREADPOOL_MAX_THREADS)
		n = THREADPOOL_MAX_THREADS;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->threads = calloc(n, sizeof(*p->threads))) == NULL) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	for (p->nthreads = 0; p->nthreads < n; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, worker,
		    p) != 0)
			break;
	if (p->nthreads == 0) {
		threadpool_free(p);
		return NULL;
	}
	return p;
}

/* Queue fn(arg) last, or first if front is set.  0, or -1 on ENOMEM. */
static int
enqueue(struct threadpool *p, threadpool_fn fn, void *arg, int front)
{
	struct job *j;

	if ((j = malloc(sizeof(*j))) == NULL)
		return -1;
	j->fn = fn;
	j->arg = arg;
	j->next = NULL;
	pthread_mutex_lock(&p->lock);
	if (front) {
		j->next = p->head;
		p->head = j;
	} else if (p->tail != NULL)
		p->tail->next = j;
	else
		p->head = j;
	if (j->next == NULL)
		p->tail = j;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* Returns 0 once the job is queued, -1 if out of memory. */
int
threadpool_submit(struct threadpool *p, threadpool_fn fn, void *arg)
{
	return enqueue(p, fn, arg, 0);
}

/* Returns 0 once the job is queued first, -1 if out of memory. */
int
threadpool_submit_front(struct threadpool *p, threadpool_fn fn, void *arg)
{
	return enqueue(p, fn, arg, 1);
}

/* Returns once no job is queued or running. */
void
threadpool_wait(struct threadpool *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->head != NULL || p->busy > 0)
		pthread_cond_wait(&p->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

/* Returns the number of workers. */
unsigned int
threadpool_size(const struct threadpool *p)
{
	return p->nthreads;
}

/* Drains the queue, joins the workers and frees p. */
void
threadpool_free(struct threadpool *p)
{
	unsigned int i;

	if (p == NULL)
		return;
	if (p->nthreads > 0)
		threadpool_wait(p);
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}
