/*
 * fuzz-manifest.c - libFuzzer harness for the manifest readers
 * (crawler/manifest*.c): the first byte picks the format (0 detects it,
 * 1-8 force one), the rest is the body, compressed or not.  Limits are
 * small so that a bomb is found quickly.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

static int
on_file(void *arg, const char *url, uint64_t size, int64_t mtime)
{
	(void)arg;
	(void)mtime;
	return url[0] == '\0' || size == 0;	/* never: checks the contract */
}

static int
on_manifest(void *arg, const char *url, int format, uint64_t expect)
{
	(void)arg;
	(void)expect;
	return url[0] == '\0' || format < 0 || format > MF_MAX;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const urls[] = {
		"https://deb.example/debian/dists/stable/InRelease",
		"https://rpm.example/repo/repodata/repomd.xml",
		"https://dl.example/pub/",
	};
	struct crawl_manifest_limits lim = { 1u << 20, 10000 };
	struct crawl_manifest_cb cb = { on_file, on_manifest, NULL };
	char err[256];
	int format, detected;

	if (size < 1)
		return 0;
	format = data[0] % (MF_MAX + 1);
	crawl_manifest_parse(urls[data[0] % 3], (const char *)data + 1,
	    size - 1, format, data[0] & 0x80 ? "text/html" : NULL, &lim, &cb,
	    &detected, err, sizeof(err));
	return 0;
}
