/*
 * html-run.h - feeding the HTML report (html-report.h) from a run of
 * flowgrab-matcher: its statistics, the model's settings, the store, and
 * --from-detections (JSON Lines of earlier runs, detections.h).
 */
#ifndef FLOWGRAB_HTML_RUN_H
#define FLOWGRAB_HTML_RUN_H

#include "html-report.h"
#include "input/input.h"
#include "match.h"
#include "store.h"

/* The model's settings (options) as "model" rows. */
void html_run_model(struct html_report *h, const struct match_options *o);
/* The run's counters as "run" rows; @input says what was read. */
void html_run_stats(struct html_report *h, const char *input,
    const struct match_stats *s, const struct flow_input_stats *in);
/* The store's path and size as "run" rows, and the versions it knows
 * of the hosts' products (html_report_use_store()); call it after the
 * last detection was added. */
void html_run_store(struct html_report *h, struct store *st);
/*
 * Read @files (JSON Lines of --format json, "-" for stdin) into @h.  A
 * line that is not one of ours is named (file:line: why) on stderr and
 * skipped; with @strict it ends the reading.  Returns 0, or 1 if a file
 * could not be read (or, with @strict, a line was bad).
 */
int html_run_from_detections(struct html_report *h, char *const *files,
    int nfiles, int strict);

#endif
