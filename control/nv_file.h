/* Persistence of an NV store (nv.h) next to the configuration file
 * (docs/nv.md "Files"): a snapshot, CONFIG.nv.json, and an append-only
 * journal, CONFIG.nv.journal, where CONFIG is the configuration file's
 * path without its ".json".
 *
 * The snapshot is the whole store as one JSON object, written like the
 * configuration (temporary file, fsync, rename, fsync of the directory),
 * one table element per line, records sorted by (vsid, ca).  It carries
 * "seq", the number of the last transaction it contains.  The journal
 * holds one line per transaction after that, {"seq":N,"ops":[...]},
 * each written whole and fsynced before ctl_nv_file_append() returns.
 *
 * Loading reads the snapshot, then applies the journal's transactions in
 * order.  Lines whose seq the snapshot already covers are skipped (a crash
 * between writing a snapshot and emptying the journal).  A last line
 * without its newline, or a last line that is not JSON, is a write that a
 * crash cut short: it was never acknowledged, so it is ignored and
 * reported in 'torn_line'.  Any other bad line is an error.
 *
 * Compaction writes a new snapshot and empties the journal.  Used by
 * vswitch-controld, single-threaded; the library never logs. */
#ifndef VSWITCH_CONTROL_NV_FILE_H
#define VSWITCH_CONTROL_NV_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/nv.h"

#define CTL_NV_JOURNAL_COMPACT_MIN                                             \
	10000 /* ops; see ctl_nv_file_wants_compact() */

/* What ctl_nv_file_open() found. */
struct ctl_nv_file_info {
	bool snapshot;                  /* a snapshot was there */
	uint64_t snapshot_seq;          /* its "seq" */
	size_t replayed_txns;           /* journal lines applied */
	size_t replayed_ops;
	size_t skipped_txns;            /* lines the snapshot covered */
	unsigned long torn_line;        /* the torn last line, or 0 */
	bool compacted;                 /* the journal was folded in */
};

struct ctl_nv_file;

/* Loads the snapshot and journal of the configuration file
 * 'config_path' into 's' (which must be empty), then, when the journal
 * held anything, compacts.  Missing files mean an empty store.  Returns
 * 0 and the open files in '*out', or -EINVAL (a bad file: the message
 * names the file, line and field) or -EIO. */
int ctl_nv_file_open(const char *config_path, struct ctl_nv_store *s,
		     struct ctl_nv_file **out, struct ctl_nv_file_info *info,
		     char *err, size_t errsz);
void ctl_nv_file_close(struct ctl_nv_file *f);

/* Appends 'txn', already applied to the store, to the journal and waits
 * for it to reach the disk.  On failure the journal is cut back to where
 * it was.  Returns 0 or -EIO / -ENOMEM. */
int ctl_nv_file_append(struct ctl_nv_file *f, const struct ctl_nv_txn *txn,
		       char *err, size_t errsz);

/* The journal holds more ops than max(CTL_NV_JOURNAL_COMPACT_MIN, half the
 * records of 's'). */
bool ctl_nv_file_wants_compact(const struct ctl_nv_file *f,
			   const struct ctl_nv_store *s);
/* Writes 's' as the new snapshot and empties the journal.  A failure
 * leaves the old snapshot and the journal, which together still hold
 * 's'.  Returns 0 or -EIO. */
int ctl_nv_file_compact(struct ctl_nv_file *f, const struct ctl_nv_store *s,
			char *err, size_t errsz);

/* The paths; the ops in the journal since the last compaction; the seq
 * of the last transaction written. */
const char *ctl_nv_file_snapshot_path(const struct ctl_nv_file *f);
const char *ctl_nv_file_journal_path(const struct ctl_nv_file *f);
size_t ctl_nv_file_journal_ops(const struct ctl_nv_file *f);
uint64_t ctl_nv_file_seq(const struct ctl_nv_file *f);

/* The snapshot alone: save 's' with 'seq' to 'path' atomically; load
 * 'path' into the empty 's' (returns 1 when 'path' does not exist). */
int ctl_nv_snapshot_save(const char *path, const struct ctl_nv_store *s,
		     uint64_t seq, char *err, size_t errsz);
int ctl_nv_snapshot_load(const char *path, struct ctl_nv_store *s,
			 uint64_t *seq, char *err, size_t errsz);

#endif
