/*
 * util.h - small helpers shared by all flowgrab programs: logging,
 * allocation that aborts on exhaustion, a bounded growable buffer, time and
 * size formatting, and CSV/JSON text helpers.
 *
 * They live in libflowgrab (store/) because every program links it anyway.
 */
#ifndef FLOWGRAB_UTIL_H
#define FLOWGRAB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define FG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define FG_NORETURN __attribute__((noreturn))
#else
#define FG_PRINTF(f, a)
#define FG_NORETURN
#endif

/* A deliberate fall-through between switch cases (gcc also takes a
 * comment; clang only the attribute). */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 7)
#define FG_FALLTHROUGH __attribute__((fallthrough))
#else
#define FG_FALLTHROUGH do { } while (0)
#endif

/* ---- logging ---------------------------------------------------------
 * Messages go to stderr as "prog: message".  Level LOG_ERROR is always
 * shown; --verbose raises the level, --quiet lowers it to errors only.
 * fg_fatal() exits with the given status. */
enum fg_log_level {
	FG_LOG_QUIET = 0,   /* errors only */
	FG_LOG_NORMAL = 1,  /* warnings too (default) */
	FG_LOG_VERBOSE = 2,
	FG_LOG_DEBUG = 3,
};

void fg_log_init(const char *progname, int level);
int fg_log_level(void);
const char *fg_progname(void);
void fg_error(const char *fmt, ...) FG_PRINTF(1, 2);
void fg_warn(const char *fmt, ...) FG_PRINTF(1, 2);
void fg_verbose(const char *fmt, ...) FG_PRINTF(1, 2);
void fg_debug(const char *fmt, ...) FG_PRINTF(1, 2);
void fg_fatal(int status, const char *fmt, ...) FG_PRINTF(2, 3) FG_NORETURN;

/* ---- allocation: these never return NULL (they exit with status 70) -- */
void *fg_malloc(size_t n);
void *fg_calloc(size_t n, size_t size);
void *fg_realloc(void *p, size_t n);
void *fg_reallocarray(void *p, size_t n, size_t size);
char *fg_strdup(const char *s);
char *fg_strndup(const char *s, size_t n);
/* printf into a fresh string */
char *fg_asprintf(const char *fmt, ...) FG_PRINTF(1, 2);

/* ---- bounded growable buffer (after curl's dynbuf) ------------------
 * Grows up to @limit bytes; fg_buf_add() fails instead of growing past it,
 * so nothing read from the network grows without bound.  The contents are
 * always NUL-terminated (the NUL is not counted in len). */
struct fg_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t limit;
};

void fg_buf_init(struct fg_buf *b, size_t limit);
/* 0, or -1 if the buffer would exceed its limit (nothing is added). */
int fg_buf_add(struct fg_buf *b, const void *p, size_t n);
int fg_buf_addstr(struct fg_buf *b, const char *s);
int fg_buf_printf(struct fg_buf *b, const char *fmt, ...) FG_PRINTF(2, 3);
void fg_buf_reset(struct fg_buf *b);
/* Hand the contents over (caller frees); the buffer is left empty. */
char *fg_buf_take(struct fg_buf *b, size_t *len);
void fg_buf_free(struct fg_buf *b);

/* ---- time ------------------------------------------------------------ */
/* Current Unix time in seconds, and a monotonic clock in seconds. */
int64_t fg_now(void);
double fg_monotonic(void);
/* "2026-11-26T16:22:29Z" (or with ".123" when @ms >= 0); @buf >= 32. */
char *fg_iso8601(int64_t t, char *buf, size_t len);
char *fg_iso8601_ms(int64_t t_ms, char *buf, size_t len);
/* Parse "YYYY-MM-DD[ T]HH:MM:SS[.fff][Z]" (UTC) into ms since the epoch.
 * Returns 0 or -1. */
int fg_parse_iso8601_ms(const char *s, int64_t *out_ms);

/* ---- numbers --------------------------------------------------------- */
/* Parse "123", "4k", "1.5M", "2G", "1T" (powers of 1024) into bytes.
 * Returns 0 or -1 (junk, overflow). */
int fg_parse_size(const char *s, uint64_t *out);
/* Parse a whole unsigned decimal number in [min, max]; 0 or -1. */
int fg_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Parse "30", "30s", "5m", "2h", "7d" into seconds; 0 or -1. */
int fg_parse_duration(const char *s, uint64_t *out_seconds);
/* "1.5 GiB"-style human size into @buf. */
char *fg_human_size(uint64_t n, char *buf, size_t len);

/* ---- CSV and JSON ---------------------------------------------------- */
/* Write @s as one CSV field (RFC 4180: quoted if it holds , " CR or LF). */
void fg_csv_field(FILE *f, const char *s);
/* Write @s as a JSON string literal, quotes included. */
void fg_json_string(FILE *f, const char *s);

/*
 * Split one CSV record in place (RFC 4180 quoting, fields trimmed of a
 * trailing CR).  @line is modified; fields[] point into it.
 * Returns the number of fields (at most @max; more are reported as
 * max + 1 so callers can say "too many fields"), or -1 on an unterminated
 * quote.
 */
int fg_csv_split(char *line, char **fields, int max);

/* ---- hashing --------------------------------------------------------- */

/* A 64-bit hash of the string @s: FNV-1a with a final avalanche
 * (splitmix64), so that similar strings spread over every bit.  The
 * store's URL index keys on it: it must never change. */
uint64_t fg_hash_str(const char *s);

#endif /* FLOWGRAB_UTIL_H */
