/*
 * scheduler.h - the politeness scheduler: one queue per host, at most
 * per-host transfers in flight on each, a delay between request starts,
 * back-off after 429/503, and robots.txt fetched before anything else of a
 * host.  Thread-safe: every worker takes its next item here.
 */
#ifndef FLOWGRAB_CRAWL_SCHEDULER_H
#define FLOWGRAB_CRAWL_SCHEDULER_H

#include <stddef.h>

#include "crawl.h"
#include "robots.h"

struct sched;

/* Called (with the scheduler locked) for each queued item that robots.txt
 * turns out to forbid; the callee owns and frees the item. */
typedef void (*sched_denied_cb)(struct crawl_item *it, void *arg);

/*
 * @robots_agent: product token for robots.txt groups; NULL = robots.txt
 * is ignored (--ignore-robots).
 */
struct sched *sched_new(const char *robots_agent, sched_denied_cb denied,
    void *arg);
void sched_free(struct sched *s);

/*
 * Queue @it for the host @hostkey ("scheme://host:port").  The host's
 * limits become the stricter of what it had and @per_host / @delay.
 * @front puts the item first (a retry).
 */
void sched_add(struct sched *s, struct crawl_item *it, const char *hostkey,
    unsigned per_host, double delay, int front);

/*
 * The next item that may start now (@now: fg_monotonic()), or NULL.  When
 * NULL, @wait gets the seconds until one may become ready (-1: nothing
 * queued that time alone will release).  The item's host counts it in
 * flight until sched_done().
 */
struct crawl_item *sched_next(struct sched *s, double now, double *wait);

/* @it finished; its host may not start another request before
 * @not_before (monotonic seconds; 0 = no back-off). */
void sched_done(struct sched *s, struct crawl_item *it, double not_before);

/* @it is to be tried again (429/503): done, and queued first again for
 * its host, which starts nothing before @not_before. */
void sched_retry(struct sched *s, struct crawl_item *it, double not_before);

/* robots.txt of @it's host (a CRAWL_ROBOTS item) is known: @r is taken
 * over.  Frees @it. */
void sched_robots(struct sched *s, struct crawl_item *it,
    struct crawl_robots *r, double now);

/* Items queued (not in flight) over all hosts. */
size_t sched_queued(struct sched *s);
/* Hosts known. */
size_t sched_hosts(struct sched *s);

/* Take every queued item out (shutdown): @cb gets each. */
void sched_drain(struct sched *s, sched_denied_cb cb, void *arg);

#endif
