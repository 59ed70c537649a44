/*
 * text.c - reading flow records from text: the line reader (bounded line
 * length, no allocation per line), format detection from the first lines,
 * "file:line: reason" reporting with skip or strict stop, and the small
 * parsers (numbers, UTC times, addresses) that the text formats share.
 *
 * The formats themselves live in nfdump-csv.c and softflowctl.c behind
 * struct flow__text_format.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input-int.h"
#include "util.h"

#define READ_BLOCK (256 * 1024)
#define MAX_LINE 8192           /* longer lines are reported and skipped */
#define DETECT_LINES 64         /* non-empty lines to look at before giving up */

static const struct flow__text_format *const formats[] = {
	&flow__nfdump_csv,
	&flow__softflowctl,
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

int flow_input_format_valid(const char *format)
{
	size_t i;

	if (!format || strcmp(format, "auto") == 0)
		return 0;
	for (i = 0; i < NFORMATS; i++)
		if (strcmp(format, formats[i]->name) == 0)
			return 0;
	return FLOW_E_FORMAT;
}

/* ---- shared little parsers ---------------------------------------------- */

int flow__parse_u64(const char *s, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (s >= end || end - s > 20)
		return -1;
	for (; s < end; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9)
			return -1;
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9)
			return -1;
		v = v * 10 + (int)d;
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int flow__parse_time(const char *s, const char *end, int64_t *out_ms)
{
	int y, mo, d, h, mi, se, ms = 0;
	size_t n = (size_t)(end - s);

	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return -1;
	if (n > 19) {
		size_t i;
		int scale = 100;

		if (s[19] != '.' || n == 20 || n > 29)
			return -1;
		for (i = 20; i < n; i++) {
			unsigned dd = (unsigned)(s[i] - '0');

			if (dd > 9)
				return -1;
			ms += (int)dd * scale;
			scale /= 10;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	*out_ms = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000 + ms;
	return 0;
}

int flow__parse_addr(const char *s, const char *end, uint8_t *family, uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN + 1];
	size_t n = (size_t)(end - s);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(addr, 0, 16);
	if (memchr(buf, ':', n)) {
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return -1;
		*family = 6;
	} else {
		if (inet_pton(AF_INET, buf, addr) != 1)
			return -1;
		*family = 4;
	}
	return 0;
}

/* ---- the line reader -------------------------------------------------------- */

struct reader {
	FILE *f;
	char *buf;
	size_t start, end;      /* unread bytes are buf[start, end) */
	int eof, error;
};

/* Next line (without the newline, NUL-terminated, CR trimmed) in *line;
 * returns its length, -1 at EOF, -2 for a line over MAX_LINE (skipped). */
static long next_line(struct reader *rd, char **line)
{
	for (;;) {
		char *nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
		size_t n;

		if (nl || (rd->eof && rd->end > rd->start)) {
			char *s = rd->buf + rd->start;

			n = nl ? (size_t)(nl - s) : rd->end - rd->start;
			rd->start += n + (nl ? 1 : 0);
			if (n > MAX_LINE)
				return -2;
			s[n] = '\0';
			if (n && s[n - 1] == '\r')
				s[--n] = '\0';
			*line = s;
			return (long)n;
		}
		if (rd->eof)
			return -1;
		if (rd->end - rd->start > MAX_LINE) {
			/* an overlong line: drop it up to its newline */
			for (;;) {
				size_t r;

				rd->start = rd->end = 0;
				r = fread(rd->buf, 1, READ_BLOCK, rd->f);
				if (r == 0) {
					rd->eof = 1;
					rd->error = ferror(rd->f);
					return -2;
				}
				nl = memchr(rd->buf, '\n', r);
				rd->end = r;
				if (nl) {
					rd->start = (size_t)(nl - rd->buf) + 1;
					return -2;
				}
			}
		}
		/* move the partial line to the front and read more */
		memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
		rd->end -= rd->start;
		rd->start = 0;
		{
			size_t r = fread(rd->buf + rd->end, 1, READ_BLOCK, rd->f);

			if (r == 0) {
				rd->eof = 1;
				rd->error = ferror(rd->f);
			}
			rd->end += r;
		}
	}
}

/* Blank lines are skipped before the format is known; anything else a
 * format does not claim (softflowd's "softflowd[123]: Dumping flow data:")
 * counts towards the detection limit. */
static int is_noise(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	return *line == '\0';
}

int flow_read_stream(FILE *f, const char *name, const char *format, int strict,
    flow_sink sink, void *arg, struct flow_input_stats *st)
{
	struct flow_input_stats local;
	const struct flow__text_format *fmt = NULL;
	struct flow__text *t = NULL;
	struct flow_record rec[2];
	struct reader rd;
	uint64_t lineno = 0, looked = 0;
	const char *why;
	char *line;
	long n;
	int rc = 0, i, k;
	size_t j;

	if (!st) {
		memset(&local, 0, sizeof(local));
		st = &local;
	}
	memset(&rd, 0, sizeof(rd));
	rd.f = f;
	if (format && strcmp(format, "auto") != 0) {
		for (j = 0; j < NFORMATS; j++)
			if (strcmp(format, formats[j]->name) == 0)
				fmt = formats[j];
		if (!fmt) {
			fg_error("%s: unknown input format \"%s\" (known: %s)", name,
			    format, FLOW_INPUT_FORMATS);
			return FLOW_E_FORMAT;
		}
		t = fmt->open();
	}
	rd.buf = fg_malloc(READ_BLOCK + MAX_LINE + 2);
	while ((n = next_line(&rd, &line)) != -1) {
		lineno++;
		st->lines++;
		if (n == -2) {
			st->bad_lines++;
			fg_error("%s:%" PRIu64 ": line longer than %d bytes, skipped",
			    name, lineno, MAX_LINE);
			if (strict) {
				rc = FLOW_E_BADLINE;
				goto out;
			}
			continue;
		}
		if (!fmt) {
			if (is_noise(line))
				continue;
			for (j = 0; j < NFORMATS && !fmt; j++)
				if (formats[j]->probe(line))
					fmt = formats[j];
			if (!fmt) {
				if (++looked >= DETECT_LINES) {
					fg_error("%s:%" PRIu64 ": cannot tell the input format "
					    "from the first lines (known: %s; use --input-format)",
					    name, lineno, FLOW_INPUT_FORMATS);
					rc = FLOW_E_FORMAT;
					goto out;
				}
				continue;
			}
			fg_verbose("%s: input format %s", name, fmt->name);
			t = fmt->open();
		}
		why = NULL;
		k = fmt->line(t, line, (size_t)n, rec, &why);
		if (k < 0) {
			st->bad_lines++;
			fg_error("%s:%" PRIu64 ": %s%s", name, lineno,
			    why ? why : "cannot parse the line",
			    strict ? "" : " (skipped)");
			if (strict) {
				rc = FLOW_E_BADLINE;
				goto out;
			}
			continue;
		}
		for (i = 0; i < k; i++) {
			st->records++;
			st->decoded++;
			if (sink && sink(&rec[i], arg)) {
				rc = FLOW_E_STOPPED;
				goto out;
			}
		}
	}
	if (rd.error) {
		fg_error("%s: read error: %s", name, strerror(errno));
		rc = FLOW_E_IO;
	} else if (!fmt && lineno) {
		fg_error("%s: cannot tell the input format (known: %s; use --input-format)",
		    name, FLOW_INPUT_FORMATS);
		rc = FLOW_E_FORMAT;
	}
out:
	if (fmt && t)
		fmt->close(t);
	free(rd.buf);
	return rc;
}
