/*
 * util.c - logging, allocation, bounded buffers, time, numbers and CSV/JSON
 * text helpers shared by every flowgrab program (see util.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* ---- logging --------------------------------------------------------- */

static const char *log_prog = "flowgrab";
static int log_lvl = FG_LOG_NORMAL;

void
fg_log_init(const char *progname, int level)
{
	const char *slash;

	if (progname != NULL) {
		slash = strrchr(progname, '/');
		log_prog = slash ? slash + 1 : progname;
	}
	log_lvl = level;
}

int
fg_log_level(void)
{
	return log_lvl;
}

const char *
fg_progname(void)
{
	return log_prog;
}

static void vlog(const char *tag, const char *fmt, va_list ap)
    FG_PRINTF(2, 0);

static void
vlog(const char *tag, const char *fmt, va_list ap)
{
	/* One fprintf per message would interleave less under threads; build
	 * the line first. */
	char line[2048];
	int n;

	n = snprintf(line, sizeof(line), "%s: %s", log_prog, tag);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void
fg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void
fg_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < FG_LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void
fg_verbose(const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < FG_LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void
fg_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < FG_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vlog("debug: ", fmt, ap);
	va_end(ap);
}

void
fg_fatal(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
	exit(status);
}

/* ---- allocation ------------------------------------------------------ */

static void FG_NORETURN
oom(size_t n)
{
	fprintf(stderr, "%s: out of memory (%zu bytes)\n", log_prog, n);
	exit(70);	/* EX_SOFTWARE */
}

void *
fg_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
fg_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom(n * size);
	return p;
}

void *
fg_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

void *
fg_reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	return fg_realloc(p, n * size);
}

char *
fg_strdup(const char *s)
{
	return fg_strndup(s, strlen(s));
}

char *
fg_strndup(const char *s, size_t n)
{
	char *p;
	size_t len = strnlen(s, n);

	p = fg_malloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
fg_asprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	p = fg_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* ---- bounded buffer -------------------------------------------------- */

void
fg_buf_init(struct fg_buf *b, size_t limit)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->limit = limit;
}

int
fg_buf_add(struct fg_buf *b, const void *p, size_t n)
{
	size_t need, cap;

	if (n > b->limit || b->len > b->limit - n)
		return -1;
	need = b->len + n + 1;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		if (cap > b->limit + 1)
			cap = b->limit + 1;
		b->data = fg_realloc(b->data, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
fg_buf_addstr(struct fg_buf *b, const char *s)
{
	return fg_buf_add(b, s, strlen(s));
}

int
fg_buf_printf(struct fg_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[512], *big = NULL;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return fg_buf_add(b, small, (size_t)n);
	big = fg_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = fg_buf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

void
fg_buf_reset(struct fg_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *
fg_buf_take(struct fg_buf *b, size_t *len)
{
	char *p = b->data;

	if (len)
		*len = b->len;
	if (p == NULL)
		p = fg_strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
fg_buf_free(struct fg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* ---- time ------------------------------------------------------------ */

int64_t
fg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

double
fg_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *
fg_iso8601(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%" PRId64, t);
	return buf;
}

char *
fg_iso8601_ms(int64_t t_ms, char *buf, size_t len)
{
	struct tm tm;
	int64_t sec = t_ms / 1000, ms = t_ms % 1000;
	time_t tt;
	char tmp[32];

	if (ms < 0) {
		ms += 1000;
		sec -= 1;
	}
	tt = (time_t)sec;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%" PRId64, t_ms);
	else
		snprintf(buf, len, "%s.%03dZ", tmp, (int)ms);
	return buf;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), after H. Hinnant. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
fg_parse_iso8601_ms(const char *s, int64_t *out_ms)
{
	int y, mo, d, h, mi, sec, n = 0, ms = 0, digits = 0;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%*1[ T]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
	    &sec, &n) != 6 || n == 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || h < 0 || mi < 0 || sec < 0)
		return -1;
	p = s + n;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
			digits++;
		}
		if (digits == 0)
			return -1;
		while (digits < 3) {
			ms *= 10;
			digits++;
		}
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0')
		return -1;
	*out_ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) *
	    60 + mi) * 60000 + (int64_t)sec * 1000 + ms;
	return 0;
}

/* ---- numbers --------------------------------------------------------- */

int
fg_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
fg_parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v;
	uint64_t mult = 1;

	if (s == NULL || !(isdigit((unsigned char)*s) || *s == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	case 't': case 'T': mult = 1ULL << 40; end++; break;
	default: return -1;
	}
	if (*end == 'i' && mult > 1)
		end++;
	if ((*end == 'B' || *end == 'b') && end[1] == '\0')
		end++;
	if (*end != '\0')
		return -1;
	if (v < 0 || v * (double)mult >= 18446744073709551615.0)
		return -1;
	*out = (uint64_t)(v * (double)mult);
	return 0;
}

int
fg_parse_duration(const char *s, uint64_t *out_seconds)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0': break;
	case 's': end++; break;
	case 'm': mult = 60; end++; break;
	case 'h': mult = 3600; end++; break;
	case 'd': mult = 86400; end++; break;
	case 'w': mult = 7 * 86400; end++; break;
	default: return -1;
	}
	if (*end != '\0' || v > UINT64_MAX / mult)
		return -1;
	*out_seconds = v * mult;
	return 0;
}

char *
fg_human_size(uint64_t n, char *buf, size_t len)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)n;
	int i = 0;

	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%" PRIu64 " B", n);
	else
		snprintf(buf, len, "%.1f %s", v, unit[i]);
	return buf;
}

/* ---- CSV and JSON ---------------------------------------------------- */

void
fg_csv_field(FILE *f, const char *s)
{
	const char *p;

	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (p = s; *p; p++) {
		if (*p == '"')
			putc('"', f);
		putc(*p, f);
	}
	putc('"', f);
}

void
fg_json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	putc('"', f);
	for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				putc(*p, f);
		}
	}
	putc('"', f);
}

int
fg_csv_split(char *line, char **fields, int max)
{
	char *r = line, *w;
	int n = 0;
	size_t len = strlen(line);

	/* Drop the line end, whatever its style. */
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	for (;;) {
		if (n >= max)
			return max + 1;
		fields[n++] = w = r;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0')
					return -1;
				if (*r == '"') {
					if (r[1] == '"') {
						*w++ = '"';
						r += 2;
						continue;
					}
					r++;
					break;
				}
				*w++ = *r++;
			}
			/* Anything between the closing quote and the comma
			 * is kept, as most readers do. */
			while (*r && *r != ',')
				*w++ = *r++;
		} else {
			while (*r && *r != ',')
				r++;
			w = r;
		}
		if (*r == '\0') {
			*w = '\0';
			return n;
		}
		*w = '\0';
		r++;
	}
}

/* ---- hashing --------------------------------------------------------- */

uint64_t fg_hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}
