/*
 * t-util.c - unit tests of the shared helpers in store/util.c: CSV
 * splitting and quoting, size/duration/number parsing, ISO 8601 times,
 * the bounded buffer.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "../tap.h"

static void
test_csv(void)
{
	char line[256], *f[8];
	int n;

	strcpy(line, "a,b,,d\r\n");
	n = fg_csv_split(line, f, 8);
	is_int(n, 4, "four fields, one empty");
	is_str(f[0], "a", "first field");
	is_str(f[2], "", "empty field");
	is_str(f[3], "d", "CRLF removed from the last field");
	strcpy(line, "\"x,y\",\"say \"\"hi\"\"\",z");
	n = fg_csv_split(line, f, 8);
	is_int(n, 3, "quoted comma does not split");
	is_str(f[0], "x,y", "quoted field");
	is_str(f[1], "say \"hi\"", "doubled quotes");
	strcpy(line, "\"open,quote");
	is_int(fg_csv_split(line, f, 8), -1, "unterminated quote is an error");
	strcpy(line, "1,2,3,4,5,6,7,8,9");
	is_int(fg_csv_split(line, f, 8), 9, "too many fields reported as max+1");
	strcpy(line, "");
	is_int(fg_csv_split(line, f, 8), 1, "empty line is one empty field");
}

static void
test_numbers(void)
{
	uint64_t v;

	ok(fg_parse_size("1048576", &v) == 0 && v == 1048576, "plain size");
	ok(fg_parse_size("1M", &v) == 0 && v == 1048576, "1M");
	ok(fg_parse_size("2KiB", &v) == 0 && v == 2048, "2KiB");
	ok(fg_parse_size("1.5G", &v) == 0 && v == 1610612736ULL, "1.5G");
	ok(fg_parse_size("12x", &v) != 0, "junk suffix refused");
	ok(fg_parse_size("-1", &v) != 0, "negative refused");
	ok(fg_parse_size("", &v) != 0, "empty refused");
	ok(fg_parse_size("99999999999T", &v) != 0, "overflow refused");
	ok(fg_parse_duration("90", &v) == 0 && v == 90, "seconds");
	ok(fg_parse_duration("5m", &v) == 0 && v == 300, "minutes");
	ok(fg_parse_duration("7d", &v) == 0 && v == 604800, "days");
	ok(fg_parse_duration("1y", &v) != 0, "unknown unit refused");
	ok(fg_parse_uint("42", 1, 100, &v) == 0 && v == 42, "uint in range");
	ok(fg_parse_uint("420", 1, 100, &v) != 0, "uint above max refused");
	ok(fg_parse_uint("4 2", 1, 100, &v) != 0, "uint with junk refused");
}

static void
test_time(void)
{
	char buf[40];
	int64_t ms;

	is_str(fg_iso8601(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z", "epoch");
	is_str(fg_iso8601(1700000000, buf, sizeof(buf)),
	    "2023-11-14T22:13:20Z", "a known time");
	is_str(fg_iso8601_ms(1700000000123LL, buf, sizeof(buf)),
	    "2023-11-14T22:13:20.123Z", "with milliseconds");
	ok(fg_parse_iso8601_ms("2023-11-14T22:13:20.123Z", &ms) == 0 &&
	    ms == 1700000000123LL, "parse with ms");
	ok(fg_parse_iso8601_ms("2023-11-14 22:13:20", &ms) == 0 &&
	    ms == 1700000000000LL, "parse with a space, no zone");
	ok(fg_parse_iso8601_ms("2024-02-29T00:00:00Z", &ms) == 0 &&
	    ms == 1709164800000LL, "leap day");
	ok(fg_parse_iso8601_ms("2023-13-01T00:00:00Z", &ms) != 0,
	    "month 13 refused");
	ok(fg_parse_iso8601_ms("yesterday", &ms) != 0, "junk refused");
}

static void
test_buf(void)
{
	struct fg_buf b;
	char *p;
	size_t len;
	int i, rc = 0;

	fg_buf_init(&b, 100);
	is_int(fg_buf_addstr(&b, "hello"), 0, "add within limit");
	is_int(b.len, 5, "length");
	for (i = 0; i < 20 && rc == 0; i++)
		rc = fg_buf_addstr(&b, "0123456789");
	is_int(rc, -1, "growth stops at the limit");
	ok(b.len <= 100, "never more than the limit (%zu)", b.len);
	is_int(fg_buf_add(&b, "", 0), 0, "adding nothing is fine");
	p = fg_buf_take(&b, &len);
	ok(p != NULL && strlen(p) == len, "take hands over a string");
	is_int(b.len, 0, "buffer empty after take");
	free(p);
	fg_buf_printf(&b, "%d-%s", 7, "x");
	is_str(b.data, "7-x", "printf");
	fg_buf_free(&b);
}

static void
test_json_csv_out(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fg_json_string(f, "a\"b\\c\n\x01");
	fputc('|', f);
	fg_csv_field(f, "plain");
	fputc('|', f);
	fg_csv_field(f, "with,comma \"q\"");
	fclose(f);
	is_str(buf, "\"a\\\"b\\\\c\\n\\u0001\"|plain|\"with,comma \"\"q\"\"\"",
	    "JSON escaping and CSV quoting");
	free(buf);
}

int
main(void)
{
	test_csv();
	test_numbers();
	test_time();
	test_buf();
	test_json_csv_out();
	return done_testing();
}
