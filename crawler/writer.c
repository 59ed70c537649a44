/*
 * writer.c - the store's single writer thread.
 *
 * Changes are applied in the order they were queued.  That order is what
 * makes the persistent frontier safe across kill -9: a worker queues the
 * links it found (frontier adds) before the removal of the page they came
 * from, and a commit takes a prefix of the queue, so a crash can lose the
 * tail of the work but never a link whose page is marked done.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crawl.h"
#include "util.h"
#include "writer.h"

/* A batch is committed at this many changes or this age, whichever first. */
#define BATCH_OPS 4000
#define BATCH_SECONDS 1.0
/* Producers wait when this many changes are pending (bounded memory). */
#define QUEUE_MAX 100000

enum wop_kind { W_PUT, W_GONE, W_PAGE, W_FADD, W_FDEL, W_TOUCH };

struct wop {
	struct wop *next;
	enum wop_kind kind;
	struct store_download d;
	struct store_page p;
	struct store_frontier_item f;
	char *s[6];              /* owned copies of the strings above */
};

struct crawl_writer {
	struct store *st;
	struct crawl_stats *stats;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more, space;
	struct wop *head, *tail;
	size_t qlen;
	int stopping;
	int error;
};

static char *dup0(const char *s)
{
	return s ? fg_strdup(s) : NULL;
}

static void enqueue(struct crawl_writer *w, struct wop *op)
{
	pthread_mutex_lock(&w->lock);
	while (w->qlen >= QUEUE_MAX && !w->error)
		pthread_cond_wait(&w->space, &w->lock);
	op->next = NULL;
	if (w->tail)
		w->tail->next = op;
	else
		w->head = op;
	w->tail = op;
	w->qlen++;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

void crawl_writer_put(struct crawl_writer *w, const struct store_download *d)
{
	struct wop *op = fg_calloc(1, sizeof(*op));

	op->kind = W_PUT;
	op->d = *d;
	op->d.url = op->s[0] = dup0(d->url);
	op->d.vendor = op->s[1] = dup0(d->vendor);
	op->d.file = op->s[2] = dup0(d->file);
	op->d.content_type = op->s[3] = dup0(d->content_type);
	op->d.etag = op->s[4] = dup0(d->etag);
	enqueue(w, op);
}

void crawl_writer_gone(struct crawl_writer *w, const char *url)
{
	struct wop *op = fg_calloc(1, sizeof(*op));

	op->kind = W_GONE;
	op->s[0] = fg_strdup(url);
	enqueue(w, op);
}

void crawl_writer_touch(struct crawl_writer *w, const char *url)
{
	struct wop *op = fg_calloc(1, sizeof(*op));

	op->kind = W_TOUCH;
	op->s[0] = fg_strdup(url);
	enqueue(w, op);
}

void crawl_writer_page(struct crawl_writer *w, const struct store_page *p)
{
	struct wop *op = fg_calloc(1, sizeof(*op));

	op->kind = W_PAGE;
	op->p = *p;
	op->p.url = op->s[0] = dup0(p->url);
	op->p.etag = op->s[1] = dup0(p->etag ? p->etag : "");
	enqueue(w, op);
}

void crawl_writer_fadd(struct crawl_writer *w, const char *url,
    const char *vendor, unsigned depth, unsigned kind)
{
	struct wop *op = fg_calloc(1, sizeof(*op));

	op->kind = W_FADD;
	op->f.url = op->s[0] = fg_strdup(url);
	op->f.vendor = op->s[1] = fg_strdup(vendor);
	op->f.depth = depth;
	op->f.kind = (uint8_t)kind;
	enqueue(w, op);
}

void crawl_writer_fdel(struct crawl_writer *w, const char *url)
{
	struct wop *op = fg_calloc(1, sizeof(*op));

	op->kind = W_FDEL;
	op->s[0] = fg_strdup(url);
	enqueue(w, op);
}

int crawl_writer_failed(struct crawl_writer *w)
{
	int e;

	pthread_mutex_lock(&w->lock);
	e = w->error;
	pthread_mutex_unlock(&w->lock);
	return e;
}

static void wop_free(struct wop *op)
{
	size_t i;

	for (i = 0; i < 6; i++)
		free(op->s[i]);
	free(op);
}

static int apply(struct crawl_writer *w, struct store_txn *txn, struct wop *op)
{
	int rc = 0, outcome = 0, added;

	switch (op->kind) {
	case W_PUT:
		rc = store_put(txn, &op->d, &outcome);
		if (rc == 0 && outcome == STORE_PUT_NEW)
			crawl_stat_add(w->stats, dl_new, 1);
		else if (rc == 0 && outcome == STORE_PUT_CHANGED)
			crawl_stat_add(w->stats, dl_changed, 1);
		else if (rc == 0)
			crawl_stat_add(w->stats, dl_same, 1);
		if (rc == STORE_ETOOLONG || rc == STORE_EINVAL) {
			fg_warn("%s: not stored: %s", op->d.url, store_strerror(rc));
			rc = 0;
		}
		break;
	case W_GONE:
		rc = store_mark_gone(txn, op->s[0], 0);
		if (rc == 0)
			crawl_stat_add(w->stats, dl_gone, 1);
		else if (rc == STORE_ENOTFOUND || rc == STORE_ETOOLONG)
			rc = 0;	/* never known: nothing to mark */
		break;
	case W_TOUCH:
		rc = store_touch(txn, op->s[0], 0);
		if (rc == 0)
			crawl_stat_add(w->stats, dl_same, 1);
		else if (rc == STORE_ENOTFOUND || rc == STORE_ETOOLONG)
			rc = 0;	/* deleted since: nothing to refresh */
		break;
	case W_PAGE:
		rc = store_page_put(txn, &op->p);
		if (rc == STORE_ETOOLONG || rc == STORE_EINVAL)
			rc = 0;
		break;
	case W_FADD:
		rc = store_frontier_add(txn, &op->f, &added);
		if (rc == STORE_ETOOLONG || rc == STORE_EINVAL)
			rc = 0;
		break;
	case W_FDEL:
		rc = store_frontier_del(txn, op->s[0]);
		if (rc == STORE_ENOTFOUND || rc == STORE_ETOOLONG)
			rc = 0;
		break;
	}
	return rc;
}

static void *writer_main(void *arg)
{
	struct crawl_writer *w = arg;
	struct store_txn *txn = NULL;
	size_t in_txn = 0;
	double txn_start = 0;
	int rc;

	for (;;) {
		struct wop *batch;
		int stopping;

		pthread_mutex_lock(&w->lock);
		while (!w->head && !w->stopping) {
			struct timespec ts;

			if (txn) {	/* commit an idle batch soon */
				double left = BATCH_SECONDS - (fg_monotonic() -
				    txn_start);

				if (left <= 0)
					break;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += (long)(left * 1e9);
				ts.tv_sec += ts.tv_nsec / 1000000000L;
				ts.tv_nsec %= 1000000000L;
				pthread_cond_timedwait(&w->more, &w->lock, &ts);
				if (!w->head)
					break;
			} else {
				pthread_cond_wait(&w->more, &w->lock);
			}
		}
		batch = w->head;
		w->head = w->tail = NULL;
		w->qlen = 0;
		stopping = w->stopping;
		pthread_cond_broadcast(&w->space);
		pthread_mutex_unlock(&w->lock);

		while (batch) {
			struct wop *op = batch;

			batch = op->next;
			if (!w->error) {
				if (!txn) {
					rc = store_begin(w->st, STORE_TXN_WRITE, &txn);
					if (rc) {
						fg_error("%s: cannot write: %s",
						    store_path(w->st), store_strerror(rc));
						txn = NULL;
						goto fail;
					}
					in_txn = 0;
					txn_start = fg_monotonic();
				}
				rc = apply(w, txn, op);
				if (rc) {
					fg_error("%s: %s", store_path(w->st),
					    store_strerror(rc));
					store_abort(txn);
					txn = NULL;
					goto fail;
				}
				in_txn++;
				if (in_txn >= BATCH_OPS ||
				    fg_monotonic() - txn_start >= BATCH_SECONDS) {
					rc = store_commit(txn);
					txn = NULL;
					if (rc) {
						fg_error("%s: commit: %s",
						    store_path(w->st), store_strerror(rc));
						goto fail;
					}
				}
			}
			wop_free(op);
			continue;
fail:
			pthread_mutex_lock(&w->lock);
			w->error = rc;
			pthread_cond_broadcast(&w->space);
			pthread_mutex_unlock(&w->lock);
			wop_free(op);
		}
		if (txn && (stopping || fg_monotonic() - txn_start >=
		    BATCH_SECONDS)) {
			rc = store_commit(txn);
			txn = NULL;
			if (rc) {
				fg_error("%s: commit: %s", store_path(w->st),
				    store_strerror(rc));
				pthread_mutex_lock(&w->lock);
				w->error = rc;
				pthread_mutex_unlock(&w->lock);
			}
		}
		if (stopping) {
			pthread_mutex_lock(&w->lock);
			if (!w->head) {
				pthread_mutex_unlock(&w->lock);
				break;
			}
			pthread_mutex_unlock(&w->lock);
		}
	}
	if (txn)
		store_abort(txn);
	return NULL;
}

struct crawl_writer *crawl_writer_start(struct store *st,
    struct crawl_stats *stats)
{
	struct crawl_writer *w = fg_calloc(1, sizeof(*w));

	w->st = st;
	w->stats = stats;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->more, NULL);
	pthread_cond_init(&w->space, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0)
		fg_fatal(CRAWL_EXIT_FAILURE, "cannot start the writer thread");
	return w;
}

int crawl_writer_stop(struct crawl_writer *w)
{
	int rc;

	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	rc = w->error;
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->more);
	pthread_cond_destroy(&w->space);
	free(w);
	return rc;
}
