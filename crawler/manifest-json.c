/*
 * manifest-json.c - GitHub-style release JSON: one release object, or the
 * array the /releases endpoint returns; each release's assets[] give
 * browser_download_url and size (https://docs.github.com/en/rest/releases).
 * Parsed with jansson, whose parser bounds nesting depth and reports the
 * line and column of an error.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "crawl.h"
#include "manifest-int.h"

static int
release(struct mf_ctx *m, json_t *rel, size_t idx)
{
	json_t *assets = json_object_get(rel, "assets");
	const char *tag = json_string_value(json_object_get(rel, "tag_name"));
	size_t i;
	json_t *a;
	int rc;

	if (!json_is_array(assets))
		return crawl__mf_error(m, "release %zu%s%s%s: no assets array",
		    idx, tag ? " (" : "", tag ? tag : "", tag ? ")" : "");
	json_array_foreach(assets, i, a) {
		json_t *u = json_object_get(a, "browser_download_url");
		json_t *s = json_object_get(a, "size");
		const char *name = json_string_value(json_object_get(a, "name"));
		const char *upd = json_string_value(json_object_get(a,
		    "updated_at"));
		json_int_t size;
		int64_t ms = 0;

		if (!json_is_object(a) || !json_is_string(u))
			return crawl__mf_error(m, "release %s, asset %zu: no "
			    "browser_download_url", tag ? tag : "?", i);
		if (!json_is_integer(s) || (size = json_integer_value(s)) <= 0)
			return crawl__mf_error(m, "release %s, asset '%.80s': "
			    "size is not a positive integer", tag ? tag : "?",
			    name ? name : json_string_value(u));
		if (upd && fg_parse_iso8601_ms(upd, &ms) != 0)
			ms = 0;
		rc = crawl__mf_file(m, NULL, json_string_value(u),
		    json_string_length(u), (uint64_t)size, ms / 1000);
		if (rc)
			return rc;
	}
	return 0;
}

int
crawl__mf_github(struct mf_ctx *m, const char *text, size_t len)
{
	json_error_t e;
	json_t *root, *rel;
	size_t i;
	int rc = 0;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (root == NULL)
		return crawl__mf_error(m, "JSON: line %d column %d: %s", e.line,
		    e.column, e.text);
	if (json_is_object(root)) {
		rc = release(m, root, 0);
	} else if (json_is_array(root)) {
		json_array_foreach(root, i, rel) {
			if (!json_is_object(rel)) {
				rc = crawl__mf_error(m, "element %zu is not a "
				    "release object", i);
				break;
			}
			if ((rc = release(m, rel, i)) != 0)
				break;
		}
	} else {
		rc = crawl__mf_error(m, "JSON: neither a release nor a list of "
		    "releases");
	}
	json_decref(root);
	return rc;
}
