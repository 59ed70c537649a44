/*
 * counts.h - the counters that flowgrab-store stats prints (downloads,
 * alive / gone, per source, per size class, bytes, per vendor), kept in
 * the meta table and changed in the same write transaction as the
 * downloads they count (internal to store/; docs/store.md, "Counters").
 *
 * Meta keys: "counts" holds struct counts (native-endian u64s); "v:NAME"
 * holds a vendor's downloads and bytes (two u64s), and is deleted when
 * the vendor's last download goes.  A store without "counts" (made before
 * them) is counted by walking every record; so is one whose "counts" is
 * damaged (not the right length), until the next writable open counts
 * again.
 */
#ifndef FLOWGRAB_COUNTS_H
#define FLOWGRAB_COUNTS_H

#include <stdint.h>

#include <lmdb.h>

#include "store.h"

/* What of a download is counted; a copy, so that it outlives the pages a
 * write may move. */
struct counted {
	uint64_t size;
	uint8_t state, source;
	char vendor[STORE_FIELD_MAX + 1];
};

struct counts {
	uint64_t downloads, alive, gone, bytes;
	uint64_t by_source[STORE_SRC_MAX + 1];
	uint64_t by_class[STORE_SIZE_CLASSES];
};

/* Copy the counted fields of @d into @c. */
void counts_of(struct counted *c, const struct store_download *d);

/*
 * Account for a download changing from @old to @new (write txn @t): NULL
 * @old is a new download, NULL @new a deleted one.  Nothing is written
 * when the counted fields are the same, or when the store keeps no
 * counters.  0 or an LMDB error.
 */
int counts_change(MDB_txn *t, MDB_dbi meta, const struct counted *old,
    const struct counted *new);

/* Make the counters from every record of @dl, unless the store has them
 * (write txn; the first writable open of an older store, or a new one). */
int counts_build(MDB_txn *t, MDB_dbi meta, MDB_dbi dl);

/* The counters: kept ones (*kept = 1), else from a walk (*kept = 0).
 * 0, STORE_ECORRUPT or an LMDB error. */
int counts_get(MDB_txn *t, MDB_dbi meta, MDB_dbi dl, struct counts *out,
    int *kept);

/* Call @cb for each vendor in name order (byte order), kept or walked. */
int counts_vendors(MDB_txn *t, MDB_dbi meta, MDB_dbi dl, store_vendor_cb cb,
    void *arg);

/* Compare the kept counters with a walk; a message to @cb per difference,
 * counted in *problems.  A store that keeps none has none to differ. */
int counts_check(MDB_txn *t, MDB_dbi meta, MDB_dbi dl, store_problem_cb cb,
    void *arg, uint64_t *problems);

#endif
