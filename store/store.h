/*
 * store.h - the flowgrab reference store: known downloads and their sizes.
 *
 * The store is a directory holding an LMDB environment (data.mdb and
 * lock.mdb).  The crawler writes it, the matcher reads it, flowgrab-store
 * inspects and edits it.  One writer and any number of readers may use the
 * same directory at the same time, from different processes.
 *
 * Everything happens inside a transaction (struct store_txn).  A read
 * transaction is a consistent snapshot; keep it short in long-running
 * readers (see store_txn_reset()).  A write transaction batches any number of
 * changes; store_commit() makes them durable (fsync), so a commit survives
 * kill -9 of the writer and nothing of an uncommitted batch is visible.
 *
 * Memory: every pointer that a getter or a callback hands out (strings in
 * struct store_download, struct store_page, ...) points into the store's
 * memory map and stays valid only until the transaction that produced it
 * ends (commit, abort or reset), or, in a write transaction, until the next
 * change made in it.  Copy what you keep.  Pointers that you pass in are
 * copied by the store; you keep ownership of them.
 *
 * Errors: functions return 0 on success and a negative STORE_E* code on
 * failure.  store_strerror() turns any code, including LMDB's and errno
 * values reported as negative numbers, into a message.
 *
 * Threads: a struct store may be shared by threads.  A transaction belongs to
 * one thread at a time.  Only one write transaction exists at a time per
 * store directory; store_begin() for writing waits for the other writer.
 *
 * The on-disk layout is described in docs/store.md.
 */
#ifndef FLOWGRAB_STORE_H
#define FLOWGRAB_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Schema version written into new stores; others are refused at open. */
#define STORE_SCHEMA_VERSION 1

/** Longest URL accepted, in bytes, without the terminating NUL. */
#define STORE_URL_MAX 2000
/** Longest vendor, file name, content type or ETag, in bytes. */
#define STORE_FIELD_MAX 255
/** Server addresses kept per download; the oldest is dropped first. */
#define STORE_ADDRS_MAX 8

/* Error codes.  All are negative; -errno values (e.g. -EACCES) are returned
 * too, and LMDB's own codes (MDB_*, negative) pass through unchanged. */
#define STORE_ENOTFOUND  (-40001) /**< no such record */
#define STORE_EVERSION   (-40002) /**< store has an unknown schema version */
#define STORE_ETOOLONG   (-40003) /**< URL or field longer than allowed */
#define STORE_EINVAL     (-40004) /**< bad argument (empty URL, size 0, ...) */
#define STORE_ENOMEM     (-40005) /**< out of memory */
#define STORE_ECORRUPT   (-40006) /**< a record could not be decoded */
#define STORE_ENOTSTORE  (-40007) /**< directory holds something else */
#define STORE_ERDONLY    (-40008) /**< write on a read-only store/txn */
#define STORE_ENOSPC     (-40009) /**< a commit failed and the store's file
                                       system is full */

/* store_open() flags */
#define STORE_RDONLY   0x01u /**< open for reading only */
#define STORE_CREATE   0x02u /**< create directory and store if missing */
#define STORE_NOSYNC   0x04u /**< don't fsync on commit (bench, import of
                                  throw-away data): survives kill -9 but
                                  not a power cut */

/* store_begin() flags */
#define STORE_TXN_READ  0x00u
#define STORE_TXN_WRITE 0x01u

/** Where a download record came from. */
enum store_source {
	STORE_SRC_CRAWLER = 1,   /**< found and probed by flowgrab-crawler */
	STORE_SRC_IMPORT = 2,    /**< loaded with flowgrab-store import */
	STORE_SRC_OBSERVED = 3,  /**< seen downloaded by a reference host */
	STORE_SRC_MANIFEST = 4,  /**< listed with its size in a vendor's
	                              manifest (Packages, repodata, release
	                              JSON, appcast, metalink, listing);
	                              not probed */
};
/** Highest enum store_source value (records hold 2 bits: 1..4). */
#define STORE_SRC_MAX STORE_SRC_MANIFEST

/** Whether the file was still there when last checked. */
enum store_state {
	STORE_ALIVE = 1,
	STORE_GONE = 2,          /**< answered 404/410; kept for matching old
	                              downloads, removable with prune */
};

/** An IPv4 or IPv6 address of a server that answered for a download. */
struct store_addr {
	uint8_t family;          /**< 4 or 6 */
	uint8_t bytes[16];       /**< network order; IPv4 uses the first 4 */
};

/**
 * What a reference host's download looked like to the flow meter
 * (flowgrab-matcher --observe, docs/store.md "Observed references"): the
 * raw counters of the one connection kept, so that a later connection can
 * be compared with them counter for counter, and the payload estimate
 * made from them when it was observed.
 */
struct store_observation {
	const char *label;       /**< --label TEXT ("" none; at most
	                              STORE_FIELD_MAX bytes) */
	int64_t when;            /**< Unix time the connection kept began */
	uint16_t server_port;
	uint8_t data_tcp_flags;  /**< TCP flags server -> client */
	uint8_t req_tcp_flags;   /**< TCP flags client -> server */
	uint64_t data_octets, data_packets; /**< server -> client, IP bytes */
	uint64_t req_octets, req_packets;   /**< client -> server */
	int64_t payload;         /**< TCP payload estimate, bytes */
	double payload_sd;       /**< its uncertainty, bytes (kept to 1/16,
	                              at most STORE_OBS_SD_MAX) */
	uint32_t count;          /**< times this transfer was observed */
};
/** Largest payload_sd a record holds. */
#define STORE_OBS_SD_MAX 268435455.0

/**
 * A known download, keyed by its canonical URL.
 *
 * On input (store_put()) the strings may be NULL, meaning empty; id is
 * ignored.  On output every string is non-NULL (possibly "") and lives
 * until the transaction ends (see the memory note above).
 */
struct store_download {
	uint64_t id;             /**< assigned by the store, never reused */
	const char *url;         /**< canonical URL (final, after redirects) */
	uint64_t size;           /**< bytes; must be > 0 */
	const char *vendor;      /**< seed section or --vendor label */
	const char *file;        /**< file name; NULL/"" on input means the
	                              last path segment of url */
	const char *content_type;
	const char *etag;        /**< as sent, quotes included */
	int64_t last_modified;   /**< Last-Modified as Unix time, 0 unknown */
	int64_t first_seen;      /**< Unix time; kept from the first put */
	int64_t last_seen;       /**< Unix time the size was last confirmed */
	int64_t last_checked;    /**< Unix time it was last probed */
	uint8_t state;           /**< enum store_state; 0 on input = ALIVE */
	uint8_t source;          /**< enum store_source; 0 on input = CRAWLER */
	uint8_t naddrs;          /**< entries used in addrs */
	struct store_addr addrs[STORE_ADDRS_MAX];
	uint8_t has_obs;         /**< obs is set (an observed reference:
	                              source must be STORE_SRC_OBSERVED) */
	struct store_observation obs;
};

/** What store_put() did. */
enum store_put_outcome {
	STORE_PUT_NEW = 1,       /**< URL was not known */
	STORE_PUT_CHANGED = 2,   /**< size, ETag or Last-Modified changed, or
	                              a gone download came back */
	STORE_PUT_SAME = 3,      /**< only times/addresses were refreshed */
};

/** A crawled page and the validators it was last fetched with. */
struct store_page {
	const char *url;
	const char *etag;        /**< "" if none */
	int64_t last_modified;   /**< 0 if none */
	int64_t fetched;         /**< Unix time of the last fetch */
	int status;              /**< HTTP status of the last fetch */
	uint32_t links;          /**< links found on it last time */
};

/** One pending item of the crawler's persistent frontier. */
struct store_frontier_item {
	const char *url;
	const char *vendor;      /**< seed section the item belongs to */
	uint32_t depth;          /**< link depth from the start URL */
	uint8_t kind;            /**< crawler-defined (page, probe, ...) */
	uint64_t seq;            /**< insertion order; set by the store */
};

/** Size classes counted by store_stats(): < 1 MiB, 1-10 MiB, 10-100 MiB,
 * 100 MiB-1 GiB, 1-4 GiB, >= 4 GiB. */
#define STORE_SIZE_CLASSES 6

/** Counters for flowgrab-store stats. */
struct store_stats {
	uint64_t downloads;      /**< all download records */
	uint64_t alive, gone;
	uint64_t by_source[STORE_SRC_MAX + 1]; /**< indexed by enum
	                              store_source */
	uint64_t by_class[STORE_SIZE_CLASSES]; /**< store_size_class() */
	int counted;             /**< 1: read from the counters the store
	                              keeps; 0: counted by a walk of every
	                              record (a store made before them,
	                              opened read-only) */
	uint64_t pages;          /**< crawler page records */
	uint64_t frontier;       /**< pending frontier items */
	uint64_t min_size, max_size, total_bytes; /**< over downloads */
	uint64_t file_bytes;     /**< size of data.mdb on disk */
	uint64_t map_bytes;      /**< current map size */
	uint64_t used_bytes;     /**< pages in use x page size */
	unsigned schema;         /**< schema version */
};

struct store;
struct store_txn;

/**
 * Open (and with STORE_CREATE, create) the store in directory @dir.
 *
 * Clears reader slots left by crashed processes.  Refuses a store whose
 * schema version is not STORE_SCHEMA_VERSION.
 *
 * @param dir    store directory
 * @param flags  STORE_RDONLY, STORE_CREATE, STORE_NOSYNC
 * @param out    receives the handle; set to NULL on failure
 * @param err    if not NULL, receives a one-line message naming @dir on
 *               failure ("" on success)
 * @param errlen size of @err
 * @return 0, or -ENOENT (missing, no STORE_CREATE), -EACCES/-EROFS
 *         (unwritable), -ENOTDIR, STORE_ENOTSTORE (not an LMDB store),
 *         STORE_EVERSION, MDB_INVALID, MDB_CORRUPTED, MDB_VERSION_MISMATCH,
 *         STORE_ENOMEM, or another -errno.
 */
int store_open(const char *dir, unsigned flags, struct store **out,
    char *err, size_t errlen);

/** Close @st; all its transactions must have ended.  NULL is fine. */
void store_close(struct store *st);

/** The directory @st was opened from; owned by @st. */
const char *store_path(const struct store *st);

/**
 * Begin a transaction.  A write transaction waits for any other writer
 * (in this or another process).
 *
 * @return 0, STORE_ERDONLY (write on a STORE_RDONLY store), STORE_ENOMEM,
 *         or an LMDB error.
 */
int store_begin(struct store *st, unsigned flags, struct store_txn **out);

/**
 * Commit and free @txn.  For a write transaction this is where the batch
 * becomes visible and durable.  If the map is full the store grows it and
 * replays the batch, so MDB_MAP_FULL is never returned.  @txn is freed
 * whatever the result.
 * @return 0, STORE_ENOSPC (the write failed and the file system holding
 *         the store has less than 1 MiB left: the batch is lost, earlier
 *         commits are intact), or an LMDB / -errno error (the batch is
 *         then lost).
 */
int store_commit(struct store_txn *txn);

/** Abort and free @txn (NULL is fine); a write batch is discarded. */
void store_abort(struct store_txn *txn);

/**
 * Renew a read transaction so that it sees the newest commit, without
 * freeing it.  Long-running readers (the matcher collector) call this
 * between batches so that the writer can reuse old pages.
 * @return 0, STORE_EINVAL on a write txn, or an LMDB error.
 */
int store_txn_renew(struct store_txn *txn);

/**
 * The generation of the snapshot @txn reads: LMDB's transaction id, which
 * every committed write advances (mdb_txn_id()).  A reader renewing its
 * transaction sees it grow when a crawler has written.  0 if @txn has no
 * LMDB transaction now.
 */
uint64_t store_txn_generation(const struct store_txn *txn);

/* ---- downloads ---------------------------------------------------- */

/**
 * Insert or update the download at d->url (write txn).
 *
 * An update keeps first_seen and id, merges d->addrs into the known
 * addresses (newest first, at most STORE_ADDRS_MAX), and takes every other
 * field from @d.  A zero time in @d means "now" for last_seen and
 * last_checked and keeps the old value for first_seen.
 *
 * An observed reference (@d->has_obs) replaces the stored observation
 * whole: the caller counts (obs.count).
 *
 * @param outcome if not NULL, receives an enum store_put_outcome
 * @return 0, STORE_EINVAL (no URL, size 0, unknown state or source, an
 *         observation on a source other than STORE_SRC_OBSERVED),
 *         STORE_ETOOLONG, STORE_ERDONLY, or an LMDB error.
 */
int store_put(struct store_txn *txn, const struct store_download *d,
    int *outcome);

/**
 * Fetch the download at @url into @out.
 * @return 0, STORE_ENOTFOUND, STORE_ETOOLONG, STORE_ECORRUPT, or an
 *         LMDB error.
 */
int store_get(struct store_txn *txn, const char *url,
    struct store_download *out);

/**
 * Mark the download at @url gone (404/410) at time @when (0 = now).
 * @return 0, STORE_ENOTFOUND, STORE_ERDONLY or an LMDB error.
 */
int store_mark_gone(struct store_txn *txn, const char *url, int64_t when);

/**
 * Record that the download at @url was probed at @when (0 = now) and
 * found unchanged; cheaper than a full store_put().
 * @return 0, STORE_ENOTFOUND, STORE_ERDONLY or an LMDB error.
 */
int store_touch(struct store_txn *txn, const char *url, int64_t when);

/**
 * Delete the download at @url and its index entries.
 * @return 0, STORE_ENOTFOUND, STORE_ERDONLY or an LMDB error.
 */
int store_delete(struct store_txn *txn, const char *url);

/**
 * Callback for iterations.  @d is valid only during the call.
 * Return 0 to go on, anything else to stop (that value is then returned
 * by the iterating function).
 */
typedef int (*store_download_cb)(const struct store_download *d, void *arg);

/**
 * Call @cb for every download with lo <= size <= hi, in ascending size
 * (ties in insertion order).  One range scan of the size index:
 * O(log n + k).
 * @return 0, @cb's non-zero value, STORE_ECORRUPT or an LMDB error.
 */
int store_range(struct store_txn *txn, uint64_t lo, uint64_t hi,
    store_download_cb cb, void *arg);

/**
 * Callback for store_range_ids(): a download's size and id, from the
 * size index alone.  Return 0 to go on, non-zero to stop.
 */
typedef int (*store_id_cb)(uint64_t size, uint64_t id, void *arg);

/**
 * Like store_range(), but reads the size index only: no record is fetched
 * or decoded, so a scan costs one descent plus a step per hit.  Fetch the
 * few records worth it with store_get_id().
 * @return 0, @cb's non-zero value, or an LMDB error.
 */
int store_range_ids(struct store_txn *txn, uint64_t lo, uint64_t hi,
    store_id_cb cb, void *arg);

/**
 * Like store_range_ids(), but only the downloads that address @a served
 * (struct store_download.addrs), in ascending size: one walk of the
 * address index, whatever the store holds at other addresses.  @a with
 * family 0: the downloads that list no address at all.
 * @return 0, @cb's non-zero value, STORE_ENOTFOUND if the store has no
 * address index (made before it, and not yet opened for writing),
 * STORE_ECORRUPT or an LMDB error.
 */
int store_range_addr(struct store_txn *txn, const struct store_addr *a,
    uint64_t lo, uint64_t hi, store_id_cb cb, void *arg);

/**
 * Fetch the download with id @id (as given by store_range_ids() or in
 * struct store_download.id) into @out.
 * @return 0, STORE_ENOTFOUND, STORE_ECORRUPT or an LMDB error.
 */
int store_get_id(struct store_txn *txn, uint64_t id,
    struct store_download *out);

/** Number of downloads with lo <= size <= hi (same scan, no decoding). */
int store_range_count(struct store_txn *txn, uint64_t lo, uint64_t hi,
    uint64_t *count);

/**
 * Call @cb for every download in insertion (id) order.  In a write
 * transaction @cb must not change the store; collect URLs and change them
 * afterwards.
 */
int store_foreach(struct store_txn *txn, store_download_cb cb, void *arg);

/* ---- crawler state ------------------------------------------------- */

/** Store what was learned fetching a page (write txn). */
int store_page_put(struct store_txn *txn, const struct store_page *p);
/** @return 0 or STORE_ENOTFOUND (or an LMDB error). */
int store_page_get(struct store_txn *txn, const char *url,
    struct store_page *out);

/**
 * Add @it to the frontier unless its URL is there already (@added gets
 * 1 if it was added, 0 if it was there).  it->seq is ignored.
 */
int store_frontier_add(struct store_txn *txn,
    const struct store_frontier_item *it, int *added);
/** Remove @url from the frontier; STORE_ENOTFOUND if it was not there. */
int store_frontier_del(struct store_txn *txn, const char *url);
/** Remove every frontier item. */
int store_frontier_clear(struct store_txn *txn);
typedef int (*store_frontier_cb)(const struct store_frontier_item *it,
    void *arg);
/** Call @cb for each frontier item in insertion order. */
int store_frontier_foreach(struct store_txn *txn, store_frontier_cb cb,
    void *arg);

/**
 * Small named values (e.g. the crawler's run state).  @key is a short
 * string; values up to 4 KiB.  store_meta_get() points @val into the map
 * (valid as for other getters).
 */
int store_meta_put(struct store_txn *txn, const char *key, const void *val,
    size_t len);
int store_meta_get(struct store_txn *txn, const char *key, const void **val,
    size_t *len);
int store_meta_del(struct store_txn *txn, const char *key);

/* ---- whole-store operations ---------------------------------------- */

/**
 * Fill @out with counts and sizes.  The counts are kept in the store and
 * changed in the same transaction as the downloads, so they agree with
 * what @txn sees (in a write transaction, with its own changes); reading
 * them costs a few lookups, whatever the store's size.  A store made
 * before the counters gets them at its first writable open; until then a
 * read walks every record (out->counted = 0).
 */
int store_stats(struct store_txn *txn, struct store_stats *out);

/** Callback for store_vendors(): a vendor, its downloads and their bytes. */
typedef int (*store_vendor_cb)(const char *vendor, uint64_t downloads,
    uint64_t bytes, void *arg);
/**
 * Call @cb for every vendor with at least one download, in byte order of
 * the names ("" for downloads without a vendor); kept counters like
 * store_stats(), or a walk of every record on an older store.
 * @return 0, @cb's non-zero value, STORE_ECORRUPT or an LMDB error.
 */
int store_vendors(struct store_txn *txn, store_vendor_cb cb, void *arg);

/** The size class (0 .. STORE_SIZE_CLASSES - 1) of @size. */
int store_size_class(uint64_t size);
/** Its name ("< 1 MiB", "1-10 MiB", ...), or "?". */
const char *store_size_class_name(int c);

/** Callback for store_check(): one message per problem found. */
typedef void (*store_problem_cb)(const char *msg, void *arg);
/**
 * Verify that every download decodes, that the URL and size indexes
 * agree with the records, both ways, and that the kept counters
 * (store_stats(), store_vendors()) equal a count of the records.
 * @param problems receives the number of problems (0 = consistent)
 */
int store_check(struct store_txn *txn, store_problem_cb cb, void *arg,
    uint64_t *problems);

/* ---- helpers ------------------------------------------------------- */

/** Message for any code these functions return; never NULL. */
const char *store_strerror(int rc);

/** Name of a source ("crawler", "import", "observed", "manifest") or
 * "?". */
const char *store_source_name(int source);
/** Parse a source name; returns 0 if unknown. */
int store_source_parse(const char *name);
/** Name of a state ("alive", "gone") or "?". */
const char *store_state_name(int state);

/** Format @a into @buf (at least 46 bytes); returns @buf. */
char *store_addr_format(const struct store_addr *a, char *buf, size_t len);
/** Parse a textual IPv4/IPv6 address; 0 or STORE_EINVAL. */
int store_addr_parse(const char *s, struct store_addr *out);
/** 1 if @a and @b are the same address. */
int store_addr_equal(const struct store_addr *a, const struct store_addr *b);

#ifdef __cplusplus
}
#endif
#endif /* FLOWGRAB_STORE_H */
