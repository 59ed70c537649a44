/*
 * fuzz-import.c - libFuzzer harness for the import CSV parser
 * (store/import.c, what flowgrab-store import reads): the first line is
 * the header, every other line a download.  A line that parses must
 * encode as a store value that decodes back to the same URL, size and
 * vendor (store/record.c), as store_put() would write it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../store/import.h"
#include "../../store/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(char *line, const struct store_import_cols *c)
{
	struct store_download d, back;
	struct fg_buf b;

	if (store_import_line(line, c, "fuzz", 0, &d) != NULL)
		return;
	if (!d.url || d.size == 0)
		abort();	/* accepted without a URL or a size */
	fg_buf_init(&b, 1 << 20);
	if (record_encode_download(&b, &d) == 0) {
		if (record_decode_download(b.data, b.len, &back) != 0 ||
		    back.size != d.size || strcmp(back.url, d.url) != 0 ||
		    strcmp(back.vendor, d.vendor ? d.vendor : "") != 0 ||
		    back.has_obs != d.has_obs ||
		    (d.has_obs && (back.obs.payload != d.obs.payload ||
		    back.obs.data_octets != d.obs.data_octets ||
		    strcmp(back.obs.label, d.obs.label) != 0)))
			abort();
	}
	fg_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_import_cols c;
	char *text, *line, *next;
	int have_header = 0;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';	/* import reads lines with fgets: no NUL inside
	                           matters, a line ends at the first one */
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!have_header) {
			if (store_import_header(line, &c) != NULL)
				break;
			have_header = 1;
			continue;
		}
		check_line(line, &c);
	}
	free(text);
	return 0;
}
