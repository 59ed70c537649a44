/*
 * manifest-deb.c - Debian and Ubuntu archives: dists/SUITE/InRelease or
 * Release (which Packages indices there are, and their sizes) and the
 * Packages indices (Filename and Size of each .deb).  Both are RFC 822
 * style control files (Debian Policy 5.1; the Release format is
 * https://wiki.debian.org/DebianRepository/Format).
 *
 * The InRelease signature is not checked: the sizes are references for
 * matching, nothing is installed from them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl.h"
#include "manifest-int.h"

/* Iterate lines of @text: *@p advances; @line gets the line (no '\n', a
 * trailing '\r' dropped) and its length.  0 at the end. */
static int
next_line(const char **p, const char *end, const char **line, size_t *n)
{
	const char *s = *p, *e;

	if (s >= end)
		return 0;
	e = memchr(s, '\n', (size_t)(end - s));
	if (e == NULL)
		e = end;
	*line = s;
	*n = (size_t)(e - s);
	if (*n > 0 && s[*n - 1] == '\r')
		(*n)--;
	*p = e < end ? e + 1 : end;
	return 1;
}

static int
field_is(const char *line, size_t n, const char *name)
{
	size_t l = strlen(name);

	return n > l && line[l] == ':' && strncasecmp(line, name, l) == 0;
}

/* ---- Release ---------------------------------------------------------- */

struct index {
	char dir[600];           /* "main/binary-amd64": as long as path */
	char path[600];
	uint64_t size;
	int rank;                /* xz 3, gz 2, plain 1 */
};

#define MAX_INDICES 4096

/* "main/binary-amd64/Packages.xz": rank of the name, 0 if not a binary
 * Packages index we read. */
static int
index_rank(const char *path, size_t n)
{
	const char *slash = NULL, *name;
	size_t i;

	for (i = n; i > 0; i--)
		if (path[i - 1] == '/') {
			slash = path + i - 1;
			break;
		}
	name = slash ? slash + 1 : path;
	n -= (size_t)(name - path);
	if (n == 8 && memcmp(name, "Packages", 8) == 0)
		return 1;
	if (n == 11 && memcmp(name, "Packages.gz", 11) == 0)
		return 2;
	if (n == 11 && memcmp(name, "Packages.xz", 11) == 0)
		return 3;
	return 0;
}

int
crawl__mf_deb_release(struct mf_ctx *m, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *line, *want = NULL;
	static const char *const hashes[] = { "SHA256", "SHA1", "MD5Sum" };
	struct index *ix = NULL;
	size_t n, nix = 0, i, k;
	unsigned lineno = 0;
	int signed_msg = 0, in_body = 1, in_field = 0, rc = 0, seen_field = 0;

	/* which checksum list to read: the strongest present */
	for (k = 0; k < 3 && want == NULL; k++) {
		const char *q = text;

		while (next_line(&q, end, &line, &n))
			if (field_is(line, n, hashes[k])) {
				want = hashes[k];
				break;
			}
	}
	if (len >= 34 && memcmp(text, "-----BEGIN PGP SIGNED MESSAGE-----",
	    34) == 0) {
		signed_msg = 1;
		in_body = 0;
	}
	while (next_line(&p, end, &line, &n)) {
		lineno++;
		if (signed_msg && !in_body) {
			/* the armor header lines ("Hash: SHA512") end at a
			 * blank line (RFC 4880 7) */
			if (n == 0)
				in_body = 1;
			continue;
		}
		if (signed_msg && n >= 29 && memcmp(line,
		    "-----BEGIN PGP SIGNATURE-----", 29) == 0)
			break;
		if (signed_msg && n >= 2 && line[0] == '-' && line[1] == ' ') {
			line += 2;	/* dash-escaped (RFC 4880 7.1) */
			n -= 2;
		}
		if (n == 0)
			continue;
		if (line[0] != ' ' && line[0] != '\t') {
			const char *colon = memchr(line, ':', n);

			if (colon == NULL) {
				rc = crawl__mf_error(m, "line %u: not a "
				    "'Field: value' line", lineno);
				goto out;
			}
			seen_field = 1;
			in_field = want && field_is(line, n, want);
			continue;
		}
		if (!in_field)
			continue;
		{
			/* " <checksum> <size> <path>" */
			const char *f[3];
			size_t fl[3], j = 0, q = 0;
			uint64_t size;
			int r;

			while (q < n && j < 3) {
				while (q < n && (line[q] == ' ' || line[q] == '\t'))
					q++;
				if (q >= n)
					break;
				f[j] = line + q;
				while (q < n && line[q] != ' ' && line[q] != '\t')
					q++;
				fl[j] = (size_t)(line + q - f[j]);
				j++;
			}
			if (j != 3) {
				rc = crawl__mf_error(m, "line %u: %s entry is not "
				    "'checksum size path'", lineno, want);
				goto out;
			}
			if (crawl__mf_size(f[1], fl[1], &size) != 0) {
				/* an empty index has size 0: nothing to read */
				if (fl[1] == 1 && f[1][0] == '0')
					continue;
				rc = crawl__mf_error(m, "line %u: size '%.*s' is "
				    "not a number", lineno, (int)(fl[1] > 40 ? 40 :
				    fl[1]), f[1]);
				goto out;
			}
			r = index_rank(f[2], fl[2]);
			if (r == 0 || fl[2] >= sizeof(ix[0].path))
				continue;
			/* one index per directory: the best compressed */
			{
				size_t dl = 0;

				for (i = fl[2]; i > 0; i--)
					if (f[2][i - 1] == '/') {
						dl = i - 1;
						break;
					}
				for (i = 0; i < nix; i++)
					if (strlen(ix[i].dir) == dl &&
					    memcmp(ix[i].dir, f[2], dl) == 0)
						break;
				if (i == nix) {
					if (nix == MAX_INDICES) {
						rc = crawl__mf_error(m, "more than "
						    "%d Packages indices", MAX_INDICES);
						goto out;
					}
					ix = fg_reallocarray(ix, nix + 1,
					    sizeof(*ix));
					memcpy(ix[nix].dir, f[2], dl);
					ix[nix].dir[dl] = '\0';
					ix[nix].rank = 0;
					nix++;
				}
				if (r > ix[i].rank) {
					ix[i].rank = r;
					ix[i].size = size;
					memcpy(ix[i].path, f[2], fl[2]);
					ix[i].path[fl[2]] = '\0';
				}
			}
		}
	}
	if (!seen_field) {
		rc = crawl__mf_error(m, "no fields: not a Release file");
		goto out;
	}
	if (want == NULL) {
		rc = crawl__mf_error(m, "no SHA256, SHA1 or MD5Sum list of "
		    "indices");
		goto out;
	}
	if (nix == 0) {
		rc = crawl__mf_error(m, "lists no binary Packages index");
		goto out;
	}
	for (i = 0; i < nix && rc == 0; i++)
		rc = crawl__mf_manifest(m, NULL, ix[i].path, strlen(ix[i].path),
		    MF_DEB_PACKAGES, ix[i].size);
out:
	free(ix);
	return rc;
}

/* ---- Packages ----------------------------------------------------------- */

int
crawl__mf_deb_packages(struct mf_ctx *m, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *line, *fn = NULL, *dists;
	char *root = NULL;
	size_t n, fnl = 0;
	unsigned lineno = 0, start = 0;
	uint64_t size = 0;
	int have_size = 0, bad_size = 0, in_stanza = 0, rc = 0, last;

	/* Filename is relative to the archive root, the directory that
	 * holds dists/ (a flat repository: the index's own directory) */
	dists = strstr(m->url, "/dists/");
	if (dists != NULL)
		root = fg_strndup(m->url, (size_t)(dists - m->url) + 1);
	for (;;) {
		last = !next_line(&p, end, &line, &n);
		if (!last)
			lineno++;
		if (last || n == 0) {
			if (in_stanza) {
				if (fn == NULL) {
					rc = crawl__mf_error(m, "line %u: a "
					    "package without Filename", start);
					break;
				}
				if (!have_size || bad_size) {
					rc = crawl__mf_error(m, "line %u: package "
					    "'%.*s' has %s Size", start, (int)(fnl >
					    120 ? 120 : fnl), fn, bad_size ?
					    "a malformed" : "no");
					break;
				}
				rc = crawl__mf_file(m, root, fn, fnl, size, 0);
				if (rc)
					break;
			}
			in_stanza = 0;
			fn = NULL;
			have_size = bad_size = 0;
			if (last)
				break;
			continue;
		}
		if (!in_stanza) {
			in_stanza = 1;
			start = lineno;
		}
		if (line[0] == ' ' || line[0] == '\t')
			continue;	/* a continuation (Description) */
		if (memchr(line, ':', n) == NULL) {
			rc = crawl__mf_error(m, "line %u: not a 'Field: value' "
			    "line", lineno);
			break;
		}
		if (field_is(line, n, "Filename")) {
			fn = line + 9;
			fnl = n - 9;
			while (fnl > 0 && (*fn == ' ' || *fn == '\t'))
				fn++, fnl--;
			while (fnl > 0 && (fn[fnl - 1] == ' '))
				fnl--;
		} else if (field_is(line, n, "Size")) {
			have_size = 1;
			bad_size = crawl__mf_size(line + 5, n - 5, &size) != 0;
		}
	}
	free(root);
	return rc;
}
