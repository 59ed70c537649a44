/*
 * fuzz-seeds.c - libFuzzer harness: arbitrary seed file text; a file that
 * parses must answer the scope questions without trouble.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "seeds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct crawl_seeds s = { NULL, 0 };
	char err[600];
	char *text;
	size_t i;

	if (!init) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		init = 1;
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (crawl_seeds_parse(&s, "fuzz.seeds", text, err, sizeof(err)) == 0)
		for (i = 0; i < s.n; i++) {
			const char *u = "http://fuzz.example/pub/x.iso";

			(void)crawl_vendor_page_in_scope(&s.v[i], u);
			(void)crawl_vendor_download_in_scope(&s.v[i], u);
			(void)crawl_vendor_is_download(&s.v[i], u);
			(void)crawl_vendor_rejects(&s.v[i], u);
		}
	else if (!strstr(err, "fuzz.seeds"))
		abort();	/* every error names the file */
	crawl_seeds_free(&s);
	free(text);
	return 0;
}
