/*
 * html-report.h - the report an analyst looks at (--report FILE.html):
 * one self-contained HTML file, no network access when opened (styles
 * inline, charts as inline SVG drawn here), readable on screen and
 * printable.  See docs/report.md.
 *
 * It shows, per host, the inventory and a timeline of its downloads; per
 * vendor, which hosts downloaded which files, as a table and a bar
 * chart; ambiguous detections as their group of candidates; detections
 * below HTML_REPORT_SURE apart; large transfers that matched nothing, by
 * server; and the run's statistics and model settings.
 *
 * Everything in it that came from input (URLs, file and vendor names) is
 * untrusted and escaped.  Memory is bounded: at most HTML_REPORT_MAX
 * records are kept (the rest are counted and the report says so), and
 * long strings are cut.
 */
#ifndef FLOWGRAB_HTML_REPORT_H
#define FLOWGRAB_HTML_REPORT_H

#include <stddef.h>

#include "detections.h"
#include "store.h"

#define HTML_REPORT_MAX 200000
#define HTML_REPORT_STR_MAX 1024     /* bytes kept of a URL or name */
#define HTML_REPORT_SETTINGS 128
/* detections below this confidence are set apart (docs/how-it-works.md:
 * at 0.9 or more the file was right 98% of the time on the testbed) */
#define HTML_REPORT_SURE 0.9

struct html_report;

struct html_report *html_report_new(void);
void html_report_free(struct html_report *h);

/* Keep @d (a detection, or a transfer that matched nothing: url NULL). */
void html_report_add(struct html_report *h, const struct detection *d);

/*
 * A row of the "what this report is based on" tables: @section is
 * "run" (statistics) or "model" (settings); @key and @value are copied.
 * At most HTML_REPORT_SETTINGS rows.
 */
void html_report_setting(struct html_report *h, const char *section,
    const char *key, const char *value);

/*
 * Read what the store @st knows of the products the hosts have (call it
 * after the last html_report_add()): for each, the versions of its alive
 * downloads, so the report can say, per host, what newer versions it has
 * not fetched.  Products and versions come from store_product_parse().
 * Returns 0 or a store error.
 */
int html_report_use_store(struct html_report *h, struct store *st);

/* Write the page to @f (the fuzz harness; html_report_write() for
 * files).  0, or -1 on a write error. */
int html_report_print(struct html_report *h, FILE *f);

/* Write the report to @path (through a temporary file in the same
 * directory, renamed at the end).  0, or -1 with a message in @err. */
int html_report_write(struct html_report *h, const char *path, char *err,
    size_t errlen);

#endif
