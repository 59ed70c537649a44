/*
 * seen.h - the set of URLs a run has already queued, so that no URL is
 * fetched twice.  Holds 64-bit hashes, not strings: 16 bytes per URL at
 * most, which is what lets a million-URL crawl stay small.
 */
#ifndef FLOWGRAB_CRAWL_SEEN_H
#define FLOWGRAB_CRAWL_SEEN_H

#include <stddef.h>
#include <stdint.h>

struct crawl_seen;

struct crawl_seen *crawl_seen_new(void);
void crawl_seen_free(struct crawl_seen *s);
/* 1 if @url was not in the set (it is now), 0 if it was.  Thread-safe. */
int crawl_seen_add(struct crawl_seen *s, const char *url);
size_t crawl_seen_count(struct crawl_seen *s);
/* Bytes the set holds (for the memory figures of the benchmark). */
size_t crawl_seen_bytes(struct crawl_seen *s);
/* The hash used (FNV-1a 64 with a final mix). */
uint64_t crawl_seen_hash(const char *s);

#endif
