/*
 * text.h - the body of the text input fuzz harnesses (included by
 * fuzz-nfdump-csv.c and fuzz-softflowctl.c, which name the format).  The
 * input is the text, read through flow_read_stream() with the format forced
 * (and, every other run, detected) as a file would be.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "../../matcher/input/input.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(const struct flow_record *r, void *arg)
{
	(void)arg;
	return r->octets == 0xffffffffffffffffULL && r->family == 99;
}

static int fuzz_text(const uint8_t *data, size_t size, const char *format,
    const char *name)
{
	static int init, flip;
	FILE *f;

	/* bad lines are reported on stderr: run.sh passes -close_fd_mask=2 */
	if (!init) {
		fg_log_init(name, FG_LOG_QUIET);
		init = 1;
	}
	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	flow_read_stream(f, "fuzz", (flip ^= 1) ? format : NULL, 0, sink, NULL, NULL);
	fclose(f);
	return 0;
}
