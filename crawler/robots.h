/*
 * robots.h - robots.txt (RFC 9309) parsing and matching.
 */
#ifndef FLOWGRAB_CRAWL_ROBOTS_H
#define FLOWGRAB_CRAWL_ROBOTS_H

#include <stddef.h>

/* Longest robots.txt read; RFC 9309 asks for at least 500 KiB. */
#define CRAWL_ROBOTS_MAX (512u * 1024)

struct crawl_robots;

/*
 * Parse robots.txt text for the crawler whose product token is @agent
 * (e.g. "flowgrab-crawler"; matched case-insensitively).  The groups naming
 * @agent apply; if there is none, the "*" groups do; if neither, all is
 * allowed.  Text beyond CRAWL_ROBOTS_MAX is ignored.  Never fails.
 */
struct crawl_robots *crawl_robots_parse(const char *text, size_t len,
    const char *agent);
/* Rules that allow everything (robots.txt answered 4xx) or nothing (5xx,
 * unreachable). */
struct crawl_robots *crawl_robots_allow_all(void);
struct crawl_robots *crawl_robots_deny_all(void);
void crawl_robots_free(struct crawl_robots *r);

/*
 * 1 if @path (path and query of the URL, starting with '/') may be
 * fetched: the longest matching rule wins, allow wins a tie, '*' matches
 * any run of characters and a trailing '$' anchors the end.
 * "/robots.txt" itself is always allowed.
 */
int crawl_robots_allowed(const struct crawl_robots *r, const char *path);

/* Number of rules that applied (for tests and the log). */
size_t crawl_robots_nrules(const struct crawl_robots *r);

#endif
