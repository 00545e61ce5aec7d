/* The NV journal, and the pair of files (nv_file.h). */
#include "control/nv_file.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/config_priv.h"

struct ctl_nv_file {
	char *snapshot_path;
	char *journal_path;
	int journal_fd;                 /* O_APPEND */
	uint64_t seq;                   /* of the last transaction written */
	size_t journal_ops;             /* ops in the journal */
	size_t journal_size;            /* bytes */
};

static int file_paths(struct ctl_nv_file *f, const char *config_path);
static int journal_replay(struct ctl_nv_file *f, struct ctl_nv_store *s,
			  struct ctl_nv_file_info *info, char *err,
			  size_t errsz);
static int journal_line(struct ctl_nv_file *f, struct ctl_nv_store *s,
			const char *line, size_t length, unsigned long lineno,
			struct ctl_nv_file_info *info, char *err, size_t errsz);
static int parse_line(const char *line, size_t length, json_int_t *seq,
		      json_t **ops, char *err, size_t errsz);
static int write_all(int fd, const char *data, size_t size);
static int sync_parent(const char *path);

int
ctl_nv_file_open(const char *config_path, struct ctl_nv_store *s,
	     struct ctl_nv_file **out, struct ctl_nv_file_info *info, char *err,
	     size_t errsz)
{
	struct ctl_nv_file *f = calloc(1, sizeof *f);
	int rc;

	memset(info, 0, sizeof *info);
	if (!f || file_paths(f, config_path) < 0) {
		ctl_nv_file_close(f);
		return ctl_err(err, errsz, -ENOMEM, "out of memory");
	}
	f->journal_fd = -1;
	rc = ctl_nv_snapshot_load(f->snapshot_path, s, &f->seq, err, errsz);
	if (rc >= 0) {
		info->snapshot = rc == 0;
		info->snapshot_seq = f->seq;
		rc = journal_replay(f, s, info, err, errsz);
	}
	if (rc < 0) {
		ctl_nv_file_close(f);
		return rc;
	}
	f->journal_fd = open(f->journal_path, O_WRONLY | O_CREAT | O_APPEND
			     | O_CLOEXEC, 0644);
	if (f->journal_fd < 0 || sync_parent(f->journal_path) < 0) {
		rc = ctl_err(err, errsz, -EIO, "%s: %s", f->journal_path,
			     strerror(errno));
		ctl_nv_file_close(f);
		return rc;
	}
	if (f->journal_size > 0) {
		rc = ctl_nv_file_compact(f, s, err, errsz);
		if (rc < 0) {
			ctl_nv_file_close(f);
			return rc;
		}
		info->compacted = true;
	}
	*out = f;
	return 0;
}

void
ctl_nv_file_close(struct ctl_nv_file *f)
{
	if (!f)
		return;
	if (f->journal_fd >= 0)
		close(f->journal_fd);
	free(f->snapshot_path);
	free(f->journal_path);
	free(f);
}

int
ctl_nv_file_append(struct ctl_nv_file *f, const struct ctl_nv_txn *txn,
		   char *err, size_t errsz)
{
	json_t *line = json_pack("{s:I, s:o}", "seq", (json_int_t) f->seq + 1,
				 "ops", ctl_nv_txn_to_json(txn));
	char *text = line ? json_dumps(line, JSON_COMPACT
				       | JSON_PRESERVE_ORDER) : NULL;
	size_t length;
	int rc;

	json_decref(line);
	if (!text)
		return ctl_err(err, errsz, -ENOMEM, "out of memory");
	length = strlen(text);
	text[length++] = '\n';          /* over the NUL: written by length */
	rc = write_all(f->journal_fd, text, length);
	if (rc == 0 && fdatasync(f->journal_fd) < 0)
		rc = -errno;
	free(text);
	if (rc < 0) {
		/* The next line must not follow a partial one. */
		if (ftruncate(f->journal_fd, (off_t) f->journal_size) < 0)
			rc = -errno;
		return ctl_err(err, errsz, -EIO, "%s: cannot write: %s",
			       f->journal_path, strerror(-rc));
	}
	f->seq++;
	f->journal_ops += txn->n_ops;
	f->journal_size += length;
	return 0;
}

bool
ctl_nv_file_wants_compact(const struct ctl_nv_file *f,
			  const struct ctl_nv_store *s)
{
	struct nv_counts c;
	size_t limit;

	ctl_nv_store_counts(s, &c);
	limit = c.records / 2 > CTL_NV_JOURNAL_COMPACT_MIN
		? c.records / 2
		: CTL_NV_JOURNAL_COMPACT_MIN;
	return f->journal_ops > limit;
}

int
ctl_nv_file_compact(struct ctl_nv_file *f, const struct ctl_nv_store *s,
		    char *err, size_t errsz)
{
	int rc = ctl_nv_snapshot_save(f->snapshot_path, s, f->seq, err, errsz);

	if (rc < 0)
		return rc;
	/* A crash before this leaves journal lines the snapshot has: their
	 * seq tells the next load to skip them. */
	if (ftruncate(f->journal_fd, 0) < 0 || fsync(f->journal_fd) < 0)
		return ctl_err(err, errsz, -EIO, "%s: cannot empty: %s",
			       f->journal_path, strerror(errno));
	f->journal_ops = 0;
	f->journal_size = 0;
	return 0;
}

const char *
ctl_nv_file_snapshot_path(const struct ctl_nv_file *f)
{
	return f->snapshot_path;
}

const char *
ctl_nv_file_journal_path(const struct ctl_nv_file *f)
{
	return f->journal_path;
}

size_t
ctl_nv_file_journal_ops(const struct ctl_nv_file *f)
{
	return f->journal_ops;
}

uint64_t
ctl_nv_file_seq(const struct ctl_nv_file *f)
{
	return f->seq;
}

/* Static helpers. */

/* CONFIG.nv.json and CONFIG.nv.journal, CONFIG without ".json". */
static int
file_paths(struct ctl_nv_file *f, const char *config_path)
{
	size_t length = strlen(config_path);

	if (length > 5 && !strcmp(config_path + length - 5, ".json"))
		length -= 5;
	if (asprintf(&f->snapshot_path, "%.*s.nv.json", (int) length,
		     config_path) < 0) {
		f->snapshot_path = NULL;
		return -ENOMEM;
	}
	if (asprintf(&f->journal_path, "%.*s.nv.journal", (int) length,
		     config_path) < 0) {
		f->journal_path = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Applies the journal's lines to 's'; sets 'journal_size' to the bytes
 * read (torn ones included: compaction drops them). */
static int
journal_replay(struct ctl_nv_file *f, struct ctl_nv_store *s,
	       struct ctl_nv_file_info *info, char *err, size_t errsz)
{
	int fd = open(f->journal_path, O_RDONLY | O_CLOEXEC);
	unsigned long lineno = 0;
	const char *map, *p, *end;
	struct stat st;
	int rc = 0;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return ctl_err(err, errsz, -EIO, "%s: %s", f->journal_path,
			       strerror(-rc));
	}
	f->journal_size = (size_t) st.st_size;
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	map = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return ctl_err(err, errsz, -EIO, "%s: %s", f->journal_path,
			       strerror(errno));
	end = map + st.st_size;
	for (p = map; rc == 0 && p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t length = nl ? (size_t) (nl - p) : (size_t) (end - p);

		if (!nl) {              /* cut short before its newline */
			info->torn_line = lineno + 1;
			break;
		}
		rc = journal_line(f, s, p, length, lineno + 1, info, err,
				  errsz);
		if (rc == 1 && nl + 1 == end) {
			info->torn_line = lineno + 1;
			rc = 0;
		} else if (rc == 1) {
			rc = -EINVAL;   /* not the last line: not a crash */
		}
		p = nl + 1;
	}
	munmap((void *) map, (size_t) st.st_size);
	return rc;
}

/* Returns 0, 1 when the line is not JSON (the caller decides whether that
 * is a torn write), or -EINVAL / -ENOMEM with 'err' set. */
static int
journal_line(struct ctl_nv_file *f, struct ctl_nv_store *s, const char *line,
	     size_t length, unsigned long lineno, struct ctl_nv_file_info *info,
	     char *err, size_t errsz)
{
	char msg[1024];
	struct ctl_nv_txn txn;
	json_int_t seq = 0;
	json_t *ops = NULL;
	int rc;

	rc = parse_line(line, length, &seq, &ops, msg, sizeof msg);
	if (rc != 0) {
		ctl_err(err, errsz, rc, "%s: line %lu: %s", f->journal_path,
			lineno, msg);
		return rc;
	}
	if ((uint64_t) seq <= f->seq && info->replayed_txns == 0) {
		info->skipped_txns++;
		json_decref(ops);
		return 0;
	}
	if ((uint64_t) seq != f->seq + 1) {
		json_decref(ops);
		return ctl_err(err, errsz, -EINVAL, "%s: line %lu: seq %lld "
			       "follows %llu", f->journal_path, lineno,
			       (long long) seq, (unsigned long long) f->seq);
	}
	ctl_nv_txn_init(&txn);
	rc = ctl_nv_txn_from_json(ops, "ops", &txn, msg, sizeof msg);
	if (rc == 0)
		rc = ctl_nv_store_apply(s, &txn, NULL, NULL, msg, sizeof msg);
	json_decref(ops);
	if (rc == 0) {
		f->seq++;
		f->journal_ops += txn.n_ops;
		info->replayed_txns++;
		info->replayed_ops += txn.n_ops;
	}
	ctl_nv_txn_free(&txn);
	if (rc < 0)
		return ctl_err(err, errsz, -EINVAL, "%s: line %lu: %s",
			       f->journal_path, lineno, msg);
	return 0;
}

/* {"seq": N, "ops": [...]}.  Returns 0 with '*ops' a new reference, 1
 * when the line is not JSON at all, or -EINVAL. */
static int
parse_line(const char *line, size_t length, json_int_t *seq, json_t **ops,
	   char *err, size_t errsz)
{
	json_error_t jerr;
	json_t *v = json_loadb(line, length, JSON_REJECT_DUPLICATES, &jerr);
	json_t *s = json_object_get(v, "seq");

	if (!v) {
		snprintf(err, errsz, "%s", jerr.text);
		return 1;
	}
	*ops = json_incref(json_object_get(v, "ops"));
	if (!json_is_object(v) || json_object_size(v) != 2
	    || !json_is_integer(s) || json_integer_value(s) < 1 || !*ops) {
		json_decref(*ops);
		json_decref(v);
		return ctl_err(err, errsz, -EINVAL, "expected {\"seq\": N, "
			       "\"ops\": [...]}");
	}
	*seq = json_integer_value(s);
	json_decref(v);
	return 0;
}

static int
write_all(int fd, const char *data, size_t size)
{
	while (size > 0) {
		ssize_t n = write(fd, data, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		size -= (size_t) n;
	}
	return 0;
}

/* fsync of the directory holding 'path', so that a new file's name
 * lasts. */
static int
sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int fd, rc;

	if (asprintf(&dir, "%.*s", slash ? (int) (slash - path) : 1,
		     slash ? (slash == path ? "/" : path) : ".") < 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}
