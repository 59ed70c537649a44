/*
 * writer.h - the one thread that writes the store.  Workers hand it
 * changes; it applies them in order in write transactions of many changes
 * each (LMDB allows one writer, and a commit per change would be an fsync
 * per URL).
 */
#ifndef FLOWGRAB_CRAWL_WRITER_H
#define FLOWGRAB_CRAWL_WRITER_H

#include <stdint.h>

#include "report.h"
#include "store.h"

struct crawl_writer;

/* Start the thread.  @stats gets the store_put() outcomes. */
struct crawl_writer *crawl_writer_start(struct store *st,
    struct crawl_stats *stats);

/* Queue changes (copied; applied in the order queued). */
void crawl_writer_put(struct crawl_writer *w, const struct store_download *d);
void crawl_writer_gone(struct crawl_writer *w, const char *url);
/* The download at @url was confirmed unchanged (store_touch()). */
void crawl_writer_touch(struct crawl_writer *w, const char *url);
void crawl_writer_page(struct crawl_writer *w, const struct store_page *p);
void crawl_writer_fadd(struct crawl_writer *w, const char *url,
    const char *vendor, unsigned depth, unsigned kind);
void crawl_writer_fdel(struct crawl_writer *w, const char *url);

/* Non-zero once a commit has failed (the error code). */
int crawl_writer_failed(struct crawl_writer *w);

/* Apply and commit everything queued, stop the thread, free @w.
 * Returns 0 or the first store error. */
int crawl_writer_stop(struct crawl_writer *w);

#endif
