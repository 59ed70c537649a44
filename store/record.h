/*
 * record.h - the byte layout of the store's values (internal to store/).
 *
 * Values are compact: unsigned LEB128 varints for numbers and times, and
 * strings as varint length + bytes + NUL, so that decoded strings can point
 * straight into LMDB's map without a copy.  docs/store.md has the layout.
 */
#ifndef FLOWGRAB_RECORD_H
#define FLOWGRAB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

#define RECORD_VERSION 1

/* Encode @d (with @url already validated) into @b (cleared first).
 * Returns 0 or STORE_ETOOLONG. */
int record_encode_download(struct fg_buf *b, const struct store_download *d);
/* Decode a download value; strings point into @p.  0 or STORE_ECORRUPT. */
int record_decode_download(const void *p, size_t len, struct store_download *d);

int record_encode_page(struct fg_buf *b, const struct store_page *p);
int record_decode_page(const void *v, size_t len, struct store_page *p);

/* Frontier queue value: depth, kind, vendor, url. */
int record_encode_item(struct fg_buf *b, const struct store_frontier_item *it);
int record_decode_item(const void *v, size_t len, struct store_frontier_item *it);

/* The file-name default: the last path segment of @url when it has no
 * query, else NULL (the name is then stored explicitly). */
const char *record_url_basename(const char *url);

#endif
