/*
 * fuzz-url.c - libFuzzer harness: arbitrary references resolved against a
 * base; the result must be idempotent and within CRAWL_URL_MAX.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "crawl.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	char *ref, *out = NULL, *again = NULL, key[600], ext[16];
	const char *why;

	if (!init) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		init = 1;
	}
	ref = malloc(size + 1);
	if (!ref)
		return 0;
	memcpy(ref, data, size);
	ref[size] = '\0';
	if (crawl_url_resolve("https://fuzz.example:8443/a/b/c.html?q=1", ref,
	    &out) == 0) {
		if (strlen(out) > CRAWL_URL_MAX)
			abort();
		if (crawl_url_resolve(NULL, out, &again) != 0 ||
		    strcmp(again, out) != 0)
			abort();
		(void)crawl_url_host_key(out, key, sizeof(key));
		(void)crawl_url_trap(out, &why);
		(void)crawl_url_pagelike(out);
		crawl_url_ext(out, ext, sizeof(ext));
		free(crawl_url_dir(out));
	}
	free(again);
	free(out);
	free(ref);
	return 0;
}
