/*
 * store.c - the flowgrab reference store over LMDB (API in store.h, on-disk
 * layout in docs/store.md).
 *
 * Named databases in one environment:
 *   meta    string key   -> bytes   schema version, next id, "u:" user keys
 *   dl      u64 id       -> download record (record.c); ids only grow, so
 *                                   new records are appended (full pages)
 *   urlh    u64 url hash -> u64 id  (dupsort) URL lookup without storing
 *                                   the URL twice
 *   size    u64 size     -> u64 id  (dupsort) the size index: a range
 *                                   query is one cursor walk
 *   addr    family + 16-byte address -> (u64 size, u32 id) big-endian
 *                                   (dupsort, dupfixed) the downloads each
 *                                   server address served, by size: the
 *                                   matcher's candidates from one server
 *                                   are one cursor walk (made at the first
 *                                   writable open of an older store)
 *   page    url key      -> page record (crawler validators)
 *   front   url key      -> u64 seq (frontier membership)
 *   frontq  u64 seq      -> frontier item (insertion order)
 *
 * The meta table also keeps the counters stats prints (counts.c), changed
 * by every put, restate and delete in the same transaction.
 *
 * A full map is grown, not reported: every change made in a write
 * transaction is also appended to an operation log, and on MDB_MAP_FULL the
 * transaction is aborted, the map doubled and the log replayed.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <lmdb.h>

#include "counts.h"
#include "record.h"
#include "store.h"
#include "util.h"

#define DEFAULT_MAPSIZE   (1ULL << 30)	/* virtual; the file grows as used */
#define MAX_MAPSIZE       (1ULL << 40)
#define URLKEY_MAX        480	/* LMDB's default key limit is 511 */
#define META_VAL_MAX      4096
#define SCHEMA_KEY        "schema"
#define NEXTID_KEY        "next_id"

/* Download ids and URL-index keys are 32-bit (LMDB's MDB_INTEGERKEY and
 * MDB_INTEGERDUP take unsigned int or size_t): 4 billion downloads is
 * plenty, and each of the three tables saves 4 bytes a download. */
typedef unsigned int dlid_t;

struct store {
	MDB_env *env;
	MDB_dbi meta, dl, urlh, size, page, front, frontq, addr;
	int has_addr;           /* the addr table exists (older stores opened
	                           read-only may lack it) */
	unsigned flags;
	char *path;
	/* Held shared by every live transaction, exclusively while the map
	 * is resized: LMDB requires no transaction in the process then. */
	pthread_rwlock_t maplock;
};

enum op_code {
	OP_PUT = 1, OP_GONE, OP_TOUCH, OP_DEL, OP_PAGE, OP_FADD, OP_FDEL,
	OP_FCLEAR, OP_MPUT, OP_MDEL,
};

struct store_txn {
	struct store *st;
	MDB_txn *t;
	int write;
	int replaying;
	uint64_t next_id;	/* 0: not loaded yet */
	int next_id_dirty;
	struct fg_buf log;	/* operation log for MAP_FULL replay */
	struct fg_buf enc;	/* value being written */
	struct fg_buf tmp;	/* op payload being logged */
	/* Cursors kept for the life of the LMDB txn: opening one costs a
	 * malloc, and lookups are the matcher's hot path. */
	MDB_cursor *cur_urlh, *cur_size, *cur_addr;
};

static int
txn_cursor(struct store_txn *txn, MDB_dbi dbi, MDB_cursor **slot,
    MDB_cursor **out)
{
	int rc;

	if (*slot == NULL && (rc = mdb_cursor_open(txn->t, dbi, slot)) != 0)
		return rc;
	*out = *slot;
	return 0;
}

/* Close the cached cursors; called before the LMDB txn ends. */
static void
close_cursors(struct store_txn *txn)
{
	if (txn->cur_urlh)
		mdb_cursor_close(txn->cur_urlh);
	if (txn->cur_size)
		mdb_cursor_close(txn->cur_size);
	if (txn->cur_addr)
		mdb_cursor_close(txn->cur_addr);
	txn->cur_urlh = txn->cur_size = txn->cur_addr = NULL;
}

/* ---- small helpers --------------------------------------------------- */

/* The URL index is keyed by 32 bits of the hash: 4 bytes less per
 * download than the full hash, and at a million URLs only ~100 keys are
 * shared by two URLs, which find_url() tells apart by comparing. */
static dlid_t
urlh_key(const char *url)
{
	return (dlid_t)(fg_hash_str(url) >> 32);
}

/* Key for URL-keyed tables: the URL itself, or for long URLs a prefix
 * plus the hash of the whole URL (LMDB keys are limited to 511 bytes). */
static void
url_key(const char *url, char *buf, MDB_val *k)
{
	size_t n = strlen(url);

	if (n <= URLKEY_MAX) {
		k->mv_data = (void *)(uintptr_t)url;
		k->mv_size = n;
		return;
	}
	memcpy(buf, url, URLKEY_MAX - 17);
	snprintf(buf + URLKEY_MAX - 17, 18, "#%016" PRIx64, fg_hash_str(url));
	k->mv_data = buf;
	k->mv_size = URLKEY_MAX;
}

static int
check_url(const char *url)
{
	if (url == NULL || url[0] == '\0')
		return STORE_EINVAL;
	if (strlen(url) > STORE_URL_MAX)
		return STORE_ETOOLONG;
	return 0;
}

static int
check_write(struct store_txn *txn)
{
	return txn->write ? 0 : STORE_ERDONLY;
}

static int
put_kv(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen, const void *v,
    size_t vlen, unsigned flags)
{
	MDB_val k = { klen, (void *)(uintptr_t)key };
	MDB_val d = { vlen, (void *)(uintptr_t)v };

	return mdb_put(t, dbi, &k, &d, flags);
}

static int
put_u64(MDB_txn *t, MDB_dbi dbi, uint64_t key, const void *v, size_t n,
    unsigned flags)
{
	return put_kv(t, dbi, &key, sizeof(key), v, n, flags);
}

/* ---- open and close -------------------------------------------------- */

static void
seterr(char *err, size_t errlen, const char *fmt, ...) FG_PRINTF(3, 4);

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
mkdirs(const char *dir)
{
	char *p, *s = fg_strdup(dir);
	int rc = 0;

	for (p = s + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(s, 0755) < 0 && errno != EEXIST) {
			rc = -errno;
			break;
		}
		*p = '/';
	}
	if (rc == 0 && mkdir(s, 0755) < 0 && errno != EEXIST)
		rc = -errno;
	free(s);
	return rc;
}

static uint64_t
initial_mapsize(void)
{
	const char *e = getenv("FLOWGRAB_STORE_MAPSIZE");
	uint64_t v;

	/* Only tests set this, to exercise growth with little data. */
	if (e != NULL && fg_parse_size(e, &v) == 0 && v >= 65536)
		return v;
	return DEFAULT_MAPSIZE;
}

/* ---- the address index ----------------------------------------------- */

#define ADDRKEY_LEN 17          /* family, 16 address bytes */
#define ADDRDUP_LEN 12          /* size (8), id (4), big-endian */

/* The key of address @a; family 0 (all zero): the downloads that list
 * no address at all. */
static void
addr_key(const struct store_addr *a, uint8_t *kb)
{
	memset(kb, 0, ADDRKEY_LEN);
	if (a->family != 4 && a->family != 6)
		return;
	kb[0] = a->family;
	memcpy(kb + 1, a->bytes, a->family == 4 ? 4 : 16);
}

static void
addr_dup(uint64_t size, dlid_t id, uint8_t *vb)
{
	int i;

	for (i = 0; i < 8; i++)
		vb[i] = (uint8_t)(size >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		vb[8 + i] = (uint8_t)(id >> (24 - 8 * i));
}

/* Add (@add) or remove the entries of download @id of @size under each of
 * its @n addresses, or under the key of no address when it has none. */
static int
addr_index(MDB_txn *t, struct store *st, const struct store_addr *addrs,
    int n, uint64_t size, dlid_t id, int add)
{
	static const struct store_addr none;
	uint8_t kb[ADDRKEY_LEN], vb[ADDRDUP_LEN];
	MDB_val k = { ADDRKEY_LEN, kb }, v = { ADDRDUP_LEN, vb };
	int i, rc;

	if (n <= 0) {
		addrs = &none;
		n = 1;
	}
	for (i = 0; i < n && i < STORE_ADDRS_MAX; i++) {
		if (addrs != &none && addrs[i].family != 4 &&
		    addrs[i].family != 6)
			continue;
		addr_key(&addrs[i], kb);
		addr_dup(size, id, vb);
		if (add)
			rc = mdb_put(t, st->addr, &k, &v, MDB_NODUPDATA);
		else
			rc = mdb_del(t, st->addr, &k, &v);
		if (rc && rc != MDB_KEYEXIST && rc != MDB_NOTFOUND)
			return rc;
	}
	return 0;
}

/*
 * Open the addr table; in a writable open of a store made before it
 * existed, make it and fill it from every record (once).
 */
static int
open_addr_table(struct store *st, MDB_txn *t, int create)
{
	unsigned dup = MDB_DUPSORT | MDB_DUPFIXED;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	struct store_download d;
	dlid_t id;
	int rc;

	rc = mdb_dbi_open(t, "addr", dup, &st->addr);
	if (rc == 0) {
		st->has_addr = 1;
		return 0;
	}
	if (rc != MDB_NOTFOUND)
		return rc;
	if (!create)
		return 0;       /* read-only: lookups go without it */
	if ((rc = mdb_dbi_open(t, "addr", dup | MDB_CREATE, &st->addr)) != 0)
		return rc;
	st->has_addr = 1;
	if ((rc = mdb_cursor_open(t, st->dl, &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != sizeof(id))
			continue;
		memcpy(&id, k.mv_data, sizeof(id));
		if (record_decode_download(v.mv_data, v.mv_size, &d) != 0)
			continue;
		if ((rc = addr_index(t, st, d.addrs, d.naddrs, d.size, id,
		    1)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
open_dbis(struct store *st, int create, int writable, unsigned *schema)
{
	MDB_txn *t = NULL;
	unsigned c = create ? MDB_CREATE : 0;
	unsigned ikey = MDB_INTEGERKEY;
	unsigned idup = MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP;
	MDB_val k, v;
	MDB_stat ms;
	uint32_t ver;
	int rc;

	rc = mdb_txn_begin(st->env, NULL, create || writable ? 0 : MDB_RDONLY,
	    &t);
	if (rc)
		goto out;
	if ((rc = mdb_dbi_open(t, "meta", c, &st->meta)) ||
	    (rc = mdb_dbi_open(t, "dl", c | ikey, &st->dl)) ||
	    (rc = mdb_dbi_open(t, "urlh", c | ikey | idup, &st->urlh)) ||
	    (rc = mdb_dbi_open(t, "size", c | ikey | idup, &st->size)) ||
	    (rc = mdb_dbi_open(t, "page", c, &st->page)) ||
	    (rc = mdb_dbi_open(t, "front", c, &st->front)) ||
	    (rc = mdb_dbi_open(t, "frontq", c | ikey, &st->frontq))) {
		if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
			rc = STORE_ENOTSTORE;
		goto out;
	}
	rc = open_addr_table(st, t, create || writable);
	if (rc)
		goto out;
	k.mv_data = (void *)SCHEMA_KEY;
	k.mv_size = strlen(SCHEMA_KEY);
	rc = mdb_get(t, st->meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		if (!create || (rc = mdb_stat(t, st->dl, &ms)) != 0 ||
		    ms.ms_entries != 0) {
			rc = rc ? rc : STORE_ENOTSTORE;
			goto out;
		}
		ver = STORE_SCHEMA_VERSION;
		v.mv_data = &ver;
		v.mv_size = sizeof(ver);
		if ((rc = mdb_put(t, st->meta, &k, &v, 0)) != 0)
			goto out;
	} else if (rc) {
		goto out;
	} else if (v.mv_size != sizeof(ver)) {
		rc = STORE_ENOTSTORE;
		goto out;
	} else {
		memcpy(&ver, v.mv_data, sizeof(ver));
	}
	*schema = ver;
	if (ver != STORE_SCHEMA_VERSION) {
		rc = STORE_EVERSION;
		goto out;
	}
	/* a new store, or the first writable open of one made before the
	 * counters: count every record once */
	if ((create || writable) &&
	    (rc = counts_build(t, st->meta, st->dl)) != 0)
		goto out;
	rc = mdb_txn_commit(t);
	t = NULL;
out:
	mdb_txn_abort(t);
	return rc;
}

int
store_open(const char *dir, unsigned flags, struct store **out, char *err,
    size_t errlen)
{
	struct store *st = NULL;
	struct stat sb;
	char *data = NULL;
	unsigned envflags = MDB_NOTLS, schema = 0;
	int rc, dead = 0, have_data;
	MDB_envinfo info;

	*out = NULL;
	seterr(err, errlen, "%s", "");
	if (dir == NULL || dir[0] == '\0') {
		seterr(err, errlen, "no store directory given (-s DIR)");
		return STORE_EINVAL;
	}
	if (stat(dir, &sb) < 0) {
		rc = -errno;
		if (rc != -ENOENT || !(flags & STORE_CREATE) ||
		    (flags & STORE_RDONLY)) {
			seterr(err, errlen, "%s: %s%s", dir, strerror(-rc),
			    rc == -ENOENT ? " (no store there yet: the crawler "
			    "or 'flowgrab-store import' creates one)" : "");
			return rc;
		}
		if ((rc = mkdirs(dir)) != 0) {
			seterr(err, errlen, "%s: cannot create store "
			    "directory: %s", dir, strerror(-rc));
			return rc;
		}
	} else if (!S_ISDIR(sb.st_mode)) {
		seterr(err, errlen, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	data = fg_asprintf("%s/data.mdb", dir);
	have_data = access(data, F_OK) == 0;
	free(data);
	if (!have_data && (!(flags & STORE_CREATE) || (flags & STORE_RDONLY))) {
		seterr(err, errlen, "%s: no store there yet (the crawler or "
		    "'flowgrab-store import' creates one)", dir);
		return -ENOENT;
	}

	st = fg_calloc(1, sizeof(*st));
	st->flags = flags;
	st->path = fg_strdup(dir);
	{
		pthread_rwlockattr_t a;

		pthread_rwlockattr_init(&a);
		/* Writer preference: a pending resize must not starve. */
		pthread_rwlockattr_setkind_np(&a,
		    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&st->maplock, &a);
		pthread_rwlockattr_destroy(&a);
	}
	if ((rc = mdb_env_create(&st->env)) != 0)
		goto fail;
	mdb_env_set_maxdbs(st->env, 16);
	mdb_env_set_maxreaders(st->env, 510);
	mdb_env_set_mapsize(st->env, initial_mapsize());
	if (flags & STORE_RDONLY)
		envflags |= MDB_RDONLY;
	if (flags & STORE_NOSYNC)
		envflags |= MDB_NOSYNC;
	rc = mdb_env_open(st->env, dir, envflags, 0644);
	if (rc != 0) {
		if (rc == EACCES || rc == EROFS || rc == EPERM)
			seterr(err, errlen, "%s: %s (the store needs a writable "
			    "directory, also for reading: LMDB keeps its reader "
			    "table in lock.mdb)", dir, strerror(rc));
		else if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
			seterr(err, errlen, "%s: not a flowgrab store, or a "
			    "damaged one (%s)", dir, mdb_strerror(rc));
		else
			seterr(err, errlen, "%s: %s", dir, store_strerror(
			    rc > 0 ? -rc : rc));
		if (rc > 0)
			rc = -rc;
		goto fail_quiet;
	}
	/* Clear reader slots of processes that died inside a read txn. */
	mdb_reader_check(st->env, &dead);
	if (dead > 0)
		fg_verbose("%s: cleared %d stale reader slot(s)", dir, dead);
	if (mdb_env_info(st->env, &info) == 0 &&
	    info.me_mapsize < initial_mapsize() && !(flags & STORE_RDONLY))
		mdb_env_set_mapsize(st->env, initial_mapsize());

	rc = open_dbis(st, (flags & STORE_CREATE) && !(flags & STORE_RDONLY),
	    !(flags & STORE_RDONLY), &schema);
	if (rc == MDB_MAP_RESIZED) {
		mdb_env_set_mapsize(st->env, 0);
		rc = open_dbis(st, (flags & STORE_CREATE) &&
		    !(flags & STORE_RDONLY), !(flags & STORE_RDONLY), &schema);
	}
	/* making the address index of an older store may need a larger map */
	while (rc == MDB_MAP_FULL && mdb_env_info(st->env, &info) == 0 &&
	    (uint64_t)info.me_mapsize * 2 <= MAX_MAPSIZE) {
		mdb_env_set_mapsize(st->env, (size_t)info.me_mapsize * 2);
		rc = open_dbis(st, (flags & STORE_CREATE) &&
		    !(flags & STORE_RDONLY), !(flags & STORE_RDONLY), &schema);
	}
	if (rc == STORE_EVERSION) {
		seterr(err, errlen, "%s: store schema version %u, but this "
		    "flowgrab reads version %u (nothing was changed)", dir,
		    schema, STORE_SCHEMA_VERSION);
		goto fail_quiet;
	}
	if (rc == STORE_ENOTSTORE) {
		seterr(err, errlen, "%s: an LMDB environment, but not a "
		    "flowgrab store", dir);
		goto fail_quiet;
	}
	if (rc != 0)
		goto fail;
	*out = st;
	return 0;
fail:
	seterr(err, errlen, "%s: %s", dir, store_strerror(rc > 0 ? -rc : rc));
	if (rc > 0)
		rc = -rc;
fail_quiet:
	store_close(st);
	return rc;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->env)
		mdb_env_close(st->env);
	pthread_rwlock_destroy(&st->maplock);
	free(st->path);
	free(st);
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

/* ---- transactions ---------------------------------------------------- */

/* Adopt a map size grown by another process (MDB_MAP_RESIZED). */
static void
adopt_mapsize(struct store *st)
{
	pthread_rwlock_wrlock(&st->maplock);
	mdb_env_set_mapsize(st->env, 0);
	pthread_rwlock_unlock(&st->maplock);
}

static int
begin_lmdb(struct store_txn *txn)
{
	struct store *st = txn->st;
	int rc, tries;

	for (tries = 0; tries < 8; tries++) {
		pthread_rwlock_rdlock(&st->maplock);
		rc = mdb_txn_begin(st->env, NULL, txn->write ? 0 : MDB_RDONLY,
		    &txn->t);
		if (rc == 0)
			return 0;
		pthread_rwlock_unlock(&st->maplock);
		txn->t = NULL;
		if (rc != MDB_MAP_RESIZED)
			return rc;
		adopt_mapsize(st);
	}
	return rc;
}

static void
end_lmdb(struct store_txn *txn)
{
	txn->t = NULL;
	pthread_rwlock_unlock(&txn->st->maplock);
}

int
store_begin(struct store *st, unsigned flags, struct store_txn **out)
{
	struct store_txn *txn;
	int rc;

	*out = NULL;
	if ((flags & STORE_TXN_WRITE) && (st->flags & STORE_RDONLY))
		return STORE_ERDONLY;
	txn = fg_calloc(1, sizeof(*txn));
	txn->st = st;
	txn->write = (flags & STORE_TXN_WRITE) != 0;
	fg_buf_init(&txn->log, SIZE_MAX / 2);
	fg_buf_init(&txn->enc, 8 * STORE_URL_MAX);
	fg_buf_init(&txn->tmp, 8 * STORE_URL_MAX);
	if ((rc = begin_lmdb(txn)) != 0) {
		fg_buf_free(&txn->log);
		fg_buf_free(&txn->enc);
		fg_buf_free(&txn->tmp);
		free(txn);
		return rc;
	}
	*out = txn;
	return 0;
}

static void
txn_free(struct store_txn *txn)
{
	fg_buf_free(&txn->log);
	fg_buf_free(&txn->enc);
	fg_buf_free(&txn->tmp);
	free(txn);
}

void
store_abort(struct store_txn *txn)
{
	if (txn == NULL)
		return;
	if (txn->t) {
		close_cursors(txn);
		mdb_txn_abort(txn->t);
		end_lmdb(txn);
	}
	txn_free(txn);
}

uint64_t
store_txn_generation(const struct store_txn *txn)
{
	return txn && txn->t ? (uint64_t)mdb_txn_id(txn->t) : 0;
}

int
store_txn_renew(struct store_txn *txn)
{
	int rc;

	if (txn->write)
		return STORE_EINVAL;
	if (txn->t) {
		close_cursors(txn);
		mdb_txn_abort(txn->t);
		end_lmdb(txn);
	}
	rc = begin_lmdb(txn);
	return rc;
}

static int replay(struct store_txn *txn);

/* Abort, double the map, begin again and replay the log. */
static int
grow(struct store_txn *txn)
{
	struct store *st = txn->st;
	MDB_envinfo info;
	uint64_t want;
	int rc;

	close_cursors(txn);
	mdb_txn_abort(txn->t);
	end_lmdb(txn);
	txn->next_id = 0;
	txn->next_id_dirty = 0;
	pthread_rwlock_wrlock(&st->maplock);
	rc = mdb_env_info(st->env, &info);
	if (rc == 0) {
		want = (uint64_t)info.me_mapsize * 2;
		if (want > MAX_MAPSIZE)
			rc = MDB_MAP_FULL;
		else
			rc = mdb_env_set_mapsize(st->env, (size_t)want);
		if (rc == 0)
			fg_verbose("%s: store map grown to %" PRIu64 " MiB",
			    st->path, want >> 20);
	}
	pthread_rwlock_unlock(&st->maplock);
	if (rc)
		return rc;
	if ((rc = begin_lmdb(txn)) != 0)
		return rc;
	return replay(txn);
}

static int
save_next_id(struct store_txn *txn)
{
	MDB_val k = { strlen(NEXTID_KEY), (void *)NEXTID_KEY };
	MDB_val v = { sizeof(txn->next_id), &txn->next_id };

	if (!txn->next_id_dirty)
		return 0;
	return mdb_put(txn->t, txn->st->meta, &k, &v, 0);
}

/*
 * A failed commit's error: LMDB reports a write that found the disk full
 * as EIO or ENOSPC (its pwrite failed); say so when the file system
 * holding the store has less than 1 MiB left, so the operator knows what
 * to fix.  A commit is all or nothing: the earlier ones are intact.
 */
static int
commit_error(const struct store *st, int rc)
{
	struct statvfs vfs;

	if (rc != EIO && rc != ENOSPC && rc != EDQUOT)
		return rc;
	if (statvfs(st->path, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < (1u << 20))
		return STORE_ENOSPC;
	return rc;
}

int
store_commit(struct store_txn *txn)
{
	int rc;

	if (txn->t == NULL) {	/* a failed grow() left no transaction */
		txn_free(txn);
		return MDB_BAD_TXN;
	}
	if (!txn->write) {
		close_cursors(txn);
		mdb_txn_abort(txn->t);
		end_lmdb(txn);
		txn_free(txn);
		return 0;
	}
	for (;;) {
		rc = save_next_id(txn);
		if (rc == MDB_MAP_FULL) {
			if ((rc = grow(txn)) != 0)
				goto fail;
			continue;
		}
		if (rc)
			goto fail;
		close_cursors(txn);
		rc = mdb_txn_commit(txn->t);	/* frees the LMDB txn */
		end_lmdb(txn);
		if (rc != 0 && rc != MDB_MAP_FULL)
			rc = commit_error(txn->st, rc);
		if (rc != MDB_MAP_FULL)
			break;
		/* Saving the free list ran out of map: begin again so that
		 * grow() has a transaction to abort, then replay. */
		if ((rc = begin_lmdb(txn)) != 0)
			break;
		if ((rc = grow(txn)) != 0)
			goto fail;
	}
	txn_free(txn);
	return rc;
fail:
	if (txn->t) {
		close_cursors(txn);
		mdb_txn_abort(txn->t);
		end_lmdb(txn);
	}
	txn_free(txn);
	return rc;
}

/* ---- operation log --------------------------------------------------- */

static void
log_op(struct store_txn *txn, int op, const void *a, size_t alen,
    const void *b, size_t blen)
{
	uint8_t hdr[5];
	uint32_t len = (uint32_t)(alen + blen);

	if (txn->replaying)
		return;
	hdr[0] = (uint8_t)op;
	memcpy(hdr + 1, &len, 4);
	/* The log's limit is SIZE_MAX / 2: these cannot fail. */
	(void)fg_buf_add(&txn->log, hdr, sizeof(hdr));
	if (alen)
		(void)fg_buf_add(&txn->log, a, alen);
	if (blen)
		(void)fg_buf_add(&txn->log, b, blen);
}

/* ---- downloads: internals -------------------------------------------- */

struct found {
	dlid_t id;
	dlid_t hash;
	struct store_download d;	/* points into the map */
};

static int
get_by_id(struct store_txn *txn, dlid_t id, struct store_download *d)
{
	MDB_val k = { sizeof(id), &id }, v;
	int rc;

	rc = mdb_get(txn->t, txn->st->dl, &k, &v);
	if (rc == MDB_NOTFOUND)
		return STORE_ENOTFOUND;
	if (rc)
		return rc;
	rc = record_decode_download(v.mv_data, v.mv_size, d);
	if (rc == 0)
		d->id = id;
	return rc;
}

/* Look @url up through the hash index. */
static int
find_url(struct store_txn *txn, const char *url, struct found *f)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc;

	f->hash = urlh_key(url);
	k.mv_size = sizeof(f->hash);
	k.mv_data = &f->hash;
	if ((rc = txn_cursor(txn, txn->st->urlh, &txn->cur_urlh, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	while (rc == 0) {
		memcpy(&f->id, v.mv_data, sizeof(f->id));
		rc = get_by_id(txn, f->id, &f->d);
		if (rc == 0 && strcmp(f->d.url, url) == 0)
			break;
		if (rc != 0 && rc != STORE_ECORRUPT)
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP);
	}
	if (rc == MDB_NOTFOUND)
		rc = STORE_ENOTFOUND;
	return rc;
}

static int
alloc_id(struct store_txn *txn, dlid_t *id)
{
	MDB_val k = { strlen(NEXTID_KEY), (void *)NEXTID_KEY }, v;
	int rc;

	if (txn->next_id == 0) {
		rc = mdb_get(txn->t, txn->st->meta, &k, &v);
		if (rc == MDB_NOTFOUND)
			txn->next_id = 1;
		else if (rc)
			return rc;
		else if (v.mv_size != sizeof(uint64_t))
			return STORE_ECORRUPT;
		else
			memcpy(&txn->next_id, v.mv_data, sizeof(uint64_t));
	}
	if (txn->next_id > UINT_MAX)
		return STORE_EINVAL;	/* 4 billion downloads: never */
	*id = (dlid_t)txn->next_id++;
	txn->next_id_dirty = 1;
	return 0;
}

static void
merge_addrs(struct store_download *out, const struct store_download *fresh,
    const struct store_download *old)
{
	int i, j, n = 0;

	for (i = 0; i < fresh->naddrs && i < STORE_ADDRS_MAX; i++)
		out->addrs[n++] = fresh->addrs[i];
	for (i = 0; old != NULL && i < old->naddrs && n < STORE_ADDRS_MAX;
	    i++) {
		for (j = 0; j < n; j++)
			if (store_addr_equal(&out->addrs[j], &old->addrs[i]))
				break;
		if (j == n)
			out->addrs[n++] = old->addrs[i];
	}
	out->naddrs = (uint8_t)n;
}

static int
same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static int
do_put(struct store_txn *txn, const struct store_download *in, int *outcome)
{
	struct store *st = txn->st;
	struct found f;
	struct store_download d = *in;
	int64_t now = fg_now();
	uint64_t oldsize = 0;
	struct store_addr oldaddrs[STORE_ADDRS_MAX];
	struct counted was, now_;
	int oldn = 0;
	dlid_t id;
	int rc, exists, result;

	rc = find_url(txn, in->url, &f);
	if (rc != 0 && rc != STORE_ENOTFOUND)
		return rc;
	exists = rc == 0;
	if (d.last_seen == 0)
		d.last_seen = now;
	if (d.last_checked == 0)
		d.last_checked = now;
	if (d.state == 0)
		d.state = STORE_ALIVE;
	if (d.source == 0)
		d.source = STORE_SRC_CRAWLER;
	if (exists) {
		id = f.id;
		oldsize = f.d.size;
		/* copied: f.d points into pages the writes below may move */
		oldn = f.d.naddrs < STORE_ADDRS_MAX ? f.d.naddrs :
		    STORE_ADDRS_MAX;
		memcpy(oldaddrs, f.d.addrs, sizeof(oldaddrs));
		counts_of(&was, &f.d);
		if (d.first_seen == 0 || (f.d.first_seen != 0 &&
		    f.d.first_seen < d.first_seen))
			d.first_seen = f.d.first_seen;
		merge_addrs(&d, in, &f.d);
		if (f.d.size != d.size || f.d.state != d.state ||
		    (d.etag && d.etag[0] && !same_str(f.d.etag, d.etag)) ||
		    (d.last_modified && d.last_modified != f.d.last_modified))
			result = STORE_PUT_CHANGED;
		else
			result = STORE_PUT_SAME;
	} else {
		if (d.first_seen == 0)
			d.first_seen = now;
		if ((rc = alloc_id(txn, &id)) != 0)
			return rc;
		result = STORE_PUT_NEW;
	}
	/* Encode before touching the tree: f.d points into pages that a
	 * write may move. */
	if ((rc = record_encode_download(&txn->enc, &d)) != 0)
		return rc;
	if ((rc = put_kv(txn->t, st->dl, &id, sizeof(id), txn->enc.data,
	    txn->enc.len, exists ? 0 : MDB_APPEND)) == MDB_KEYEXIST)
		rc = put_kv(txn->t, st->dl, &id, sizeof(id), txn->enc.data,
		    txn->enc.len, 0);
	if (rc)
		return rc;
	if (!exists) {
		if ((rc = put_kv(txn->t, st->urlh, &f.hash, sizeof(f.hash),
		    &id, sizeof(id), MDB_NODUPDATA)) != 0 && rc != MDB_KEYEXIST)
			return rc;
	}
	if (!exists || oldsize != d.size) {
		if (exists) {
			MDB_val k = { sizeof(oldsize), &oldsize };
			MDB_val v = { sizeof(id), &id };

			rc = mdb_del(txn->t, st->size, &k, &v);
			if (rc && rc != MDB_NOTFOUND)
				return rc;
		}
		if ((rc = put_u64(txn->t, st->size, d.size, &id, sizeof(id),
		    MDB_NODUPDATA)) != 0 && rc != MDB_KEYEXIST)
			return rc;
	}
	if (st->has_addr && (!exists || oldsize != d.size || oldn != d.naddrs ||
	    memcmp(oldaddrs, d.addrs, (size_t)oldn * sizeof(*oldaddrs)))) {
		if ((exists && (rc = addr_index(txn->t, st, oldaddrs, oldn,
		    oldsize, id, 0)) != 0) ||
		    (rc = addr_index(txn->t, st, d.addrs, d.naddrs, d.size, id,
		    1)) != 0)
			return rc;
	}
	counts_of(&now_, &d);
	if ((rc = counts_change(txn->t, st->meta, exists ? &was : NULL,
	    &now_)) != 0)
		return rc;
	if (outcome)
		*outcome = result;
	return 0;
}

/* Rewrite an existing record with a new state and times. */
static int
do_restate(struct store_txn *txn, const char *url, int op, int64_t when)
{
	struct found f;
	struct counted was, now_;
	int rc;

	if ((rc = find_url(txn, url, &f)) != 0)
		return rc;
	counts_of(&was, &f.d);
	if (when == 0)
		when = fg_now();
	f.d.last_checked = when;
	if (op == OP_GONE) {
		f.d.state = STORE_GONE;
	} else {
		f.d.state = STORE_ALIVE;
		f.d.last_seen = when;
	}
	counts_of(&now_, &f.d);
	if ((rc = record_encode_download(&txn->enc, &f.d)) != 0 ||
	    (rc = put_kv(txn->t, txn->st->dl, &f.id, sizeof(f.id),
	    txn->enc.data, txn->enc.len, 0)) != 0)
		return rc;
	return counts_change(txn->t, txn->st->meta, &was, &now_);
}

static int
do_delete(struct store_txn *txn, const char *url)
{
	struct store *st = txn->st;
	struct found f;
	struct counted was;
	MDB_val k, v;
	uint64_t size;
	int rc;

	if ((rc = find_url(txn, url, &f)) != 0)
		return rc;
	size = f.d.size;
	counts_of(&was, &f.d);
	if (st->has_addr) {
		/* copied: f.d points into pages the deletes may move */
		struct store_addr a[STORE_ADDRS_MAX];
		int n = f.d.naddrs < STORE_ADDRS_MAX ? f.d.naddrs :
		    STORE_ADDRS_MAX;

		memcpy(a, f.d.addrs, sizeof(a));
		if ((rc = addr_index(txn->t, st, a, n, size, f.id, 0)) != 0)
			return rc;
	}
	k.mv_size = sizeof(f.id);
	k.mv_data = &f.id;
	if ((rc = mdb_del(txn->t, st->dl, &k, NULL)) != 0)
		return rc;
	k.mv_size = sizeof(f.hash);
	k.mv_data = &f.hash;
	v.mv_size = sizeof(f.id);
	v.mv_data = &f.id;
	if ((rc = mdb_del(txn->t, st->urlh, &k, &v)) && rc != MDB_NOTFOUND)
		return rc;
	k.mv_size = sizeof(size);
	k.mv_data = &size;
	if ((rc = mdb_del(txn->t, st->size, &k, &v)) && rc != MDB_NOTFOUND)
		return rc;
	return counts_change(txn->t, st->meta, &was, NULL);
}

/* ---- crawler state: internals ---------------------------------------- */

static int
do_page_put(struct store_txn *txn, const char *url, const void *rec,
    size_t len)
{
	char kb[URLKEY_MAX + 1];
	MDB_val k, v;

	url_key(url, kb, &k);
	/* @rec is the whole value: the URL, NUL, then the page record */
	v.mv_size = len;
	v.mv_data = (void *)(uintptr_t)rec;
	return mdb_put(txn->t, txn->st->page, &k, &v, 0);
}

static int
frontier_next_seq(struct store_txn *txn, uint64_t *seq)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn->t, txn->st->frontq, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc == MDB_NOTFOUND) {
		*seq = 1;
		rc = 0;
	} else if (rc == 0) {
		memcpy(seq, k.mv_data, sizeof(*seq));
		(*seq)++;
	}
	mdb_cursor_close(c);
	return rc;
}

static int
do_frontier_add(struct store_txn *txn, const void *rec, size_t len,
    const char *url, int *added)
{
	char kb[URLKEY_MAX + 1];
	MDB_val k, v;
	uint64_t seq;
	int rc;

	*added = 0;
	url_key(url, kb, &k);
	rc = mdb_get(txn->t, txn->st->front, &k, &v);
	if (rc == 0)
		return 0;
	if (rc != MDB_NOTFOUND)
		return rc;
	if ((rc = frontier_next_seq(txn, &seq)) != 0)
		return rc;
	v.mv_size = sizeof(seq);
	v.mv_data = &seq;
	if ((rc = mdb_put(txn->t, txn->st->front, &k, &v, 0)) != 0)
		return rc;
	if ((rc = put_u64(txn->t, txn->st->frontq, seq, rec, len,
	    MDB_APPEND)) != 0)
		return rc;
	*added = 1;
	return 0;
}

static int
do_frontier_del(struct store_txn *txn, const char *url)
{
	char kb[URLKEY_MAX + 1];
	MDB_val k, v;
	uint64_t seq;
	int rc;

	url_key(url, kb, &k);
	rc = mdb_get(txn->t, txn->st->front, &k, &v);
	if (rc == MDB_NOTFOUND)
		return STORE_ENOTFOUND;
	if (rc)
		return rc;
	if (v.mv_size != sizeof(seq))
		return STORE_ECORRUPT;
	memcpy(&seq, v.mv_data, sizeof(seq));
	if ((rc = mdb_del(txn->t, txn->st->front, &k, NULL)) != 0)
		return rc;
	k.mv_size = sizeof(seq);
	k.mv_data = &seq;
	rc = mdb_del(txn->t, txn->st->frontq, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
do_frontier_clear(struct store_txn *txn)
{
	int rc;

	if ((rc = mdb_drop(txn->t, txn->st->front, 0)) != 0)
		return rc;
	return mdb_drop(txn->t, txn->st->frontq, 0);
}

static int
do_meta(struct store_txn *txn, const char *key, const void *val, size_t len,
    int del)
{
	char kb[300];
	MDB_val k, v;
	int rc;

	snprintf(kb, sizeof(kb), "u:%s", key);
	k.mv_data = kb;
	k.mv_size = strlen(kb);
	if (del) {
		rc = mdb_del(txn->t, txn->st->meta, &k, NULL);
		return rc == MDB_NOTFOUND ? STORE_ENOTFOUND : rc;
	}
	v.mv_size = len;
	v.mv_data = (void *)(uintptr_t)val;
	return mdb_put(txn->t, txn->st->meta, &k, &v, 0);
}

/* ---- replay ---------------------------------------------------------- */

static int
apply(struct store_txn *txn, int op, const uint8_t *p, size_t len)
{
	struct store_download d;
	struct store_frontier_item it;
	int64_t when;
	const char *s;
	size_t n;
	int rc, dummy;

	switch (op) {
	case OP_PUT:
		if ((rc = record_decode_download(p, len, &d)) != 0)
			return rc;
		return do_put(txn, &d, NULL);
	case OP_GONE:
	case OP_TOUCH:
		memcpy(&when, p, sizeof(when));
		return do_restate(txn, (const char *)p + sizeof(when), op, when);
	case OP_DEL:
		rc = do_delete(txn, (const char *)p);
		return rc == STORE_ENOTFOUND ? 0 : rc;
	case OP_PAGE:
		s = (const char *)p;
		n = strlen(s) + 1;
		return do_page_put(txn, s, p + n, len - n);
	case OP_FADD:
		if ((rc = record_decode_item(p, len, &it)) != 0)
			return rc;
		return do_frontier_add(txn, p, len, it.url, &dummy);
	case OP_FDEL:
		rc = do_frontier_del(txn, (const char *)p);
		return rc == STORE_ENOTFOUND ? 0 : rc;
	case OP_FCLEAR:
		return do_frontier_clear(txn);
	case OP_MPUT:
		s = (const char *)p;
		n = strlen(s) + 1;
		return do_meta(txn, s, p + n, len - n, 0);
	case OP_MDEL:
		rc = do_meta(txn, (const char *)p, NULL, 0, 1);
		return rc == STORE_ENOTFOUND ? 0 : rc;
	}
	return STORE_ECORRUPT;
}

static int
replay(struct store_txn *txn)
{
	size_t off = 0;
	int rc = 0;

	txn->replaying = 1;
	while (off + 5 <= txn->log.len) {
		uint8_t op = (uint8_t)txn->log.data[off];
		uint32_t len;

		memcpy(&len, txn->log.data + off + 1, 4);
		rc = apply(txn, op, (const uint8_t *)txn->log.data + off + 5,
		    len);
		if (rc)
			break;
		off += 5 + len;
	}
	txn->replaying = 0;
	if (rc == MDB_MAP_FULL)
		return grow(txn);
	return rc;
}

/* Run @expr, growing the map and retrying while it reports MAP_FULL. */
#define WITH_GROWTH(txn, rc, expr) do { \
	(rc) = (expr); \
	while ((rc) == MDB_MAP_FULL) { \
		if (((rc) = grow(txn)) != 0) \
			break; \
		(rc) = (expr); \
	} \
} while (0)

/* ---- downloads: public ----------------------------------------------- */

int
store_put(struct store_txn *txn, const struct store_download *d, int *outcome)
{
	int rc;

	if ((rc = check_write(txn)) || (rc = check_url(d->url)))
		return rc;
	if (d->size == 0 || d->source > STORE_SRC_MAX ||
	    d->state > STORE_GONE ||
	    (d->has_obs && d->source != STORE_SRC_OBSERVED))
		return STORE_EINVAL;
	if ((d->vendor && strlen(d->vendor) > STORE_FIELD_MAX) ||
	    (d->file && strlen(d->file) > STORE_FIELD_MAX) ||
	    (d->content_type && strlen(d->content_type) > STORE_FIELD_MAX) ||
	    (d->etag && strlen(d->etag) > STORE_FIELD_MAX) ||
	    (d->has_obs && d->obs.label &&
	    strlen(d->obs.label) > STORE_FIELD_MAX))
		return STORE_ETOOLONG;
	WITH_GROWTH(txn, rc, do_put(txn, d, outcome));
	if (rc)
		return rc;
	/* Log the record as written (txn->enc): replaying it on the same
	 * earlier state gives the same result, and it is already encoded. */
	log_op(txn, OP_PUT, txn->enc.data, txn->enc.len, NULL, 0);
	return 0;
}

int
store_get(struct store_txn *txn, const char *url, struct store_download *out)
{
	struct found f;
	int rc;

	if ((rc = check_url(url)) != 0)
		return rc;
	if ((rc = find_url(txn, url, &f)) != 0)
		return rc;
	*out = f.d;
	return 0;
}

static int
restate(struct store_txn *txn, const char *url, int op, int64_t when)
{
	int rc;

	if ((rc = check_write(txn)) || (rc = check_url(url)))
		return rc;
	WITH_GROWTH(txn, rc, do_restate(txn, url, op, when));
	if (rc == 0)
		log_op(txn, op, &when, sizeof(when), url, strlen(url) + 1);
	return rc;
}

int
store_mark_gone(struct store_txn *txn, const char *url, int64_t when)
{
	return restate(txn, url, OP_GONE, when ? when : fg_now());
}

int
store_touch(struct store_txn *txn, const char *url, int64_t when)
{
	return restate(txn, url, OP_TOUCH, when ? when : fg_now());
}

int
store_delete(struct store_txn *txn, const char *url)
{
	int rc;

	if ((rc = check_write(txn)) || (rc = check_url(url)))
		return rc;
	WITH_GROWTH(txn, rc, do_delete(txn, url));
	if (rc == 0)
		log_op(txn, OP_DEL, url, strlen(url) + 1, NULL, 0);
	return rc;
}

static int
range_walk(struct store_txn *txn, uint64_t lo, uint64_t hi,
    store_download_cb cb, store_id_cb idcb, void *arg, uint64_t *count)
{
	MDB_cursor *c = NULL;
	MDB_val k = { sizeof(lo), &lo }, v;
	struct store_download d;
	uint64_t size;
	dlid_t id;
	size_t dups;
	int rc;

	if (lo > hi)
		return 0;
	if ((rc = txn_cursor(txn, txn->st->size, &txn->cur_size, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (rc == 0) {
		memcpy(&size, k.mv_data, sizeof(size));
		if (size > hi)
			break;
		if (count) {
			if ((rc = mdb_cursor_count(c, &dups)) != 0)
				break;
			*count += dups;
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP);
			continue;
		}
		memcpy(&id, v.mv_data, sizeof(id));
		if (idcb != NULL) {
			if ((rc = idcb(size, id, arg)) != 0)
				break;
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
			continue;
		}
		if ((rc = get_by_id(txn, id, &d)) != 0) {
			if (rc == STORE_ENOTFOUND)
				rc = STORE_ECORRUPT;	/* index w/o record */
			break;
		}
		if ((rc = cb(&d, arg)) != 0)
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_range(struct store_txn *txn, uint64_t lo, uint64_t hi,
    store_download_cb cb, void *arg)
{
	return range_walk(txn, lo, hi, cb, NULL, arg, NULL);
}

int
store_range_ids(struct store_txn *txn, uint64_t lo, uint64_t hi,
    store_id_cb cb, void *arg)
{
	return range_walk(txn, lo, hi, NULL, cb, arg, NULL);
}

int
store_range_addr(struct store_txn *txn, const struct store_addr *a,
    uint64_t lo, uint64_t hi, store_id_cb cb, void *arg)
{
	uint8_t kb[ADDRKEY_LEN], vb[ADDRDUP_LEN];
	MDB_val k = { ADDRKEY_LEN, kb }, v = { ADDRDUP_LEN, vb };
	MDB_cursor *c = NULL;
	uint64_t size;
	uint32_t id;
	int rc, i;

	if (!txn->st->has_addr)
		return STORE_ENOTFOUND;
	if (lo > hi || (a->family != 0 && a->family != 4 && a->family != 6))
		return 0;
	if ((rc = txn_cursor(txn, txn->st->addr, &txn->cur_addr, &c)) != 0)
		return rc;
	addr_key(a, kb);
	addr_dup(lo, 0, vb);
	rc = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH_RANGE);
	while (rc == 0) {
		const uint8_t *p = v.mv_data;

		if (v.mv_size != ADDRDUP_LEN)
			return STORE_ECORRUPT;
		for (size = 0, i = 0; i < 8; i++)
			size = size << 8 | p[i];
		if (size > hi)
			break;
		for (id = 0, i = 8; i < 12; i++)
			id = id << 8 | p[i];
		if ((rc = cb(size, id, arg)) != 0)
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP);
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_get_id(struct store_txn *txn, uint64_t id, struct store_download *out)
{
	if (id == 0 || id > UINT_MAX)
		return STORE_ENOTFOUND;
	return get_by_id(txn, (dlid_t)id, out);
}

int
store_range_count(struct store_txn *txn, uint64_t lo, uint64_t hi,
    uint64_t *count)
{
	*count = 0;
	return range_walk(txn, lo, hi, NULL, NULL, NULL, count);
}

int
store_foreach(struct store_txn *txn, store_download_cb cb, void *arg)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	struct store_download d;
	int rc;

	if ((rc = mdb_cursor_open(txn->t, txn->st->dl, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (rc == 0) {
		dlid_t id;

		if ((rc = record_decode_download(v.mv_data, v.mv_size, &d)))
			break;
		memcpy(&id, k.mv_data, sizeof(id));
		d.id = id;
		if ((rc = cb(&d, arg)) != 0)
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ---- crawler state: public ------------------------------------------- */

int
store_page_put(struct store_txn *txn, const struct store_page *p)
{
	struct fg_buf rec;
	size_t ulen;
	int rc;

	if ((rc = check_write(txn)) || (rc = check_url(p->url)))
		return rc;
	/* value: url NUL, then the page record */
	ulen = strlen(p->url) + 1;
	if ((rc = record_encode_page(&txn->enc, p)) != 0)
		return rc;
	fg_buf_init(&rec, SIZE_MAX / 2);
	(void)fg_buf_add(&rec, p->url, ulen);
	(void)fg_buf_add(&rec, txn->enc.data, txn->enc.len);
	WITH_GROWTH(txn, rc, do_page_put(txn, p->url, rec.data, rec.len));
	if (rc == 0)
		log_op(txn, OP_PAGE, p->url, ulen, rec.data, rec.len);
	fg_buf_free(&rec);
	return rc;
}

int
store_page_get(struct store_txn *txn, const char *url, struct store_page *out)
{
	char kb[URLKEY_MAX + 1];
	MDB_val k, v;
	size_t ulen;
	int rc;

	if ((rc = check_url(url)) != 0)
		return rc;
	url_key(url, kb, &k);
	rc = mdb_get(txn->t, txn->st->page, &k, &v);
	if (rc == MDB_NOTFOUND)
		return STORE_ENOTFOUND;
	if (rc)
		return rc;
	ulen = strnlen(v.mv_data, v.mv_size);
	if (ulen == v.mv_size)
		return STORE_ECORRUPT;
	if (strcmp(v.mv_data, url) != 0)	/* long-URL key collision */
		return STORE_ENOTFOUND;
	out->url = v.mv_data;
	return record_decode_page((const char *)v.mv_data + ulen + 1,
	    v.mv_size - ulen - 1, out);
}

int
store_frontier_add(struct store_txn *txn, const struct store_frontier_item *it,
    int *added)
{
	int rc, a = 0;

	if ((rc = check_write(txn)) || (rc = check_url(it->url)))
		return rc;
	if (it->vendor && strlen(it->vendor) > STORE_FIELD_MAX)
		return STORE_ETOOLONG;
	if ((rc = record_encode_item(&txn->tmp, it)) != 0)
		return rc;
	WITH_GROWTH(txn, rc, do_frontier_add(txn, txn->tmp.data, txn->tmp.len,
	    it->url, &a));
	if (rc == 0 && a)
		log_op(txn, OP_FADD, txn->tmp.data, txn->tmp.len, NULL, 0);
	if (added)
		*added = a;
	return rc;
}

int
store_frontier_del(struct store_txn *txn, const char *url)
{
	int rc;

	if ((rc = check_write(txn)) || (rc = check_url(url)))
		return rc;
	WITH_GROWTH(txn, rc, do_frontier_del(txn, url));
	if (rc == 0)
		log_op(txn, OP_FDEL, url, strlen(url) + 1, NULL, 0);
	return rc;
}

int
store_frontier_clear(struct store_txn *txn)
{
	int rc;

	if ((rc = check_write(txn)) != 0)
		return rc;
	WITH_GROWTH(txn, rc, do_frontier_clear(txn));
	if (rc == 0)
		log_op(txn, OP_FCLEAR, NULL, 0, NULL, 0);
	return rc;
}

int
store_frontier_foreach(struct store_txn *txn, store_frontier_cb cb, void *arg)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	struct store_frontier_item it;
	int rc;

	if ((rc = mdb_cursor_open(txn->t, txn->st->frontq, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (rc == 0) {
		if ((rc = record_decode_item(v.mv_data, v.mv_size, &it)) != 0)
			break;
		memcpy(&it.seq, k.mv_data, sizeof(it.seq));
		if ((rc = cb(&it, arg)) != 0)
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_meta_put(struct store_txn *txn, const char *key, const void *val,
    size_t len)
{
	int rc;

	if ((rc = check_write(txn)) != 0)
		return rc;
	if (key == NULL || key[0] == '\0')
		return STORE_EINVAL;
	if (strlen(key) > 250 || len > META_VAL_MAX)
		return STORE_ETOOLONG;
	WITH_GROWTH(txn, rc, do_meta(txn, key, val, len, 0));
	if (rc == 0)
		log_op(txn, OP_MPUT, key, strlen(key) + 1, val, len);
	return rc;
}

int
store_meta_get(struct store_txn *txn, const char *key, const void **val,
    size_t *len)
{
	char kb[300];
	MDB_val k, v;
	int rc;

	if (key == NULL || strlen(key) > 250)
		return STORE_EINVAL;
	snprintf(kb, sizeof(kb), "u:%s", key);
	k.mv_data = kb;
	k.mv_size = strlen(kb);
	rc = mdb_get(txn->t, txn->st->meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return STORE_ENOTFOUND;
	if (rc)
		return rc;
	*val = v.mv_data;
	*len = v.mv_size;
	return 0;
}

int
store_meta_del(struct store_txn *txn, const char *key)
{
	int rc;

	if ((rc = check_write(txn)) != 0)
		return rc;
	if (key == NULL || strlen(key) > 250)
		return STORE_EINVAL;
	WITH_GROWTH(txn, rc, do_meta(txn, key, NULL, 0, 1));
	if (rc == 0)
		log_op(txn, OP_MDEL, key, strlen(key) + 1, NULL, 0);
	return rc;
}

/* ---- whole store ----------------------------------------------------- */

/* The smallest and largest size: the ends of the size index. */
static int
size_ends(struct store_txn *txn, uint64_t *min, uint64_t *max)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc;

	*min = *max = 0;
	if ((rc = txn_cursor(txn, txn->st->size, &txn->cur_size, &c)) != 0)
		return rc;
	if ((rc = mdb_cursor_get(c, &k, &v, MDB_FIRST)) == 0) {
		memcpy(min, k.mv_data, sizeof(*min));
		if ((rc = mdb_cursor_get(c, &k, &v, MDB_LAST)) == 0)
			memcpy(max, k.mv_data, sizeof(*max));
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_stats(struct store_txn *txn, struct store_stats *out)
{
	MDB_stat ms;
	MDB_envinfo info;
	struct counts c;
	struct stat sb;
	char *data;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = counts_get(txn->t, txn->st->meta, txn->st->dl, &c,
	    &out->counted)) != 0 ||
	    (rc = size_ends(txn, &out->min_size, &out->max_size)) != 0)
		return rc;
	out->downloads = c.downloads;
	out->alive = c.alive;
	out->gone = c.gone;
	out->total_bytes = c.bytes;
	memcpy(out->by_source, c.by_source, sizeof(out->by_source));
	memcpy(out->by_class, c.by_class, sizeof(out->by_class));
	if ((rc = mdb_stat(txn->t, txn->st->page, &ms)) != 0)
		return rc;
	out->pages = ms.ms_entries;
	if ((rc = mdb_stat(txn->t, txn->st->frontq, &ms)) != 0)
		return rc;
	out->frontier = ms.ms_entries;
	if ((rc = mdb_env_info(txn->st->env, &info)) != 0)
		return rc;
	mdb_env_stat(txn->st->env, &ms);
	out->map_bytes = info.me_mapsize;
	out->used_bytes = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
	data = fg_asprintf("%s/data.mdb", txn->st->path);
	if (stat(data, &sb) == 0)
		out->file_bytes = (uint64_t)sb.st_size;
	free(data);
	out->schema = STORE_SCHEMA_VERSION;
	return 0;
}

int
store_vendors(struct store_txn *txn, store_vendor_cb cb, void *arg)
{
	return counts_vendors(txn->t, txn->st->meta, txn->st->dl, cb, arg);
}

struct checker {
	struct store_txn *txn;
	store_problem_cb cb;
	void *arg;
	uint64_t problems;
};

static void
problem(struct checker *ck, const char *fmt, ...) FG_PRINTF(2, 3);

static void
problem(struct checker *ck, const char *fmt, ...)
{
	char msg[STORE_URL_MAX + 200];
	va_list ap;

	ck->problems++;
	if (ck->cb == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ck->cb(msg, ck->arg);
}

/* Does the dupsort table @dbi hold (key, id)? */
static int
has_pair(struct store_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
    dlid_t id)
{
	MDB_cursor *c;
	MDB_val k = { klen, (void *)(uintptr_t)key }, v = { sizeof(id), &id };
	int rc;

	if (mdb_cursor_open(txn->t, dbi, &c) != 0)
		return 0;
	rc = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH);
	mdb_cursor_close(c);
	return rc == 0;
}

/* Walk a u64 -> id index and check each entry against the record. */
static int
check_index(struct checker *ck, MDB_dbi dbi, const char *name, int by_size)
{
	struct store_txn *txn = ck->txn;
	struct store_download d;
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t key;
	dlid_t id, k32;
	int rc;

	if ((rc = mdb_cursor_open(txn->t, dbi, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (rc == 0) {
		if (by_size) {
			memcpy(&key, k.mv_data, sizeof(key));
		} else {
			memcpy(&k32, k.mv_data, sizeof(k32));
			key = k32;
		}
		memcpy(&id, v.mv_data, sizeof(id));
		rc = get_by_id(txn, id, &d);
		if (rc == STORE_ENOTFOUND || rc == STORE_ECORRUPT)
			problem(ck, "%s index: entry %" PRIu64 " -> id %u has "
			    "no valid record", name, key, id);
		else if (rc)
			break;
		else if (by_size ? d.size != key : urlh_key(d.url) != key)
			problem(ck, "%s index: entry %" PRIu64 " -> %s does "
			    "not match the record", name, key, d.url);
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_check(struct store_txn *txn, store_problem_cb cb, void *arg,
    uint64_t *problems)
{
	struct checker ck = { txn, cb, arg, 0 };
	struct store_download d;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	dlid_t id, h;
	int rc;

	*problems = 0;
	if ((rc = mdb_cursor_open(txn->t, txn->st->dl, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (rc == 0) {
		memcpy(&id, k.mv_data, sizeof(id));
		if (record_decode_download(v.mv_data, v.mv_size, &d) != 0) {
			problem(&ck, "record %u: cannot be decoded", id);
		} else {
			h = urlh_key(d.url);
			if (!has_pair(txn, txn->st->size, &d.size,
			    sizeof(d.size), id))
				problem(&ck, "%s: missing from the size index "
				    "(%" PRIu64 " bytes)", d.url, d.size);
			if (!has_pair(txn, txn->st->urlh, &h, sizeof(h), id))
				problem(&ck, "%s: missing from the URL index",
				    d.url);
		}
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return rc;
	if ((rc = check_index(&ck, txn->st->size, "size", 1)) != 0 ||
	    (rc = check_index(&ck, txn->st->urlh, "URL", 0)) != 0 ||
	    (rc = counts_check(txn->t, txn->st->meta, txn->st->dl, cb, arg,
	    problems)) != 0)
		return rc;
	*problems += ck.problems;
	return 0;
}

/* ---- helpers --------------------------------------------------------- */

const char *
store_strerror(int rc)
{
	switch (rc) {
	case 0: return "success";
	case STORE_ENOTFOUND: return "no such record";
	case STORE_EVERSION: return "store has an unsupported schema version";
	case STORE_ETOOLONG: return "URL or field too long";
	case STORE_EINVAL: return "invalid argument";
	case STORE_ENOMEM: return "out of memory";
	case STORE_ECORRUPT: return "damaged record in the store";
	case STORE_ENOTSTORE: return "not a flowgrab store";
	case STORE_ERDONLY: return "store or transaction is read-only";
	case STORE_ENOSPC: return "no space left on the store's file system "
	    "(the last batch was not written; what was committed before is "
	    "intact)";
	}
	if (rc <= MDB_KEYEXIST && rc >= MDB_LAST_ERRCODE)
		return mdb_strerror(rc);
	if (rc < 0 && rc > -4096)
		return strerror(-rc);
	return mdb_strerror(rc);
}

const char *
store_source_name(int source)
{
	switch (source) {
	case STORE_SRC_CRAWLER: return "crawler";
	case STORE_SRC_IMPORT: return "import";
	case STORE_SRC_OBSERVED: return "observed";
	case STORE_SRC_MANIFEST: return "manifest";
	}
	return "?";
}

int
store_size_class(uint64_t size)
{
	return size < (1ULL << 20) ? 0 : size < (10ULL << 20) ? 1 :
	    size < (100ULL << 20) ? 2 : size < (1ULL << 30) ? 3 :
	    size < (4ULL << 30) ? 4 : 5;
}

const char *
store_size_class_name(int c)
{
	static const char *name[STORE_SIZE_CLASSES] = {
		"< 1 MiB", "1-10 MiB", "10-100 MiB", "100 MiB-1 GiB",
		"1-4 GiB", ">= 4 GiB",
	};

	return c >= 0 && c < STORE_SIZE_CLASSES ? name[c] : "?";
}

int
store_source_parse(const char *name)
{
	if (strcmp(name, "crawler") == 0)
		return STORE_SRC_CRAWLER;
	if (strcmp(name, "import") == 0)
		return STORE_SRC_IMPORT;
	if (strcmp(name, "observed") == 0)
		return STORE_SRC_OBSERVED;
	if (strcmp(name, "manifest") == 0)
		return STORE_SRC_MANIFEST;
	return 0;
}

const char *
store_state_name(int state)
{
	switch (state) {
	case STORE_ALIVE: return "alive";
	case STORE_GONE: return "gone";
	}
	return "?";
}

char *
store_addr_format(const struct store_addr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->bytes, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

int
store_addr_parse(const char *s, struct store_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		out->family = 6;
		return 0;
	}
	return STORE_EINVAL;
}

int
store_addr_equal(const struct store_addr *a, const struct store_addr *b)
{
	return a->family == b->family &&
	    memcmp(a->bytes, b->bytes, a->family == 6 ? 16 : 4) == 0;
}
