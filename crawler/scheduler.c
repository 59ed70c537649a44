/*
 * scheduler.c - per-host politeness, done by the crawler itself rather than by
 * libcurl's connection limits: those bound connections per multi handle,
 * not requests per host across threads, and know nothing of delays,
 * Retry-After or robots.txt.
 *
 * Hosts live in an array scanned round-robin: a crawl touches tens of
 * hosts, not millions, and the scan is cheaper than a priority queue's
 * upkeep at that size.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crawl.h"
#include "robots.h"
#include "scheduler.h"
#include "url.h"
#include "util.h"

/* RFC 9309 2.4: a cached robots.txt is good for at most 24 hours. */
#define ROBOTS_MAX_AGE (24.0 * 3600)

enum robots_state { ROBOTS_NONE, ROBOTS_FETCHING, ROBOTS_READY };

struct crawl_sched_host {
	char *key;
	struct crawl_item *head, *tail;
	size_t qlen;
	unsigned inflight;
	unsigned per_host;       /* 0 until the first item sets it */
	double delay;
	double next_ok;          /* monotonic time of the next allowed start */
	enum robots_state rstate;
	struct crawl_robots *robots;
	double robots_at;
	unsigned stalls;         /* transfers that timed out */
	int given_up;            /* too many stalls: queued items dropped */
	unsigned said;           /* crawl_sched_first() notes already taken */
};

struct crawl_sched {
	pthread_mutex_t lock;
	struct crawl_sched_host **hosts;
	size_t nhosts, rr;
	size_t queued;
	char *agent;
	crawl_sched_denied_cb denied;
	void *arg;
};

struct crawl_sched *crawl_sched_new(const char *agent, crawl_sched_denied_cb denied, void *arg)
{
	struct crawl_sched *s = fg_calloc(1, sizeof(*s));

	pthread_mutex_init(&s->lock, NULL);
	s->agent = agent ? fg_strdup(agent) : NULL;
	s->denied = denied;
	s->arg = arg;
	return s;
}

void crawl_sched_free(struct crawl_sched *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nhosts; i++) {
		struct crawl_sched_host *h = s->hosts[i];

		while (h->head) {
			struct crawl_item *it = h->head;

			h->head = it->next;
			free(it);
		}
		crawl_robots_free(h->robots);
		free(h->key);
		free(h);
	}
	free(s->hosts);
	free(s->agent);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static struct crawl_sched_host *host_get(struct crawl_sched *s, const char *key)
{
	struct crawl_sched_host *h;
	size_t i;

	for (i = 0; i < s->nhosts; i++)
		if (strcmp(s->hosts[i]->key, key) == 0)
			return s->hosts[i];
	h = fg_calloc(1, sizeof(*h));
	h->key = fg_strdup(key);
	h->rstate = s->agent ? ROBOTS_NONE : ROBOTS_READY;
	s->hosts = fg_reallocarray(s->hosts, s->nhosts + 1, sizeof(*s->hosts));
	s->hosts[s->nhosts++] = h;
	return h;
}

void crawl_sched_add(struct crawl_sched *s, struct crawl_item *it, const char *hostkey,
    unsigned per_host, double delay, int front)
{
	struct crawl_sched_host *h;

	pthread_mutex_lock(&s->lock);
	h = host_get(s, hostkey);
	if (per_host && (h->per_host == 0 || per_host < h->per_host))
		h->per_host = per_host;
	if (delay > h->delay)
		h->delay = delay;
	it->host = h;
	if (front) {
		it->next = h->head;
		h->head = it;
		if (!h->tail)
			h->tail = it;
	} else {
		it->next = NULL;
		if (h->tail)
			h->tail->next = it;
		else
			h->head = it;
		h->tail = it;
	}
	h->qlen++;
	s->queued++;
	pthread_mutex_unlock(&s->lock);
}

static struct crawl_item *pop(struct crawl_sched *s, struct crawl_sched_host *h)
{
	struct crawl_item *it = h->head;

	h->head = it->next;
	if (!h->head)
		h->tail = NULL;
	it->next = NULL;
	h->qlen--;
	s->queued--;
	return it;
}

static struct crawl_item *robots_item(struct crawl_sched_host *h)
{
	const char *suffix = "/robots.txt";
	size_t kl = strlen(h->key), sl = strlen(suffix);
	struct crawl_item *it = fg_calloc(1, sizeof(*it) + kl + sl + 1);

	memcpy(it->url, h->key, kl);
	memcpy(it->url + kl, suffix, sl + 1);
	it->kind = CRAWL_ROBOTS;
	it->host = h;
	return it;
}

struct crawl_item *crawl_sched_next(struct crawl_sched *s, double now, double *wait)
{
	struct crawl_item *it = NULL;
	double soonest = -1;
	size_t n;

	pthread_mutex_lock(&s->lock);
	for (n = 0; n < s->nhosts && !it; n++) {
		struct crawl_sched_host *h = s->hosts[(s->rr + n) % s->nhosts];
		unsigned limit = h->per_host ? h->per_host : 1;

		if (h->qlen == 0)
			continue;
		if (h->given_up) {
			while (h->qlen) {
				struct crawl_item *d = pop(s, h);

				if (s->denied)
					s->denied(d, s->arg);
				else
					free(d);
			}
			continue;
		}
		if (h->rstate == ROBOTS_READY && s->agent &&
		    now - h->robots_at > ROBOTS_MAX_AGE)
			h->rstate = ROBOTS_NONE;
		if (h->rstate == ROBOTS_FETCHING)
			continue;
		if (h->inflight >= limit)
			continue;
		if (h->next_ok > now) {
			if (soonest < 0 || h->next_ok - now < soonest)
				soonest = h->next_ok - now;
			continue;
		}
		if (h->rstate == ROBOTS_NONE) {
			h->rstate = ROBOTS_FETCHING;
			it = robots_item(h);
		} else {
			while (h->qlen) {
				it = pop(s, h);
				if (!h->robots || crawl_robots_allowed(h->robots,
				    crawl_url_path(it->url)))
					break;
				if (s->denied)
					s->denied(it, s->arg);
				else
					free(it);
				it = NULL;
			}
			if (!it)
				continue;
		}
		h->inflight++;
		h->next_ok = now + h->delay;
		s->rr = (s->rr + n + 1) % s->nhosts;
	}
	pthread_mutex_unlock(&s->lock);
	*wait = it ? 0 : soonest;
	return it;
}

void crawl_sched_done(struct crawl_sched *s, struct crawl_item *it, double not_before)
{
	struct crawl_sched_host *h = it->host;

	pthread_mutex_lock(&s->lock);
	if (h->inflight)
		h->inflight--;
	if (not_before > h->next_ok)
		h->next_ok = not_before;
	pthread_mutex_unlock(&s->lock);
}

void crawl_sched_retry(struct crawl_sched *s, struct crawl_item *it, double not_before)
{
	struct crawl_sched_host *h = it->host;

	pthread_mutex_lock(&s->lock);
	if (h->inflight)
		h->inflight--;
	if (not_before > h->next_ok)
		h->next_ok = not_before;
	it->next = h->head;
	h->head = it;
	if (!h->tail)
		h->tail = it;
	h->qlen++;
	s->queued++;
	pthread_mutex_unlock(&s->lock);
}

void crawl_sched_robots(struct crawl_sched *s, struct crawl_item *it,
    struct crawl_robots *r, double now)
{
	struct crawl_sched_host *h = it->host;

	pthread_mutex_lock(&s->lock);
	if (h->inflight)
		h->inflight--;
	crawl_robots_free(h->robots);
	h->robots = r;
	h->robots_at = now;
	h->rstate = ROBOTS_READY;
	pthread_mutex_unlock(&s->lock);
	free(it);
}

unsigned crawl_sched_stall(struct crawl_sched *s, struct crawl_item *it)
{
	unsigned n;

	pthread_mutex_lock(&s->lock);
	n = ++it->host->stalls;
	pthread_mutex_unlock(&s->lock);
	return n;
}

size_t crawl_sched_give_up(struct crawl_sched *s, struct crawl_item *it)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	__atomic_store_n(&it->host->given_up, 1, __ATOMIC_RELAXED);
	n = it->host->qlen;
	pthread_mutex_unlock(&s->lock);
	return n;
}

int crawl_sched_given_up(const struct crawl_item *it)
{
	/* set once, under the lock, before any item is dropped for it */
	return it->host && __atomic_load_n(&it->host->given_up,
	    __ATOMIC_RELAXED);
}

int crawl_sched_first(struct crawl_sched *s, const struct crawl_item *it,
    unsigned note)
{
	int first;

	pthread_mutex_lock(&s->lock);
	first = !(it->host->said & note);
	it->host->said |= note;
	pthread_mutex_unlock(&s->lock);
	return first;
}

const char *crawl_sched_host_key(const struct crawl_item *it)
{
	return it->host->key;	/* set when the host is made, never changed */
}

size_t crawl_sched_queued(struct crawl_sched *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->queued;
	pthread_mutex_unlock(&s->lock);
	return n;
}

size_t crawl_sched_hosts(struct crawl_sched *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->nhosts;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void crawl_sched_drain(struct crawl_sched *s, crawl_sched_denied_cb cb, void *arg)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->nhosts; i++)
		while (s->hosts[i]->qlen)
			cb(pop(s, s->hosts[i]), arg);
	pthread_mutex_unlock(&s->lock);
}
