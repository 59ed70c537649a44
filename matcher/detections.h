/*
 * detections.h - reading back the JSON Lines that flowgrab-matcher
 * --format json writes (report.c), so that a month of a collector's
 * output can be turned into a report (--report ... --from-detections).
 *
 * The file is untrusted (anyone who can write to the log, or a truncated
 * copy): the parser here reads only our own format, flat objects whose
 * values are strings, numbers, true/false/null, and the "rivals" array of
 * flat objects; anything else is an error naming the file and line.
 * Bounded: lines of at most DETECTIONS_LINE_MAX bytes, nesting of at most
 * DETECTIONS_DEPTH, strings decoded into the line's own buffer.
 * The per-host summary lines (--summary, "summary":true) are skipped.
 */
#ifndef FLOWGRAB_DETECTIONS_H
#define FLOWGRAB_DETECTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "score.h"

#define DETECTIONS_LINE_MAX 65536
#define DETECTIONS_DEPTH 4

/* One detection, or one large transfer that matched nothing (url NULL). */
struct detection {
	char client[64], server[64];    /* numeric addresses */
	unsigned client_port, server_port;
	int64_t start_ms, end_ms;
	uint64_t bytes;                 /* server to client, as counted */
	int64_t est_size;
	uint64_t size;                  /* of the file named, 0 if none */
	double confidence;
	uint32_t candidates;
	int tls, parts, learned;
	const char *url, *file, *vendor;/* NULL: matched nothing */
	const char *source;             /* the reference's ("crawler",
	                                   "observed", ...), NULL if unknown */
	const char *label;              /* an observed reference's, or NULL */
	int nrivals;
	const char *rivals[MATCH_MAX_RIVALS]; /* their URLs */
};

struct detections_reader;

/* Open @path ("-": stdin).  NULL with a message in @err on failure. */
struct detections_reader *detections_open(const char *path, char *err,
    size_t errlen);

/* Read from @f, named @name in messages; @f stays the caller's. */
struct detections_reader *detections_open_stream(FILE *f, const char *name);

/*
 * The next record into @d; its strings live in the reader until the next
 * call.  Returns 1, 0 at the end, or -1 for a line that is not one of
 * ours: @err then says "FILE:LINE: why" and the next call goes on with
 * the following line.  An I/O error is -2 (the end).
 */
int detections_next(struct detections_reader *r, struct detection *d,
    char *err, size_t errlen);

/* Lines read so far. */
uint64_t detections_lines(const struct detections_reader *r);

void detections_close(struct detections_reader *r);

/* Fill @d from a matcher result (strings point into @res). */
void detection_from_result(struct detection *d, const struct match_result *res);

#endif
