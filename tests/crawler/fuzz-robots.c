/*
 * fuzz-robots.c - libFuzzer harness: arbitrary robots.txt, then a few
 * paths matched against it.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "/", "/a/b.iso", "/x?y=1",
		"/%7Euser/a%2Fb", "/robots.txt", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaa$" };
	struct crawl_robots *r = crawl_robots_parse((const char *)data, size,
	    "flowgrab-crawler");
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		(void)crawl_robots_allowed(r, paths[i]);
	crawl_robots_free(r);
	return 0;
}
