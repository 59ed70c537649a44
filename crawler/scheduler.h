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

struct crawl_sched;

/* Called (with the scheduler locked) for each queued item that robots.txt
 * turns out to forbid; the callee owns and frees the item. */
typedef void (*crawl_sched_denied_cb)(struct crawl_item *it, void *arg);

/*
 * @robots_agent: product token for robots.txt groups; NULL = robots.txt
 * is ignored (--ignore-robots).
 */
struct crawl_sched *crawl_sched_new(const char *robots_agent,
    crawl_sched_denied_cb denied, void *arg);
void crawl_sched_free(struct crawl_sched *s);

/*
 * Queue @it for the host @hostkey ("scheme://host:port").  The host's
 * limits become the stricter of what it had and @per_host / @delay.
 * @front puts the item first (a retry).
 */
void crawl_sched_add(struct crawl_sched *s, struct crawl_item *it,
    const char *hostkey,
    unsigned per_host, double delay, int front);

/*
 * The next item that may start now (@now: fg_monotonic()), or NULL.  When
 * NULL, @wait gets the seconds until one may become ready (-1: nothing
 * queued that time alone will release).  The item's host counts it in
 * flight until crawl_sched_done().
 */
struct crawl_item *crawl_sched_next(struct crawl_sched *s, double now,
    double *wait);

/* @it finished; its host may not start another request before
 * @not_before (monotonic seconds; 0 = no back-off). */
void crawl_sched_done(struct crawl_sched *s, struct crawl_item *it,
    double not_before);

/* @it is to be tried again (429/503): done, and queued first again for
 * its host, which starts nothing before @not_before. */
void crawl_sched_retry(struct crawl_sched *s, struct crawl_item *it,
    double not_before);

/* robots.txt of @it's host (a CRAWL_ROBOTS item) is known: @r is taken
 * over.  Frees @it. */
void crawl_sched_robots(struct crawl_sched *s, struct crawl_item *it,
    struct crawl_robots *r, double now);

/*
 * A transfer of @it's host timed out (stalled, or past --timeout): the
 * host's count of such transfers, this one included.
 */
unsigned crawl_sched_stall(struct crawl_sched *s, struct crawl_item *it);

/*
 * Give up on @it's host: its queued items, and any queued for it later,
 * go to the denied callback (crawl_sched_given_up() tells them apart from
 * robots.txt denials); transfers in flight finish.  Returns the number of
 * items queued for it now.
 */
size_t crawl_sched_give_up(struct crawl_sched *s, struct crawl_item *it);
/* 1 if @it's host has been given up on. */
int crawl_sched_given_up(const struct crawl_item *it);

/*
 * Things said once a host (report lines): crawl_sched_first() returns 1
 * the first time @note is asked for @it's host, 0 after.  @it must be
 * queued or in flight (its host known).
 */
enum crawl_sched_note {
	CRAWL_NOTE_HEAD_HANGS = 1u << 0,  /* a HEAD timed out, GET worked */
	CRAWL_NOTE_SIZE_LIES = 1u << 1,   /* a size's headers disagree */
	CRAWL_NOTE_LISTING_WRONG = 1u << 2, /* a listing's size was wrong */
};
int crawl_sched_first(struct crawl_sched *s, const struct crawl_item *it,
    unsigned note);
/* "scheme://host:port" of @it's host (queued or in flight). */
const char *crawl_sched_host_key(const struct crawl_item *it);

/* Items queued (not in flight) over all hosts. */
size_t crawl_sched_queued(struct crawl_sched *s);
/* Hosts known. */
size_t crawl_sched_hosts(struct crawl_sched *s);

/* Take every queued item out (shutdown): @cb gets each. */
void crawl_sched_drain(struct crawl_sched *s, crawl_sched_denied_cb cb,
    void *arg);

#endif
