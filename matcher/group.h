/*
 * group.h - downloads made of several parallel range requests.
 *
 * Download managers (and curl/aria2 with several connections) fetch one
 * file as N ranges over N connections from one client to one server at
 * the same time.  No single connection matches the file; their payloads
 * minus N response headers add up to it.  Connections that matched
 * nothing wait here for a while; when another one from the same client to
 * the same server overlaps them in time, the set is scored as one
 * download (score_group()).  Bounded: GROUP_PENDING connections, oldest
 * dropped first.
 */
#ifndef FLOWGRAB_GROUP_H
#define FLOWGRAB_GROUP_H

#include "conn.h"
#include "score.h"

#define GROUP_PENDING 512
#define GROUP_MAX_PARTS 16

struct group_table;

/* @min_part: smallest connection payload considered a part */
struct group_table *group_new(uint64_t min_part, int64_t keep_ms);
void group_free(struct group_table *g);

/*
 * Offer a connection.  If @try_group (it matched nothing itself) and it
 * completes a group with remembered connections that matches a file,
 * fill @res (status MATCH_FOUND, parts > 1), drop the parts and return 1.
 * Otherwise remember @c and return 0, @res untouched.  Only connections
 * that matched nothing themselves are taken as parts.
 */
int group_offer(struct group_table *g, struct scorer *s,
    const struct connection *c, int64_t payload, int try_group,
    struct match_result *res);

/* Forget parts that ended more than keep_ms before @now_ms. */
void group_expire(struct group_table *g, int64_t now_ms);

#endif
