/*
 * robots.c - the Robots Exclusion Protocol, RFC 9309.
 *
 * Only the rules of the groups that apply to us are kept.  Paths are
 * compared after normalising percent-escapes of unreserved characters
 * (RFC 9309 2.2.2), so "/a%7Eb" and "/a~b" match the same rules; the
 * octets of a pattern that a URL cannot carry raw (non-ASCII, space,
 * controls) are percent-encoded first, as crawl_url_resolve() encodes the
 * URLs they are matched against (RFC 9309 2.2.2).
 *
 * tests/crawler/robots-rfc9309.txt holds the conformance cases (ported
 * from the assertions of Google's reference parser's tests).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robots.h"
#include "util.h"

struct robots_rule {
	char *pattern;
	size_t len;              /* pattern length: longer is more specific */
	int allow;
};

struct crawl_robots {
	struct robots_rule *rules;
	size_t n;
	int deny_all;
};

/* Each group is parsed for the two candidates at once. */
struct group_rules {
	struct robots_rule *rules;
	size_t n;
};

static void rules_add(struct group_rules *g, const char *pat, size_t len,
    int allow)
{
	g->rules = fg_reallocarray(g->rules, g->n + 1, sizeof(*g->rules));
	g->rules[g->n].pattern = fg_strndup(pat, len);
	g->rules[g->n].len = len;
	g->rules[g->n].allow = allow;
	g->n++;
}

static void rules_free(struct group_rules *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->rules[i].pattern);
	free(g->rules);
	g->rules = NULL;
	g->n = 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Octets a pattern may hold raw that a normalised URL never does: the
 * set url.c's pre_encode() percent-encodes ('*' and '$' are not in it). */
static int needs_escape(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' ||
	    c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' ||
	    c == '}';
}

/*
 * Decode %XX of unreserved characters, uppercase the hex of the others;
 * with @encode (patterns), percent-encode what needs_escape() says, so
 * "Disallow: /\xc3\xa1" matches the crawler's "/%C3%A1".
 */
static char *norm_path(const char *s, size_t len, int encode)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = fg_malloc(3 * len + 1);
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (encode && needs_escape((unsigned char)s[i])) {
			out[o++] = '%';
			out[o++] = hex[(unsigned char)s[i] >> 4];
			out[o++] = hex[(unsigned char)s[i] & 15];
			continue;
		}
		if (s[i] == '%' && i + 2 < len &&
		    hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			int c = hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]);

			if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
			    c == '~') {
				out[o++] = (char)c;
			} else {
				out[o++] = '%';
				out[o++] = (char)toupper((unsigned char)s[i + 1]);
				out[o++] = (char)toupper((unsigned char)s[i + 2]);
			}
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* Does the user-agent value @ua name @agent?  RFC 9309 2.2.1: compare the
 * product token case-insensitively.  A value with a space ("FooBot
 * Images") is taken up to the space, as the reference parser does: such a
 * line is meant for that product. */
static int agent_matches(const char *ua, size_t ualen, const char *agent)
{
	size_t alen = strcspn(agent, "/ ");
	size_t i;

	for (i = 0; i < ualen; i++)
		if (ua[i] == ' ' || ua[i] == '\t')
			break;
	return i == alen && strncasecmp(ua, agent, alen) == 0;
}

/* The length of a rule name at the start of @line followed by a blank
 * ("disallow /x", "user-agent : x"), else 0: webmasters forget the colon
 * and the meaning is plain (the reference parser accepts it too). */
static size_t bare_key(const char *line, size_t l)
{
	static const char *const keys[] = { "user-agent", "allow", "disallow",
		NULL };
	size_t i, k;

	for (i = 0; keys[i]; i++) {
		k = strlen(keys[i]);
		if (l > k && strncasecmp(line, keys[i], k) == 0 &&
		    (line[k] == ' ' || line[k] == '\t'))
			return k;
	}
	return 0;
}

struct crawl_robots *crawl_robots_parse(const char *text, size_t len,
    const char *agent)
{
	struct crawl_robots *r = fg_calloc(1, sizeof(*r));
	struct group_rules mine = { NULL, 0 }, star = { NULL, 0 };
	int found_mine = 0, found_star = 0;
	int in_agents = 0;       /* last line was a user-agent line */
	int cur_mine = 0, cur_star = 0;
	size_t pos = 0;

	if (len > CRAWL_ROBOTS_MAX)
		len = CRAWL_ROBOTS_MAX;
	/* a UTF-8 byte order mark, or the start of one, is not a line's
	 * content (RFC 9309 2.2: the file is UTF-8; editors add a BOM) */
	if (len >= 1 && (unsigned char)text[0] == 0xef) {
		pos = 1;
		if (len >= 2 && (unsigned char)text[1] == 0xbb) {
			pos = 2;
			if (len >= 3 && (unsigned char)text[2] == 0xbf)
				pos = 3;
		}
	}
	while (pos < len) {
		size_t end = pos, l;
		const char *line = text + pos, *colon, *val;
		size_t keylen, vallen;

		while (end < len && text[end] != '\n' && text[end] != '\r')
			end++;
		l = end - pos;
		pos = end + 1;
		/* strip comments, then whitespace */
		{
			const char *hash = memchr(line, '#', l);

			if (hash)
				l = (size_t)(hash - line);
		}
		while (l && isspace((unsigned char)*line)) {
			line++;
			l--;
		}
		while (l && isspace((unsigned char)line[l - 1]))
			l--;
		if (!l)
			continue;
		keylen = bare_key(line, l);
		if (keylen) {
			/* "disallow /x": a rule name, a space and no colon */
			size_t k = keylen;

			while (k < l && (line[k] == ' ' || line[k] == '\t'))
				k++;
			colon = k < l && line[k] == ':' ? line + k : line + keylen;
		} else {
			colon = memchr(line, ':', l);
			if (!colon)
				continue;	/* not a rule: ignored, per the RFC */
		}
		keylen = (size_t)(colon - line);
		while (keylen && isspace((unsigned char)line[keylen - 1]))
			keylen--;
		val = colon + 1;
		vallen = l - (size_t)(val - line);
		while (vallen && isspace((unsigned char)*val)) {
			val++;
			vallen--;
		}
		if (keylen == 10 && strncasecmp(line, "user-agent", 10) == 0) {
			if (!in_agents) {
				cur_mine = 0;
				cur_star = 0;
			}
			in_agents = 1;
			if (vallen == 1 && val[0] == '*') {
				cur_star = 1;
				found_star = 1;
			} else if (agent_matches(val, vallen, agent)) {
				cur_mine = 1;
				found_mine = 1;
			}
			continue;
		}
		if ((keylen == 5 && strncasecmp(line, "allow", 5) == 0) ||
		    (keylen == 8 && strncasecmp(line, "disallow", 8) == 0)) {
			int allow = keylen == 5;

			in_agents = 0;
			/* an empty Disallow allows everything: no rule */
			if (vallen == 0)
				continue;
			if (cur_mine)
				rules_add(&mine, val, vallen, allow);
			if (cur_star)
				rules_add(&star, val, vallen, allow);
			continue;
		}
		/* Sitemap, Crawl-delay and unknown lines belong to no group
		 * and neither end one nor end a run of user-agent lines
		 * (RFC 9309 2.2.4): "User-agent: A / Sitemap: ... /
		 * User-agent: * / Disallow: /" disallows A too. */
	}
	if (found_mine) {
		r->rules = mine.rules;
		r->n = mine.n;
		rules_free(&star);
	} else {
		if (found_star) {
			r->rules = star.rules;
			r->n = star.n;
		} else {
			rules_free(&star);
		}
		rules_free(&mine);
	}
	/* normalise the patterns once */
	{
		size_t i;

		for (i = 0; i < r->n; i++) {
			/* a NUL inside the line ended the copy early */
			char *p = norm_path(r->rules[i].pattern,
			    strlen(r->rules[i].pattern), 1);

			free(r->rules[i].pattern);
			r->rules[i].pattern = p;
			r->rules[i].len = strlen(p);
		}
	}
	return r;
}

struct crawl_robots *crawl_robots_allow_all(void)
{
	return fg_calloc(1, sizeof(struct crawl_robots));
}

struct crawl_robots *crawl_robots_deny_all(void)
{
	struct crawl_robots *r = fg_calloc(1, sizeof(*r));

	r->deny_all = 1;
	return r;
}

void crawl_robots_free(struct crawl_robots *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->rules[i].pattern);
	free(r->rules);
	free(r);
}

size_t crawl_robots_nrules(const struct crawl_robots *r)
{
	return r->n;
}

/*
 * Match @pat (with '*' and a final '$') against the start of @s.
 * Iterative with one backtrack point per '*', as glob matchers do: linear
 * enough for patterns of robots.txt size.
 */
static int pattern_match(const char *pat, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	for (;;) {
		if (*pat == '\0')
			return 1;	/* prefix match */
		if (*pat == '$' && pat[1] == '\0') {
			if (*s == '\0')
				return 1;
		} else if (*pat == '*') {
			while (*pat == '*')
				pat++;
			if (*pat == '\0')
				return 1;
			star_p = pat;
			star_s = s;
			continue;
		} else if (*s && *pat == *s) {
			pat++;
			s++;
			continue;
		}
		if (!star_p || !*star_s)
			return 0;
		pat = star_p;
		s = ++star_s;
	}
}

int crawl_robots_allowed(const struct crawl_robots *r, const char *path)
{
	size_t i, best_len = 0;
	int best_allow = 1, matched = 0;
	char *p;

	if (strcmp(path, "/robots.txt") == 0)
		return 1;
	if (r->deny_all)
		return 0;
	if (r->n == 0)
		return 1;
	p = norm_path(path, strlen(path), 0);
	for (i = 0; i < r->n; i++) {
		const struct robots_rule *rule = &r->rules[i];

		if (!pattern_match(rule->pattern, p))
			continue;
		if (!matched || rule->len > best_len ||
		    (rule->len == best_len && rule->allow)) {
			best_len = rule->len;
			best_allow = rule->allow;
			matched = 1;
		}
	}
	free(p);
	return best_allow;
}
