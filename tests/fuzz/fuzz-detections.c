/*
 * fuzz-detections.c - libFuzzer harness for the JSON Lines reader of
 * --from-detections (matcher/detections.c) and the HTML report it feeds
 * (matcher/html-report.c): any bytes as a detections file, every record
 * read kept, the page written to /dev/null.  The reader must name bad
 * lines and never crash; the page must be written whatever the names.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "detections.h"
#include "html-report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in, *out;
	struct detections_reader *r;
	struct html_report *h;
	struct detection d;
	char err[512];
	int rc, n = 0;

	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	r = detections_open_stream(in, "fuzz");
	h = html_report_new();
	while ((rc = detections_next(r, &d, err, sizeof(err))) != 0 && rc != -2 &&
	    n++ < 10000)
		if (rc > 0)
			html_report_add(h, &d);
	detections_close(r);
	fclose(in);
	out = fopen("/dev/null", "w");
	if (out) {
		html_report_print(h, out);
		fclose(out);
	}
	html_report_free(h);
	return 0;
}
