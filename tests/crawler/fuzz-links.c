/*
 * fuzz-links.c - libFuzzer harness: arbitrary bytes as an HTML page
 * (first byte picks a charset), every link resolved and normalised.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "links.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_link(const char *url, void *arg)
{
	char *again = NULL;

	(*(unsigned *)arg)++;
	/* a normalised URL must normalise to itself */
	if (crawl_url_resolve(NULL, url, &again) == 0 && strcmp(again, url))
		abort();
	free(again);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cs[] = { NULL, "utf-8", "ISO-8859-1",
		"Shift_JIS", "UTF-16", "x-bogus" };
	static int init;
	unsigned n = 0;

	if (!init) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		xmlInitParser();
		init = 1;
	}
	if (size < 1)
		return 0;
	crawl_links_extract((const char *)data + 1, size - 1,
	    "http://fuzz.example/a/b/index.html", cs[data[0] % 6], 10000,
	    on_link, &n, NULL);
	return 0;
}
