/*
 * counts.c - the counters flowgrab-store stats prints, kept in the meta
 * table (see counts.h; docs/store.md, "Counters").
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counts.h"
#include "record.h"
#include "util.h"

#define COUNTS_KEY    "counts"
#define VENDOR_PREFIX "v:"
#define VENDOR_PLEN   2
#define VENDOR_VLEN   (2 * sizeof(uint64_t))

void
counts_of(struct counted *c, const struct store_download *d)
{
	c->size = d->size;
	c->state = d->state;
	c->source = d->source;
	snprintf(c->vendor, sizeof(c->vendor), "%s", d->vendor ? d->vendor :
	    "");
}

/* Add (@sign > 0) or take away @n; a counter never goes below zero (a
 * damaged one is reported by store_check(), not wrapped around). */
static void
adj(uint64_t *v, int sign, uint64_t n)
{
	if (sign > 0)
		*v += n;
	else
		*v = *v > n ? *v - n : 0;
}

static void
count_one(struct counts *c, const struct counted *d, int sign)
{
	adj(&c->downloads, sign, 1);
	adj(d->state == STORE_GONE ? &c->gone : &c->alive, sign, 1);
	adj(&c->by_source[d->source <= STORE_SRC_MAX ? d->source : 0], sign,
	    1);
	adj(&c->by_class[store_size_class(d->size)], sign, 1);
	adj(&c->bytes, sign, d->size);
}

static void
meta_key(MDB_val *k, const char *s)
{
	k->mv_data = (void *)(uintptr_t)s;
	k->mv_size = strlen(s);
}

/* "v:" and the name, in @buf (VENDOR_PLEN + STORE_FIELD_MAX + 1). */
static void
vendor_key(MDB_val *k, char *buf, const char *name)
{
	size_t n = strlen(name);

	if (n > STORE_FIELD_MAX)
		n = STORE_FIELD_MAX;
	memcpy(buf, VENDOR_PREFIX, VENDOR_PLEN);
	memcpy(buf + VENDOR_PLEN, name, n);
	k->mv_data = buf;
	k->mv_size = VENDOR_PLEN + n;
}

static int
read_counts(MDB_txn *t, MDB_dbi meta, struct counts *c)
{
	MDB_val k, v;
	int rc;

	meta_key(&k, COUNTS_KEY);
	if ((rc = mdb_get(t, meta, &k, &v)) != 0)
		return rc;
	if (v.mv_size != sizeof(*c))
		return STORE_ECORRUPT;
	memcpy(c, v.mv_data, sizeof(*c));
	return 0;
}

static int
write_counts(MDB_txn *t, MDB_dbi meta, const struct counts *c)
{
	MDB_val k, v = { sizeof(*c), (void *)(uintptr_t)c };

	meta_key(&k, COUNTS_KEY);
	return mdb_put(t, meta, &k, &v, 0);
}

/* Change vendor @name's downloads by @dn and bytes by +@add -@sub. */
static int
vendor_adjust(MDB_txn *t, MDB_dbi meta, const char *name, int dn,
    uint64_t add, uint64_t sub)
{
	char kb[VENDOR_PLEN + STORE_FIELD_MAX + 1];
	uint64_t val[2] = { 0, 0 };
	MDB_val k, v;
	int rc;

	vendor_key(&k, kb, name);
	rc = mdb_get(t, meta, &k, &v);
	if (rc == 0 && v.mv_size == VENDOR_VLEN)	/* a damaged one counts
							   from 0 again */
		memcpy(val, v.mv_data, sizeof(val));
	else if (rc != MDB_NOTFOUND)
		return rc;
	if (dn)
		adj(&val[0], dn, 1);
	adj(&val[1], 1, add);
	adj(&val[1], -1, sub);
	if (val[0] == 0) {
		rc = mdb_del(t, meta, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	v.mv_size = sizeof(val);
	v.mv_data = val;
	return mdb_put(t, meta, &k, &v, 0);
}

int
counts_change(MDB_txn *t, MDB_dbi meta, const struct counted *old,
    const struct counted *new)
{
	struct counts c;
	int rc;

	if (old && new && old->size == new->size &&
	    old->state == new->state && old->source == new->source &&
	    strcmp(old->vendor, new->vendor) == 0)
		return 0;
	if ((rc = read_counts(t, meta, &c)) != 0)	/* keeps none, or a
							   damaged value that
							   the next writable
							   open makes again */
		return rc == MDB_NOTFOUND || rc == STORE_ECORRUPT ? 0 : rc;
	if (old)
		count_one(&c, old, -1);
	if (new)
		count_one(&c, new, 1);
	if ((rc = write_counts(t, meta, &c)) != 0)
		return rc;
	if (old && new && strcmp(old->vendor, new->vendor) == 0)
		return old->size == new->size ? 0 :
		    vendor_adjust(t, meta, new->vendor, 0, new->size,
		    old->size);
	if (old && (rc = vendor_adjust(t, meta, old->vendor, -1, 0,
	    old->size)) != 0)
		return rc;
	if (new)
		return vendor_adjust(t, meta, new->vendor, 1, new->size, 0);
	return 0;
}

/* ---- a walk of every record ------------------------------------------ */

/* Vendors met on a walk: open addressing on the name's FNV-1a hash. */
struct vendor_ent {
	char *name;
	uint64_t n, bytes;
	int seen;               /* counts_check(): met in the meta table */
};

struct vendor_table {
	struct vendor_ent *e;
	size_t cap, n;
};


static struct vendor_ent *
vt_slot(struct vendor_ent *e, size_t cap, const char *name)
{
	size_t i = (size_t)fg_hash_str(name) & (cap - 1);

	while (e[i].name != NULL && strcmp(e[i].name, name) != 0)
		i = (i + 1) & (cap - 1);
	return &e[i];
}

static struct vendor_ent *
vt_find(const struct vendor_table *vt, const char *name)
{
	struct vendor_ent *s;

	if (vt->cap == 0)
		return NULL;
	s = vt_slot(vt->e, vt->cap, name);
	return s->name ? s : NULL;
}

static struct vendor_ent *
vt_get(struct vendor_table *vt, const char *name)
{
	struct vendor_ent *s;
	size_t i;

	if ((vt->n + 1) * 10 >= vt->cap * 7) {
		size_t cap = vt->cap ? vt->cap * 2 : 64;
		struct vendor_ent *e = fg_calloc(cap, sizeof(*e));

		for (i = 0; i < vt->cap; i++)
			if (vt->e[i].name)
				*vt_slot(e, cap, vt->e[i].name) = vt->e[i];
		free(vt->e);
		vt->e = e;
		vt->cap = cap;
	}
	s = vt_slot(vt->e, vt->cap, name);
	if (s->name == NULL) {
		s->name = fg_strdup(name);
		vt->n++;
	}
	return s;
}

static void
vt_free(struct vendor_table *vt)
{
	size_t i;

	for (i = 0; i < vt->cap; i++)
		free(vt->e[i].name);
	free(vt->e);
	vt->e = NULL;
	vt->cap = vt->n = 0;
}

static int
by_name(const void *a, const void *b)
{
	const struct vendor_ent *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Move the used entries to the front, sorted by name (the meta table's
 * order); the table is then only for reading and freeing. */
static void
vt_sort(struct vendor_table *vt)
{
	size_t i, n = 0;

	for (i = 0; i < vt->cap; i++)
		if (vt->e[i].name)
			vt->e[n++] = vt->e[i];
	for (i = n; i < vt->cap; i++)
		memset(&vt->e[i], 0, sizeof(vt->e[i]));
	qsort(vt->e, n, sizeof(*vt->e), by_name);
}

/* Count every record of @dl into @c and (if not NULL) @vt.  A record that
 * does not decode is not counted: store_check() reports it. */
static int
walk(MDB_txn *t, MDB_dbi dl, struct counts *c, struct vendor_table *vt)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct store_download d;
	struct counted one;
	struct vendor_ent *e;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = mdb_cursor_open(t, dl, &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (record_decode_download(v.mv_data, v.mv_size, &d) != 0)
			continue;
		one.size = d.size;
		one.state = d.state;
		one.source = d.source;
		count_one(c, &one, 1);
		if (vt) {
			e = vt_get(vt, d.vendor);
			e->n++;
			e->bytes += d.size;
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Call @fn for each vendor key of the meta table, in key order, with the
 * cursor on it (@fn may delete the entry under it: LMDB's MDB_NEXT then
 * goes to the one after).  0, @fn's non-zero value or an LMDB error.
 */
typedef int (*vendor_key_fn)(MDB_cursor *cur, const MDB_val *k,
    const MDB_val *v, void *arg);

static int
vendor_keys(MDB_txn *t, MDB_dbi meta, vendor_key_fn fn, void *arg)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(t, meta, &cur)) != 0)
		return rc;
	meta_key(&k, VENDOR_PREFIX);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < VENDOR_PLEN ||
		    memcmp(k.mv_data, VENDOR_PREFIX, VENDOR_PLEN) != 0)
			break;
		if ((rc = fn(cur, &k, &v, arg)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
drop_one(MDB_cursor *cur, const MDB_val *k, const MDB_val *v, void *arg)
{
	(void)k;
	(void)v;
	(void)arg;
	return mdb_cursor_del(cur, 0);
}

int
counts_build(MDB_txn *t, MDB_dbi meta, MDB_dbi dl)
{
	struct vendor_table vt = { NULL, 0, 0 };
	struct counts c;
	char kb[VENDOR_PLEN + STORE_FIELD_MAX + 1];
	uint64_t val[2];
	MDB_val k, v;
	size_t i;
	int rc;

	rc = read_counts(t, meta, &c);
	if (rc != MDB_NOTFOUND && rc != STORE_ECORRUPT)
		return rc;      /* kept already (0), or an error */
	/* none, or a damaged value: count again, from no vendor */
	if ((rc = vendor_keys(t, meta, drop_one, NULL)) != 0 ||
	    (rc = walk(t, dl, &c, &vt)) != 0)
		goto out;
	for (i = 0; i < vt.cap; i++) {
		if (vt.e[i].name == NULL)
			continue;
		vendor_key(&k, kb, vt.e[i].name);
		val[0] = vt.e[i].n;
		val[1] = vt.e[i].bytes;
		v.mv_size = sizeof(val);
		v.mv_data = val;
		if ((rc = mdb_put(t, meta, &k, &v, 0)) != 0)
			goto out;
	}
	rc = write_counts(t, meta, &c);
out:
	vt_free(&vt);
	return rc;
}

int
counts_get(MDB_txn *t, MDB_dbi meta, MDB_dbi dl, struct counts *out,
    int *kept)
{
	int rc = read_counts(t, meta, out);

	*kept = rc == 0;
	if (rc != MDB_NOTFOUND && rc != STORE_ECORRUPT)
		return rc;
	return walk(t, dl, out, NULL);
}

/*
 * Each vendor key of the meta table to a store_vendor_cb (kept_vendors()).
 * The name is copied out of the key (keys are not NUL-terminated).  A
 * damaged entry is left out (counts_check() then finds the vendor's
 * records uncounted).
 */
struct kept_arg {
	store_vendor_cb cb;
	void *arg;
};

static int
kept_one(MDB_cursor *cur, const MDB_val *k, const MDB_val *v, void *arg)
{
	const struct kept_arg *ka = arg;
	char name[STORE_FIELD_MAX + 1];
	uint64_t val[2];

	(void)cur;
	if (k->mv_size > VENDOR_PLEN + STORE_FIELD_MAX ||
	    v->mv_size != VENDOR_VLEN)
		return 0;       /* damaged: store_check() says so */
	memcpy(name, (const char *)k->mv_data + VENDOR_PLEN,
	    k->mv_size - VENDOR_PLEN);
	name[k->mv_size - VENDOR_PLEN] = '\0';
	memcpy(val, v->mv_data, sizeof(val));
	return ka->cb(name, val[0], val[1], ka->arg);
}

static int
kept_vendors(MDB_txn *t, MDB_dbi meta, store_vendor_cb cb, void *arg)
{
	struct kept_arg ka = { cb, arg };

	return vendor_keys(t, meta, kept_one, &ka);
}

int
counts_vendors(MDB_txn *t, MDB_dbi meta, MDB_dbi dl, store_vendor_cb cb,
    void *arg)
{
	struct vendor_table vt = { NULL, 0, 0 };
	struct counts c;
	size_t i;
	int rc;

	rc = read_counts(t, meta, &c);
	if (rc == 0)
		return kept_vendors(t, meta, cb, arg);
	if (rc != MDB_NOTFOUND && rc != STORE_ECORRUPT)
		return rc;
	if ((rc = walk(t, dl, &c, &vt)) == 0) {
		vt_sort(&vt);
		for (i = 0; i < vt.n && rc == 0; i++)
			rc = cb(vt.e[i].name, vt.e[i].n, vt.e[i].bytes, arg);
	}
	vt_free(&vt);
	return rc;
}

/* ---- check ----------------------------------------------------------- */

struct checking {
	struct vendor_table *vt;
	store_problem_cb cb;
	void *arg;
	uint64_t problems;
};

static void
differs(struct checking *ck, const char *what, uint64_t kept, uint64_t found)
{
	char msg[STORE_FIELD_MAX + 200];

	if (kept == found)
		return;
	ck->problems++;
	if (ck->cb == NULL)
		return;
	snprintf(msg, sizeof(msg), "counters: %s %" PRIu64 ", but the records "
	    "say %" PRIu64, what, kept, found);
	ck->cb(msg, ck->arg);
}

static int
check_vendor(const char *name, uint64_t n, uint64_t bytes, void *arg)
{
	struct checking *ck = arg;
	struct vendor_ent *e = vt_find(ck->vt, name);
	char what[STORE_FIELD_MAX + 40];

	snprintf(what, sizeof(what), "vendor \"%s\" downloads", name);
	differs(ck, what, n, e ? e->n : 0);
	snprintf(what, sizeof(what), "vendor \"%s\" bytes", name);
	differs(ck, what, bytes, e ? e->bytes : 0);
	if (e)
		e->seen = 1;
	return 0;
}

int
counts_check(MDB_txn *t, MDB_dbi meta, MDB_dbi dl, store_problem_cb cb,
    void *arg, uint64_t *problems)
{
	struct vendor_table vt = { NULL, 0, 0 };
	struct checking ck = { &vt, cb, arg, 0 };
	struct counts kept, found;
	char what[STORE_FIELD_MAX + 40];
	size_t i;
	int rc;

	*problems = 0;
	rc = read_counts(t, meta, &kept);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc == STORE_ECORRUPT) {
		differs(&ck, "value of the wrong length", 1, 0);
		*problems = ck.problems;
		return 0;
	}
	if (rc != 0 || (rc = walk(t, dl, &found, &vt)) != 0)
		goto out;
	differs(&ck, "downloads", kept.downloads, found.downloads);
	differs(&ck, "alive", kept.alive, found.alive);
	differs(&ck, "gone", kept.gone, found.gone);
	differs(&ck, "bytes", kept.bytes, found.bytes);
	for (i = 1; i <= STORE_SRC_MAX; i++) {
		snprintf(what, sizeof(what), "source %s",
		    store_source_name((int)i));
		differs(&ck, what, kept.by_source[i], found.by_source[i]);
	}
	for (i = 0; i < STORE_SIZE_CLASSES; i++) {
		snprintf(what, sizeof(what), "size class %s",
		    store_size_class_name((int)i));
		differs(&ck, what, kept.by_class[i], found.by_class[i]);
	}
	if ((rc = kept_vendors(t, meta, check_vendor, &ck)) != 0)
		goto out;
	for (i = 0; i < vt.cap; i++)
		if (vt.e[i].name && !vt.e[i].seen)
			check_vendor(vt.e[i].name, 0, 0, &ck);
	*problems = ck.problems;
out:
	vt_free(&vt);
	return rc;
}
