/*
 * import.h - the CSV that flowgrab-store import reads (and export writes):
 * a header naming the columns, then one download per line.  Parsing only:
 * no store is touched here, so the parser can be fuzzed alone
 * (tests/fuzz/fuzz-import.c).  docs/store.md describes the columns.
 */
#ifndef FLOWGRAB_IMPORT_H
#define FLOWGRAB_IMPORT_H

#include "store.h"

enum store_import_col {
	IMPORT_URL, IMPORT_SIZE, IMPORT_VENDOR, IMPORT_FILE, IMPORT_SOURCE,
	IMPORT_STATE, IMPORT_CTYPE, IMPORT_ETAG, IMPORT_LASTMOD, IMPORT_FIRST,
	IMPORT_LAST, IMPORT_CHECKED,
	/* an observed reference's (struct store_observation) */
	IMPORT_LABEL, IMPORT_OBS_AT, IMPORT_PORT, IMPORT_DATA_OCTETS,
	IMPORT_DATA_PACKETS, IMPORT_REQ_OCTETS, IMPORT_REQ_PACKETS,
	IMPORT_DATA_FLAGS, IMPORT_REQ_FLAGS, IMPORT_PAYLOAD, IMPORT_PAYLOAD_SD,
	IMPORT_OBS_COUNT,
	/* last, as export always wrote it */
	IMPORT_ADDRS, IMPORT_NCOLS
};

/* Fields of a line at most (more is "too many fields"). */
#define IMPORT_MAX_FIELDS 64

/* Where each column is in a line (-1: absent), from the header. */
struct store_import_cols {
	int col[IMPORT_NCOLS];
};

/*
 * Learn the columns from header line @line (modified: split in place).
 * @return NULL, or why the header is refused (static string): bad quoting,
 *         or no url and size columns
 */
const char *store_import_header(char *line, struct store_import_cols *c);

/* The column names, in enum store_import_col order (export writes them
 * in this order). */
const char *store_import_col_name(int col);

/*
 * Parse data line @line (modified in place; @d's strings point into it)
 * with the columns @c.  @vendor (may be NULL) and @source (0: import) are
 * the defaults for absent columns.  @d->vendor is NULL when neither the
 * line nor @vendor gives one.  A line with a payload (the observation's
 * columns, docs/store.md) is an observed reference: @d->has_obs is set
 * and its source is observed unless the line says otherwise (which is
 * refused).
 * @return NULL, or why the line is refused (a static string, or one in a
 *         static buffer overwritten by the next call)
 */
const char *store_import_line(char *line, const struct store_import_cols *c,
    const char *vendor, int source, struct store_download *d);

#endif
