/*
 * report.h - how detections are written: table, CSV or JSON Lines, the
 * per-host inventory (--summary) and large unmatched transfers
 * (--unmatched).
 */
#ifndef FLOWGRAB_REPORT_H
#define FLOWGRAB_REPORT_H

#include <stdio.h>

#include "score.h"

enum report_format {
	REPORT_TABLE = 0,
	REPORT_CSV = 1,
	REPORT_JSON = 2,
};

/* "table", "csv", "json"; -1 if unknown */
int report_format_parse(const char *s);

struct report;

/*
 * @unmatched: also write transfers above --min-size that matched nothing.
 * @summary: keep detections for the per-client inventory written by
 * report_finish() (bounded; the overflow is counted and said).
 */
struct report *report_new(FILE *out, enum report_format fmt, int unmatched,
    int summary);

/* Write @m if it is a detection (or, with @unmatched, a miss). */
void report_result(struct report *r, const struct match_result *m);

/* Write the summary (if asked for) and flush. */
void report_finish(struct report *r);
void report_free(struct report *r);

/* Format an address of @family (4/6) into @buf (>= 46 bytes). */
const char *report_addr(uint8_t family, const uint8_t *a, char *buf,
    size_t len);

#endif
