/*
 * seeds.c - reads seed files (docs/seeds.md) into vendors, and answers the
 * per-vendor scope questions the crawl asks of each link.
 *
 * A seed file is written by hand, so every mistake is reported with its
 * file and line, and the first one stops the run before anything is
 * fetched.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl.h"
#include "manifest.h"
#include "seeds.h"
#include "url.h"
#include "util.h"

/* Bounds that keep a hand-written (or hostile) seed file reasonable. */
#define SEEDS_MAX_FILE (4u << 20)
#define SEEDS_MAX_LINE 4096
#define SEEDS_MAX_DEPTH 64
#define SEEDS_MAX_VENDORS 10000

/* @n URLs and their prefixes (a vendor's starts or manifests). */
static void urls_free(char **urls, char **prefixes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(urls[i]);
		free(prefixes[i]);
	}
	free(urls);
	free(prefixes);
}

static void vendor_free(struct crawl_vendor *v)
{
	size_t i;

	urls_free(v->starts, v->prefixes, v->nstarts);
	urls_free(v->manifests, v->mprefixes, v->nmanifests);
	for (i = 0; i < v->nhosts; i++)
		free(v->hosts[i]);
	free(v->hosts);
	for (i = 0; i < v->ndl_hosts; i++)
		free(v->dl_hosts[i]);
	free(v->dl_hosts);
	for (i = 0; i < v->nexts; i++)
		free(v->exts[i]);
	free(v->exts);
	if (v->has_scope_re)
		regfree(&v->scope_re);
	if (v->has_dl_re)
		regfree(&v->dl_re);
	if (v->has_reject_re)
		regfree(&v->reject_re);
	free(v->name);
	free(v->file);
	memset(v, 0, sizeof(*v));
}

void crawl_seeds_free(struct crawl_seeds *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		vendor_free(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int crawl_seeds_find(const struct crawl_seeds *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return (int)i;
	return -1;
}

static struct crawl_vendor *vendor_new(struct crawl_seeds *s,
    const char *name, const char *file, unsigned line)
{
	struct crawl_vendor *v;

	s->v = fg_reallocarray(s->v, s->n + 1, sizeof(*s->v));
	v = &s->v[s->n++];
	memset(v, 0, sizeof(*v));
	v->name = fg_strdup(name);
	v->file = fg_strdup(file);
	v->line = line;
	v->scope = CRAWL_SCOPE_PREFIX;
	v->depth = 10;
	v->delay = -1;
	return v;
}

static void add_str(char ***arr, size_t *n, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*arr)[i], s) == 0)
			return;
	*arr = fg_reallocarray(*arr, *n + 1, sizeof(**arr));
	(*arr)[(*n)++] = fg_strdup(s);
}

/*
 * A start URL or a manifest's URL (@urls, @prefixes, @n: the vendor's
 * list of either): normalised, its directory kept as a prefix for the
 * prefix scope, its host added to the vendor's.
 */
static int add_url(struct crawl_vendor *v, char ***urls, char ***prefixes,
    size_t *n, const char *url, char *msg, size_t msglen)
{
	char *norm = NULL;
	char host[256];
	int rc;

	rc = crawl_url_resolve(NULL, url, &norm);
	if (rc) {
		snprintf(msg, msglen, "%s: %s", url, rc == CRAWL_ETOOLONG ?
		    "URL too long" : "not an http or https URL");
		return CRAWL_EINVAL;
	}
	if (crawl_url_host(norm, host, sizeof(host)) != 0) {
		snprintf(msg, msglen, "%s: no host", url);
		free(norm);
		return CRAWL_EINVAL;
	}
	*urls = fg_reallocarray(*urls, *n + 1, sizeof(char *));
	*prefixes = fg_reallocarray(*prefixes, *n + 1, sizeof(char *));
	(*prefixes)[*n] = crawl_url_dir(norm);
	(*urls)[(*n)++] = norm;
	add_str(&v->hosts, &v->nhosts, host);
	return 0;
}

static int add_start(struct crawl_vendor *v, const char *url, char *msg,
    size_t msglen)
{
	return add_url(v, &v->starts, &v->prefixes, &v->nstarts, url, msg,
	    msglen);
}

static int add_manifest(struct crawl_vendor *v, const char *url, char *msg,
    size_t msglen)
{
	return add_url(v, &v->manifests, &v->mprefixes, &v->nmanifests, url,
	    msg, msglen);
}

/* Split a space/comma separated list; each word lowercased if @lower. */
static int add_words(char ***arr, size_t *n, const char *val, int lower,
    int strip_dot)
{
	char *copy = fg_strdup(val), *save = NULL, *w;
	int count = 0;

	for (w = strtok_r(copy, " \t,", &save); w; w = strtok_r(NULL, " \t,",
	    &save)) {
		size_t i;

		if (strip_dot && w[0] == '.')
			w++;
		if (!w[0])
			continue;
		if (lower)
			for (i = 0; w[i]; i++)
				w[i] = (char)tolower((unsigned char)w[i]);
		add_str(arr, n, w);
		count++;
	}
	free(copy);
	return count;
}

/*
 * Longest regular expression accepted, the largest {n,m} count, the
 * deepest nesting of groups, and the most nodes its compiled form may
 * hold as re_size() counts them.
 */
#define SEEDS_MAX_RE 512
#define SEEDS_MAX_REPEAT 100
#define SEEDS_MAX_NESTING 16
#define SEEDS_MAX_NODES 20000

/* Past the bracket expression at @p ('['), or NULL if it never ends. */
static const char *skip_bracket(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			char k = p[1];

			for (p += 2; *p && !(*p == k && p[1] == ']'); p++)
				;
			if (!*p)
				return NULL;
			p += 2;
			continue;
		}
		p++;
	}
	return *p ? p + 1 : NULL;
}

/* A well-formed interval {n}, {n,} or {n,m} at @p: its larger count into
 * *@max (above SEEDS_MAX_REPEAT: some larger number), and what follows
 * the '}'; NULL where @p starts none (a literal '{'). */
static const char *interval(const char *p, unsigned long *max)
{
	unsigned long n = 0, m = 0;
	int digits = 0;

	for (p++; *p >= '0' && *p <= '9'; p++, digits++)
		if (n <= SEEDS_MAX_REPEAT)
			n = n * 10 + (unsigned long)(*p - '0');
	if (!digits)
		return NULL;
	if (*p == ',')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (m <= SEEDS_MAX_REPEAT)
				m = m * 10 + (unsigned long)(*p - '0');
	if (*p != '}')
		return NULL;
	*max = m > n ? m : n;
	return p + 1;
}

struct re_scan {
	const char *p;              /* the next character */
	const char *why;            /* set: refused */
};

/*
 * The nodes an extended regular expression compiles to in glibc's
 * regcomp(), counted the way it builds them: a concatenation or an
 * alternation the sum of its parts, and a repeated part copied (X+ as
 * X X*, X{n,m} as m copies and one more), so that stacked quantifiers
 * ("a+++...": each doubles what it follows) and quantified groups nested
 * in quantified groups ("((a+)+)+...") grow as the compiler's memory
 * does.  Reads from @s->p up to an unmatched ')' or the end.
 */
static double re_size(struct re_scan *s, int depth)
{
	double total = 0, branch = 0, last = 0;
	int quant = 0;

	if (depth > SEEDS_MAX_NESTING) {
		s->why = "groups nested more than 16 deep";
		return 0;
	}
	while (*s->p && *s->p != ')' && !s->why) {
		const char *p = s->p, *q = NULL;
		unsigned long max = 0;
		double atom = 1, f;

		switch (*p) {
		case '|':
			total += branch;
			branch = last = 0;
			quant = 0;
			s->p++;
			continue;
		case '(':
			s->p++;
			atom = re_size(s, depth + 1) + 1;
			if (*s->p == ')')
				s->p++;
			break;
		case '[':
			q = skip_bracket(p);
			s->p = q ? q : p + strlen(p);
			break;
		case '\\':
			s->p += p[1] ? 2 : 1;
			break;
		case '{':
			if (!(q = interval(p, &max))) {
				s->p++;         /* a '{' that starts no count */
				break;
			}
			FG_FALLTHROUGH;
		case '+':
		case '*':
		case '?':
			s->p = q ? q : p + 1;
			if (last == 0)          /* nothing before it to repeat */
				break;
			if (quant) {
				s->why = "stacked quantifiers";
				return 0;
			}
			if (max > SEEDS_MAX_REPEAT) {
				s->why = "repeat count above 100";
				return 0;
			}
			f = *p == '+' ? 2 : *p == '{' ? (double)max + 1 : 1;
			branch += last * (f - 1);
			last *= f;
			quant = 1;
			continue;
		default:
			s->p++;
		}
		branch += atom;
		last = atom;
		quant = 0;
	}
	return total + branch;
}

/*
 * glibc's regcomp() takes memory exponential in stacked quantifiers
 * ("a+++...") and in nested repetition ("(a{1000}){1000}", "((a+)+)+"):
 * a seed file must not be able to exhaust memory, so such patterns are
 * refused.  (A '{' inside a bracket expression once ended the check:
 * bench/fuzz/campaign.sh, fuzz-seeds, 2026-12-08, 2.2 GB.)
 */
static const char *regex_unsafe(const char *re)
{
	struct re_scan s = { re, NULL };
	double nodes = 0;

	if (strlen(re) > SEEDS_MAX_RE)
		return "longer than 512 bytes";
	while (*s.p && !s.why) {
		nodes += re_size(&s, 0);
		if (*s.p == ')')
			s.p++;              /* unmatched: regcomp() says so */
	}
	if (s.why)
		return s.why;
	if (nodes > SEEDS_MAX_NODES)
		return "would compile to more than 20000 nodes";
	return NULL;
}

static int compile_re(regex_t *re, int *has, const char *val, char *msg,
    size_t msglen)
{
	const char *why = regex_unsafe(val);
	int rc;

	if (why) {
		snprintf(msg, msglen, "regular expression '%.60s': %s", val, why);
		return CRAWL_EINVAL;
	}

	if (*has) {
		regfree(re);
		*has = 0;
	}
	rc = regcomp(re, val, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char e[128];

		regerror(rc, re, e, sizeof(e));
		snprintf(msg, msglen, "bad regular expression '%s': %s", val, e);
		return CRAWL_EINVAL;
	}
	*has = 1;
	return 0;
}

/* Seconds, with an optional unit: "2", "0.5", "500ms", "2s", "1m". */
static int parse_delay(const char *s, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || d < 0 || d > 3600)
		return -1;
	if (strcmp(end, "ms") == 0)
		d /= 1000;
	else if (strcmp(end, "m") == 0)
		d *= 60;
	else if (*end && strcmp(end, "s") != 0)
		return -1;
	if (d > 3600)
		return -1;
	*out = d;
	return 0;
}

/* @key's value @val, a whole number from @lo to @hi into @n; @lo_note
 * says what @lo means, if anything. */
static int parse_count(const char *key, const char *val, uint64_t lo,
    const char *lo_note, uint64_t hi, uint64_t *n, char *msg, size_t msglen)
{
	if (fg_parse_uint(val, lo, hi, n) == 0)
		return 0;
	snprintf(msg, msglen, "%s must be a number from %llu%s to %llu, not "
	    "'%s'", key, (unsigned long long)lo, lo_note,
	    (unsigned long long)hi, val);
	return CRAWL_EINVAL;
}

static int set_key(struct crawl_vendor *v, const char *key, const char *val,
    char *msg, size_t msglen)
{
	uint64_t n;

	if (strcmp(key, "start") == 0 || strcmp(key, "url") == 0)
		return add_start(v, val, msg, msglen);
	if (strcmp(key, "manifest") == 0)
		return add_manifest(v, val, msg, msglen);
	if (strcmp(key, "manifest-format") == 0) {
		int f = crawl_manifest_format_parse(val);

		if (f < 0) {
			snprintf(msg, msglen, "manifest-format must be auto, deb, "
			    "deb-release, deb-packages, rpm, rpm-repomd, "
			    "rpm-primary, github, appcast, metalink or listing, "
			    "not '%s'", val);
			return CRAWL_EINVAL;
		}
		v->mformat = f;
		return 0;
	}
	if (strcmp(key, "listing-sample") == 0) {
		if (parse_count(key, val, 0, " (probe none)", 1000000, &n, msg,
		    msglen) < 0)
			return CRAWL_EINVAL;
		v->listing_sample = (unsigned)n;
		v->has_listing_sample = 1;
		return 0;
	}
	if (strcmp(key, "scope") == 0) {
		if (strcmp(val, "prefix") == 0)
			v->scope = CRAWL_SCOPE_PREFIX;
		else if (strcmp(val, "host") == 0)
			v->scope = CRAWL_SCOPE_HOST;
		else if (strcmp(val, "regex") == 0)
			v->scope = CRAWL_SCOPE_REGEX;
		else {
			snprintf(msg, msglen, "scope must be prefix, host or "
			    "regex, not '%s'", val);
			return CRAWL_EINVAL;
		}
		return 0;
	}
	if (strcmp(key, "scope-regex") == 0)
		return compile_re(&v->scope_re, &v->has_scope_re, val, msg, msglen);
	if (strcmp(key, "download-regex") == 0)
		return compile_re(&v->dl_re, &v->has_dl_re, val, msg, msglen);
	if (strcmp(key, "reject-regex") == 0)
		return compile_re(&v->reject_re, &v->has_reject_re, val, msg,
		    msglen);
	if (strcmp(key, "download-ext") == 0) {
		if (add_words(&v->exts, &v->nexts, val, 1, 1) == 0) {
			snprintf(msg, msglen, "download-ext needs at least one "
			    "extension");
			return CRAWL_EINVAL;
		}
		return 0;
	}
	if (strcmp(key, "download-host") == 0 || strcmp(key, "host") == 0) {
		if (add_words(strcmp(key, "host") == 0 ? &v->hosts : &v->dl_hosts,
		    strcmp(key, "host") == 0 ? &v->nhosts : &v->ndl_hosts, val,
		    1, 0) == 0) {
			snprintf(msg, msglen, "%s needs at least one host name",
			    key);
			return CRAWL_EINVAL;
		}
		return 0;
	}
	if (strcmp(key, "depth") == 0) {
		if (parse_count(key, val, 0, "", SEEDS_MAX_DEPTH, &n, msg,
		    msglen) < 0)
			return CRAWL_EINVAL;
		v->depth = (unsigned)n;
		return 0;
	}
	if (strcmp(key, "per-host") == 0) {
		if (parse_count(key, val, 1, "", 64, &n, msg, msglen) < 0)
			return CRAWL_EINVAL;
		v->per_host = (unsigned)n;
		return 0;
	}
	if (strcmp(key, "min-size") == 0) {
		if (fg_parse_size(val, &n) < 0) {
			snprintf(msg, msglen, "min-size must be a size such as "
			    "1M or 500k, not '%s'", val);
			return CRAWL_EINVAL;
		}
		v->min_size = n;
		v->has_min_size = 1;
		return 0;
	}
	if (strcmp(key, "delay") == 0) {
		if (parse_delay(val, &v->delay) < 0) {
			snprintf(msg, msglen, "delay must be seconds such as 1, "
			    "0.5 or 500ms (at most 1h), not '%s'", val);
			return CRAWL_EINVAL;
		}
		return 0;
	}
	if (strcmp(key, "allow-query") == 0) {
		if (strcmp(val, "yes") == 0)
			v->allow_query = 1;
		else if (strcmp(val, "no") == 0)
			v->allow_query = 0;
		else {
			snprintf(msg, msglen, "allow-query must be yes or no, "
			    "not '%s'", val);
			return CRAWL_EINVAL;
		}
		return 0;
	}
	snprintf(msg, msglen, "unknown key '%s'", key);
	return CRAWL_EINVAL;
}

static int valid_name(const char *s)
{
	size_t i;

	if (!s[0] || strlen(s) > 64)
		return 0;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.+", s[i]))
			return 0;
	return 1;
}

/* Checks once a section is complete. */
static int vendor_finish(struct crawl_vendor *v, char *msg, size_t msglen)
{
	if (v->nstarts == 0 && v->nmanifests == 0) {
		snprintf(msg, msglen, "vendor '%s' has no start URL and no "
		    "manifest", v->name);
		return CRAWL_EINVAL;
	}
	if (v->scope == CRAWL_SCOPE_REGEX && !v->has_scope_re) {
		snprintf(msg, msglen, "vendor '%s' has scope = regex but no "
		    "scope-regex", v->name);
		return CRAWL_EINVAL;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int crawl_seeds_parse(struct crawl_seeds *s, const char *name,
    const char *text, char *err, size_t errlen)
{
	const char *p = text;
	unsigned line = 0, cur_line = 0;
	struct crawl_vendor *cur = NULL;
	size_t first = s->n;
	char msg[512];
	char buf[SEEDS_MAX_LINE + 2];
	int rc = 0;

	err[0] = '\0';
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *l, *eq, *key, *val;

		line++;
		if (len > SEEDS_MAX_LINE) {
			snprintf(msg, sizeof(msg), "line longer than %d bytes",
			    SEEDS_MAX_LINE);
			goto bad;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len;
		if (*p)
			p++;
		if (memchr(buf, '\0', len)) {
			snprintf(msg, sizeof(msg), "NUL byte in line");
			goto bad;
		}
		l = trim(buf);
		if (!l[0] || l[0] == '#' || l[0] == ';')
			continue;
		if (l[0] == '[') {
			char *close = strchr(l, ']');

			if (!close || trim(close + 1)[0]) {
				snprintf(msg, sizeof(msg), "section header must be "
				    "[vendor-name]");
				goto bad;
			}
			*close = '\0';
			l = trim(l + 1);
			if (!valid_name(l)) {
				snprintf(msg, sizeof(msg), "bad vendor name '%s' "
				    "(letters, digits, - _ . + only, at most 64)", l);
				goto bad;
			}
			if (cur && (rc = vendor_finish(cur, msg, sizeof(msg)))) {
				line = cur_line;
				goto bad;
			}
			if (crawl_seeds_find(s, l) >= 0) {
				snprintf(msg, sizeof(msg), "vendor '%s' defined twice", l);
				goto bad;
			}
			if (s->n >= SEEDS_MAX_VENDORS) {
				snprintf(msg, sizeof(msg), "too many vendors");
				goto bad;
			}
			cur = vendor_new(s, l, name, line);
			cur_line = line;
			continue;
		}
		eq = strchr(l, '=');
		if (!eq) {
			snprintf(msg, sizeof(msg), "expected 'key = value' or "
			    "'[vendor]', got '%.60s'", l);
			goto bad;
		}
		*eq = '\0';
		key = trim(l);
		val = trim(eq + 1);
		/* a trailing " # comment" after a value */
		{
			char *hash = strstr(val, " #");

			if (hash) {
				*hash = '\0';
				val = trim(val);
			}
		}
		if (!key[0]) {
			snprintf(msg, sizeof(msg), "missing key before '='");
			goto bad;
		}
		if (!val[0]) {
			snprintf(msg, sizeof(msg), "missing value for '%s'", key);
			goto bad;
		}
		if (!cur) {
			snprintf(msg, sizeof(msg), "'%s' before the first "
			    "[vendor] section", key);
			goto bad;
		}
		if ((rc = set_key(cur, key, val, msg, sizeof(msg))))
			goto bad;
	}
	if (cur && (rc = vendor_finish(cur, msg, sizeof(msg)))) {
		line = cur_line;
		goto bad;
	}
	if (s->n == first) {
		snprintf(err, errlen, "%s: no [vendor] section", name);
		return CRAWL_EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s:%u: %s", name, line, msg);
	while (s->n > first)
		vendor_free(&s->v[--s->n]);
	return CRAWL_EINVAL;
}

int crawl_seeds_load(struct crawl_seeds *s, const char *path, char *err,
    size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct fg_buf b;
	char chunk[8192];
	size_t n;
	int rc = CRAWL_EINVAL;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CRAWL_EINVAL;
	}
	fg_buf_init(&b, SEEDS_MAX_FILE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (fg_buf_add(&b, chunk, n) < 0) {
			snprintf(err, errlen, "%s: larger than %u bytes", path,
			    SEEDS_MAX_FILE);
			goto out;
		}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	fg_buf_add(&b, "", 0);
	if (strlen(b.data) != b.len) {
		unsigned line = 1;
		size_t i, nul = strlen(b.data);

		for (i = 0; i < nul; i++)
			line += b.data[i] == '\n';
		snprintf(err, errlen, "%s:%u: NUL byte in line", path, line);
		goto out;
	}
	rc = crawl_seeds_parse(s, path, b.data, err, errlen);
out:
	fg_buf_free(&b);
	fclose(f);
	return rc;
}

int crawl_seeds_add_url(struct crawl_seeds *s, const char *url,
    const char *vendor, unsigned depth, char *err, size_t errlen)
{
	int i = crawl_seeds_find(s, vendor);
	struct crawl_vendor *v;
	char msg[512];

	if (i >= 0)
		v = &s->v[i];
	else
		v = vendor_new(s, vendor, "command line", 0);
	v->depth = depth;
	if (add_start(v, url, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s", msg);
		return CRAWL_EINVAL;
	}
	return 0;
}

static int host_listed(char **hosts, size_t n, const char *url)
{
	char host[256];
	size_t i;

	if (crawl_url_host(url, host, sizeof(host)) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(hosts[i], host) == 0)
			return 1;
	return 0;
}

/* 1 if @url starts with one of @n @prefixes. */
static int under_prefix(const char *url, char *const *prefixes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strncmp(url, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

int crawl_vendor_page_in_scope(const struct crawl_vendor *v, const char *url)
{
	switch (v->scope) {
	case CRAWL_SCOPE_HOST:
		return host_listed(v->hosts, v->nhosts, url);
	case CRAWL_SCOPE_REGEX:
		return regexec(&v->scope_re, url, 0, NULL, 0) == 0;
	case CRAWL_SCOPE_PREFIX:
		return under_prefix(url, v->prefixes, v->nstarts) ||
		    under_prefix(url, v->mprefixes, v->nmanifests);
	}
	return 0;
}

int crawl_vendor_download_in_scope(const struct crawl_vendor *v,
    const char *url)
{
	if (crawl_vendor_page_in_scope(v, url))
		return 1;
	return host_listed(v->dl_hosts, v->ndl_hosts, url);
}

int crawl_vendor_is_download(const struct crawl_vendor *v, const char *url)
{
	char ext[32];
	size_t i;

	if (v->nexts == 0 && !v->has_dl_re)
		return !crawl_url_pagelike(url);
	if (v->has_dl_re && regexec(&v->dl_re, url, 0, NULL, 0) == 0)
		return 1;
	if (v->nexts) {
		const char *path = crawl_url_path(url);
		size_t plen = strcspn(path, "?#");

		crawl_url_ext(url, ext, sizeof(ext));
		for (i = 0; i < v->nexts; i++) {
			size_t el = strlen(v->exts[i]);

			if (strcmp(ext, v->exts[i]) == 0)
				return 1;
			/* "tar.gz" rules still match when ext came out "gz" and
			 * the other way round: compare the path's tail. */
			if (plen > el + 1 && path[plen - el - 1] == '.' &&
			    strncasecmp(path + plen - el, v->exts[i], el) == 0)
				return 1;
		}
	}
	return 0;
}

int crawl_vendor_rejects(const struct crawl_vendor *v, const char *url)
{
	return v->has_reject_re && regexec(&v->reject_re, url, 0, NULL, 0) == 0;
}
