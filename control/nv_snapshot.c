/* The NV snapshot file (nv_file.h, docs/nv.md "Files").
 *
 * A million records make a file of about 100 MB, too big to hold as a
 * Jansson tree (some 600 bytes per record).  So the writer prints records
 * with ctl_nv_record_format_json(), and the reader walks the top-level object
 * itself and hands Jansson one table element at a time
 * (JSON_DISABLE_EOF_CHECK tells how far each element went).  The reader
 * takes any JSON layout of the object, not only the writer's. */
#include "control/nv_file.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/config_priv.h"

#define KEY_MAX 32

/* A position in the mapped file, and what was read so far. */
struct reader {
	const char *start;
	const char *p;
	const char *end;
	const char *path;
	char *err;
	size_t errsz;
	unsigned int seen;              /* bit per key of 'keys' */
	long long version;              /* schema_version */
	uint64_t seq;
};

/* The keys of the snapshot object; the tables with the add op their
 * elements stand for. */
static const struct {
	const char *key;
	enum ctl_nv_op_kind add;            /* CTL_NV_OP_N: an integer */
} keys[] = {
	{ "schema_version", CTL_NV_OP_N },
	{ "seq", CTL_NV_OP_N },
	{ "pas", CTL_NV_OP_ADD_PA },
	{ "pa_routes", CTL_NV_OP_ADD_PA_ROUTE },
	{ "records", CTL_NV_OP_ADD_RECORD },
	{ "routes", CTL_NV_OP_ADD_ROUTE },
};

#define N_KEYS (sizeof keys / sizeof keys[0])

static int read_object(struct reader *r, struct ctl_nv_store *s);
static int read_member(struct reader *r, const char *key,
		       struct ctl_nv_store *s);
static int read_table(struct reader *r, size_t t, struct ctl_nv_store *s);
static int read_element(struct reader *r, size_t t, size_t i,
			struct ctl_nv_store *s);
static int load_element(struct ctl_nv_store *s, const struct ctl_nv_op *op,
			const char *field, char *err, size_t errsz);
static int read_key(struct reader *r, char key[KEY_MAX]);
static int read_int(struct reader *r, const char *key, long long *out);
static int expect(struct reader *r, char c, const char *what);
static void skip_space(struct reader *r);
static int fail(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int write_snapshot(FILE *f, const struct ctl_nv_store *s, uint64_t seq);
static int write_table(FILE *f, const char *key, enum ctl_nv_op_kind add,
		       const void *items, size_t n, size_t size,
		       bool last);
static int sync_dir(const char *path);

int
ctl_nv_snapshot_save(const char *path, const struct ctl_nv_store *s,
		     uint64_t seq, char *err, size_t errsz)
{
	const char *slash = strrchr(path, '/');
	char *tmp = NULL, *dir = NULL;
	FILE *f = NULL;
	int fd, rc = 0;

	if (asprintf(&dir, "%.*s", slash ? (int) (slash - path) : 1,
		     slash ? (slash == path ? "/" : path) : ".") < 0
	    || asprintf(&tmp, "%s/.%s.XXXXXX", dir, slash ? slash + 1 : path)
	       < 0) {
		free(dir);
		return ctl_err(err, errsz, -ENOMEM, "out of memory");
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		rc = -errno;
	if (rc == 0)
		rc = write_snapshot(f, s, seq);
	if (rc == 0 && (fflush(f) != 0 || fchmod(fd, 0644) < 0
			|| fsync(fd) < 0))
		rc = -errno;
	if (f && fclose(f) != 0 && rc == 0)
		rc = -errno;
	else if (!f && fd >= 0)
		close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		ctl_err(err, errsz, -EIO, "%s: cannot write: %s", path,
			strerror(-rc));
		if (fd >= 0)
			unlink(tmp);
	} else if (sync_dir(dir) < 0) {
		rc = -errno;
		ctl_err(err, errsz, -EIO, "%s: cannot sync: %s", dir,
			strerror(-rc));
	}
	free(tmp);
	free(dir);
	return rc < 0 ? -EIO : 0;
}

int
ctl_nv_snapshot_load(const char *path, struct ctl_nv_store *s, uint64_t *seq,
		 char *err, size_t errsz)
{
	struct reader r = { .path = path, .err = err, .errsz = errsz };
	struct stat st;
	void *map;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return ctl_err(err, errsz, -EIO, "%s: %s", path, strerror(-rc));
	}
	if (st.st_size == 0) {
		close(fd);
		return ctl_err(err, errsz, -EINVAL, "%s: the file is empty",
			       path);
	}
	map = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return ctl_err(err, errsz, -EIO, "%s: %s", path,
			       strerror(errno));
	r.start = r.p = map;
	r.end = r.start + st.st_size;
	rc = read_object(&r, s);
	munmap(map, (size_t) st.st_size);
	*seq = r.seq;
	if (rc == 0 && ctl_nv_store_load_check(s, err, errsz) < 0) {
		char msg[1024];

		snprintf(msg, sizeof msg, "%s", err);
		return ctl_err(err, errsz, -EINVAL, "%s: %s", path, msg);
	}
	return rc;
}

/* Static helpers: reading. */

static int
read_object(struct reader *r, struct ctl_nv_store *s)
{
	char key[KEY_MAX];
	int rc;

	r->version = -1;
	skip_space(r);
	if (expect(r, '{', "the snapshot must be a JSON object") < 0)
		return -EINVAL;
	skip_space(r);
	if (r->p < r->end && *r->p == '}')
		r->p++;
	else
		for (;;) {
			rc = read_key(r, key);
			if (rc == 0)
				rc = read_member(r, key, s);
			if (rc < 0)
				return rc;
			skip_space(r);
			if (r->p < r->end && *r->p == ',') {
				r->p++;
				continue;
			}
			if (expect(r, '}', "expected ',' or '}'") < 0)
				return -EINVAL;
			break;
		}
	skip_space(r);
	if (r->p != r->end)
		return fail(r, "data after the snapshot object");
	if (r->version < 0)
		return ctl_err(r->err, r->errsz, -EINVAL, "%s: schema_version: "
			       "required key is missing", r->path);
	return 0;
}

/* After the key: ':' and its value.  Each key at most once. */
static int
read_member(struct reader *r, const char *key, struct ctl_nv_store *s)
{
	size_t k = 0;
	long long v;

	while (k < N_KEYS && strcmp(keys[k].key, key))
		k++;
	if (k == N_KEYS)
		return fail(r, "%s: unknown key", key);
	if (r->seen & (1u << k))
		return fail(r, "%s: duplicate key", key);
	r->seen |= 1u << k;
	skip_space(r);
	if (expect(r, ':', "expected ':'") < 0)
		return -EINVAL;
	skip_space(r);
	if (keys[k].add != CTL_NV_OP_N)
		return read_table(r, k, s);
	if (read_int(r, key, &v) < 0)
		return -EINVAL;
	if (!strcmp(key, "seq")) {
		if (v < 0)
			return fail(r, "seq: %lld is negative", v);
		r->seq = (uint64_t) v;
	} else if (v != CTL_NV_SCHEMA_VERSION) {
		return fail(r, "schema_version: %lld is not supported "
			    "(expected %d)", v, CTL_NV_SCHEMA_VERSION);
	} else {
		r->version = v;
	}
	return 0;
}

static int
read_table(struct reader *r, size_t t, struct ctl_nv_store *s)
{
	if (expect(r, '[', "expected an array") < 0)
		return -EINVAL;
	skip_space(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return 0;
	}
	for (size_t i = 0;; i++) {
		if (read_element(r, t, i, s) < 0)
			return -EINVAL;
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			skip_space(r);
			continue;
		}
		return expect(r, ']', "expected ',' or ']'");
	}
}

static int
read_element(struct reader *r, size_t t, size_t i, struct ctl_nv_store *s)
{
	char field[CTL_FIELD_SIZE], msg[1024];
	json_error_t jerr;
	struct ctl_nv_op op;
	json_t *v;
	int rc;

	snprintf(field, sizeof field, "%s[%zu]", keys[t].key, i);
	if (r->p >= r->end || *r->p != '{')
		return fail(r, "%s: expected an object", field);
	v = json_loadb(r->p, (size_t) (r->end - r->p), JSON_DISABLE_EOF_CHECK
		       | JSON_REJECT_DUPLICATES, &jerr);
	if (!v)
		return fail(r, "%s: %s", field, jerr.text);
	rc = ctl_nv_elem_from_json(v, keys[t].add, field, &op, msg, sizeof msg);
	json_decref(v);
	if (rc == 0)
		rc = load_element(s, &op, field, msg, sizeof msg);
	if (rc < 0)
		return fail(r, "%s", msg);
	r->p += jerr.position;
	return 0;
}

static int
load_element(struct ctl_nv_store *s, const struct ctl_nv_op *op,
	     const char *field, char *err, size_t errsz)
{
	switch (op->kind) {
	case CTL_NV_OP_ADD_PA:
		return ctl_nv_store_load_pa(s, &op->u.pa, field, err, errsz);
	case CTL_NV_OP_ADD_PA_ROUTE:
		return ctl_nv_store_load_pa_route(s, &op->u.pa_route, field,
						  err, errsz);
	case CTL_NV_OP_ADD_RECORD:
		return ctl_nv_store_load_record(s, &op->u.record, field, err,
						errsz);
	case CTL_NV_OP_ADD_ROUTE:
		return ctl_nv_store_load_route(s, &op->u.route, field, err,
					       errsz);
	default:
		return -EINVAL;
	}
}

/* A key of plain characters (every key of ours); anything else cannot be
 * one of ours and is reported as unknown. */
static int
read_key(struct reader *r, char key[KEY_MAX])
{
	size_t n = 0;

	skip_space(r);
	if (expect(r, '"', "expected a key") < 0)
		return -EINVAL;
	while (r->p < r->end && *r->p != '"') {
		if (*r->p == '\\' || (unsigned char) *r->p < 0x20
		    || n == KEY_MAX - 1)
			return fail(r, "unknown key");
		key[n++] = *r->p++;
	}
	key[n] = '\0';
	return expect(r, '"', "unterminated key");
}

static int
read_int(struct reader *r, const char *key, long long *out)
{
	char buf[24], *end;
	size_t n = 0;

	while (r->p + n < r->end && n < sizeof buf - 1
	       && ((r->p[n] >= '0' && r->p[n] <= '9') || (n == 0
							   && r->p[n] == '-')))
		n++;
	memcpy(buf, r->p, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtoll(buf, &end, 10);
	if (n == 0 || *end || errno)
		return fail(r, "%s: expected an integer", key);
	r->p += n;
	return 0;
}

static int
expect(struct reader *r, char c, const char *what)
{
	if (r->p < r->end && *r->p == c) {
		r->p++;
		return 0;
	}
	return fail(r, "%s", what);
}

static void
skip_space(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n'
				 || *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

/* "PATH: line L: MESSAGE", and -EINVAL. */
static int
fail(struct reader *r, const char *fmt, ...)
{
	unsigned long line = 1;
	char msg[1024];
	va_list args;

	for (const char *q = r->start; q < r->p && q < r->end; q++)
		line += *q == '\n';
	va_start(args, fmt);
	vsnprintf(msg, sizeof msg, fmt, args);
	va_end(args);
	return ctl_err(r->err, r->errsz, -EINVAL, "%s: line %lu: %s", r->path,
		       line, msg);
}

/* Static helpers: writing. */

/* Returns 0 or a negative errno. */
static int
write_snapshot(FILE *f, const struct ctl_nv_store *s, uint64_t seq)
{
	const struct ctl_nv_pa *pas;
	const struct ctl_nv_pa_route *pa_routes;
	const struct ctl_nv_route *routes;
	struct nv_counts c;
	uint32_t *order;
	char text[CTL_NV_RECORD_TEXT_SIZE];
	size_t n;

	ctl_nv_store_counts(s, &c);
	order = ctl_nv_store_sorted_records(s);
	if (c.records && !order)
		return -ENOMEM;
	fprintf(f, "{\"schema_version\":%d,\"seq\":%llu,\n",
		CTL_NV_SCHEMA_VERSION, (unsigned long long) seq);
	pas = ctl_nv_store_pas(s, &n);
	if (write_table(f, "pas", CTL_NV_OP_ADD_PA, pas, n, sizeof *pas,
			false) < 0)
		goto fail;
	pa_routes = ctl_nv_store_pa_routes(s, &n);
	if (write_table(f, "pa_routes", CTL_NV_OP_ADD_PA_ROUTE, pa_routes, n,
			sizeof *pa_routes, false) < 0)
		goto fail;
	fputs("\"records\":[", f);
	for (size_t i = 0; i < c.records; i++) {
		ctl_nv_record_format_json(ctl_nv_store_record(s, order[i]),
					  text);
		fprintf(f, "%s\n%s", i ? "," : "", text);
	}
	fputs(c.records ? "\n],\n" : "],\n", f);
	routes = ctl_nv_store_routes(s, &n);
	if (write_table(f, "routes", CTL_NV_OP_ADD_ROUTE, routes, n,
			sizeof *routes, true) < 0)
		goto fail;
	free(order);
	return ferror(f) ? -EIO : 0;
fail:
	free(order);
	return -ENOMEM;
}

/* One of the small tables, an element per line. */
static int
write_table(FILE *f, const char *key, enum ctl_nv_op_kind add,
	    const void *items, size_t n, size_t size, bool last)
{
	fprintf(f, "\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		struct ctl_nv_op op = { .kind = add };
		json_t *v;
		char *text;

		memcpy(&op.u, (const char *) items + i * size, size);
		v = ctl_nv_elem_to_json(add, &op);
		text = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER)
			 : NULL;
		json_decref(v);
		if (!text)
			return -ENOMEM;
		fprintf(f, "%s\n%s", i ? "," : "", text);
		free(text);
	}
	fprintf(f, "%s]%s\n", n ? "\n" : "", last ? "}" : ",");
	return 0;
}

static int
sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}
