/* Fuzz target: the network virtualization store's two text formats
 * (docs/nv.md) --
 *
 * - a transaction: the ops of a journal line or of an 'nv_apply' request,
 *   ctl_nv_txn_from_json(), applied with ctl_nv_store_apply() to a store
 *   holding a few PAs, routes and records, then rolled back;
 * - a snapshot file, read by the snapshot loader's own streaming reader,
 *   ctl_nv_snapshot_load() (from an in-memory file);
 * - a journal, replayed by ctl_nv_file_open() after a fixed snapshot
 *   (the one of docs/nv.md, seq 17), then compacted (files in /dev/shm).
 *
 * Input: any of these texts; each is tried all three ways (as a journal
 * only when it has an "ops" key somewhere).  A journal
 * line {"seq": N, "ops": [...]} and a bare array of ops are both taken as
 * a transaction.  Beyond the sanitizers, it checks that a rollback
 * restores the store exactly (same digest), that a decoded transaction
 * encodes back to JSON that decodes to the same ops, and that the
 * snapshot compaction writes loads back to the same store. */
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "control/nv.h"
#include "control/nv_file.h"
#include "fuzz/fuzz.h"

#define NV_MAX_INPUT (1u << 20)

/* Before every input: two PAs, a provider route, records and customer
 * routes, so that ops can replace, delete and conflict. */
static const char base_ops[] =
	"[{\"op\":\"add-pa\",\"port\":\"uplink\",\"address\":\"192.168.1.10/24\"},"
	"{\"op\":\"add-pa\",\"port\":\"uplink\",\"address\":\"2001:db8::10/64\","
	"\"vlan\":100},"
	"{\"op\":\"add-pa-route\",\"prefix\":\"10.2.0.0/16\","
	"\"next_hop\":\"192.168.1.1\",\"metric\":5},"
	"{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"10.0.0.11\","
	"\"mac\":\"52:54:00:00:00:11\",\"pa\":\"192.168.1.10\",\"rule\":\"encap\"},"
	"{\"op\":\"add-record\",\"vsid\":5001,\"ca\":\"fd00::11\","
	"\"mac\":\"52:54:00:00:00:11\",\"pa\":\"192.168.1.10\",\"rule\":\"encap\"},"
	"{\"op\":\"add-record\",\"vsid\":6001,\"ca\":\"0.0.0.0\","
	"\"mac\":\"52:54:00:00:00:21\",\"pa\":\"10.2.0.20\",\"rule\":\"l2only\"},"
	"{\"op\":\"add-route\",\"rdid\":\"{0f5a3c2b-1d4e-4f60-8a9b-0c1d2e3f4a5b}\","
	"\"vsid\":5001,\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\","
	"\"metric\":0}]";

/* The snapshot a fuzzed journal follows: docs/nv.md's, whose seq is 17. */
static const char base_snapshot[] =
	"{\"schema_version\":1,\"seq\":17,\n"
	"\"pas\":[\n"
	"{\"port\":\"uplink\",\"address\":\"192.168.1.10/24\"},\n"
	"{\"port\":\"uplink\",\"address\":\"2001:db8::10/64\",\"vlan\":100}\n"
	"],\n"
	"\"pa_routes\":[\n"
	"{\"prefix\":\"10.2.0.0/16\",\"next_hop\":\"192.168.1.1\",\"metric\":5}\n"
	"],\n"
	"\"records\":[\n"
	"{\"vsid\":5001,\"ca\":\"10.0.0.11\",\"mac\":\"52:54:00:00:00:11\","
	"\"pa\":\"192.168.1.10\",\"rule\":\"encap\"},\n"
	"{\"vsid\":6001,\"ca\":\"0.0.0.0\",\"mac\":\"52:54:00:00:00:21\","
	"\"pa\":\"192.168.1.20\",\"rule\":\"l2only\"}\n"
	"],\n"
	"\"routes\":[\n"
	"{\"rdid\":\"{0f5a3c2b-1d4e-4f60-8a9b-0c1d2e3f4a5b}\",\"vsid\":5001,"
	"\"prefix\":\"10.0.0.0/24\",\"next_hop\":\"0.0.0.0\",\"metric\":0}\n"
	"]}\n";

static struct ctl_nv_store *base;
static int snap_fd = -1;
static char snap_path[64];
static char files_dir[PATH_MAX];        /* the journal leg's files */
static char config_path[PATH_MAX + 16];

static void try_txn(const uint8_t *data, size_t size);
static void try_snapshot(const uint8_t *data, size_t size);
static void try_journal(const uint8_t *data, size_t size);
static void files_remove(void);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ctl_nv_txn txn;
	char err[1024];
	json_t *ops;

	(void) argc;
	(void) argv;
	base = ctl_nv_store_new();
	ops = json_loads(base_ops, 0, NULL);
	FUZZ_CHECK(base && ops);
	ctl_nv_txn_init(&txn);
	if (ctl_nv_txn_from_json(ops, "ops", &txn, err, sizeof err)
	    || ctl_nv_store_apply(base, &txn, NULL, NULL, err, sizeof err)) {
		fprintf(stderr, "fuzz_nv: base store: %s\n", err);
		abort();
	}
	ctl_nv_txn_free(&txn);
	json_decref(ops);
	snap_fd = memfd_create("fuzz_nv_snapshot", MFD_CLOEXEC);
	FUZZ_CHECK(snap_fd >= 0);
	snprintf(snap_path, sizeof snap_path, "/proc/self/fd/%d", snap_fd);
	snprintf(files_dir, sizeof files_dir, "/dev/shm/vswitch-fuzz-nv.XXXXXX");
	if (!mkdtemp(files_dir)) {
		snprintf(files_dir, sizeof files_dir,
			 "/tmp/vswitch-fuzz-nv.XXXXXX");
		FUZZ_CHECK(mkdtemp(files_dir) != NULL);
	}
	snprintf(config_path, sizeof config_path, "%s/config.json", files_dir);
	atexit(files_remove);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > NV_MAX_INPUT)
		return -1;
	try_txn(data, size);
	try_snapshot(data, size);
	/* Files cost some 30 times the rest: only texts that may hold a
	 * journal line go that way. */
	if (memmem(data, size, "\"ops\"", 5))
		try_journal(data, size);
	return 0;
}

/* Encodes 'txn' and decodes it again: the same ops. */
static void
check_round_trip(const struct ctl_nv_txn *txn)
{
	json_t *ops = ctl_nv_txn_to_json(txn), *ops2;
	struct ctl_nv_txn again;
	char err[1024];

	FUZZ_CHECK(ops != NULL);
	ctl_nv_txn_init(&again);
	if (ctl_nv_txn_from_json(ops, "ops", &again, err, sizeof err)) {
		char *text = json_dumps(ops, JSON_COMPACT);

		fprintf(stderr, "re-encoded ops refused: %s\n%s\n", err,
			text ? text : "?");
		abort();
	}
	FUZZ_CHECK(again.n_ops == txn->n_ops);
	ops2 = ctl_nv_txn_to_json(&again);
	FUZZ_CHECK(ops2 && json_equal(ops, ops2));
	json_decref(ops2);
	json_decref(ops);
	ctl_nv_txn_free(&again);
}

static void
try_txn(const uint8_t *data, size_t size)
{
	uint64_t digest = ctl_nv_store_digest(base);
	struct ctl_nv_undo *undo;
	struct ctl_nv_txn txn;
	json_t *v, *ops;
	char err[1024];

	v = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES,
		       NULL);
	ops = json_is_object(v) ? json_object_get(v, "ops") : v;
	if (!json_is_array(ops)) {
		json_decref(v);
		return;
	}
	ctl_nv_txn_init(&txn);
	if (ctl_nv_txn_from_json(ops, "ops", &txn, err, sizeof err) == 0) {
		check_round_trip(&txn);
		if (ctl_nv_store_apply(base, &txn, &undo, NULL, err,
				       sizeof err) == 0)
			ctl_nv_store_rollback(base, undo);
		else
			FUZZ_CHECK(err[0] != '\0');
	} else {
		FUZZ_CHECK(txn.n_ops == 0 && err[0] != '\0');
	}
	FUZZ_CHECK(ctl_nv_store_digest(base) == digest);
	ctl_nv_txn_free(&txn);
	json_decref(v);
}

static void
try_snapshot(const uint8_t *data, size_t size)
{
	struct ctl_nv_store *s = ctl_nv_store_new();
	char err[1024];
	uint64_t seq;
	int rc;

	FUZZ_CHECK(s != NULL);
	FUZZ_CHECK(ftruncate(snap_fd, 0) == 0);
	FUZZ_CHECK(pwrite(snap_fd, data, size, 0) == (ssize_t) size);
	rc = ctl_nv_snapshot_load(snap_path, s, &seq, err, sizeof err);
	FUZZ_CHECK(rc == 0 || (rc < 0 && err[0] != '\0'));
	ctl_nv_store_free(s);
}

static void
write_file(const char *name, const void *data, size_t size)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof path, "%s/%s", files_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t) size);
	close(fd);
}

static void
try_journal(const uint8_t *data, size_t size)
{
	struct ctl_nv_store *s = ctl_nv_store_new(), *again;
	struct ctl_nv_file_info info;
	struct ctl_nv_file *f;
	char err[1024];
	uint64_t seq;
	int rc;

	FUZZ_CHECK(s != NULL);
	write_file("config.nv.json", base_snapshot, sizeof base_snapshot - 1);
	write_file("config.nv.journal", data, size);
	rc = ctl_nv_file_open(config_path, s, &f, &info, err, sizeof err);
	if (rc < 0) {
		FUZZ_CHECK(err[0] != '\0');
		ctl_nv_store_free(s);
		return;
	}
	/* What compaction wrote holds the same store. */
	again = ctl_nv_store_new();
	FUZZ_CHECK(again != NULL);
	rc = ctl_nv_snapshot_load(ctl_nv_file_snapshot_path(f), again, &seq,
				  err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "compacted snapshot refused: %s\n", err);
		abort();
	}
	FUZZ_CHECK(seq == ctl_nv_file_seq(f));
	FUZZ_CHECK(ctl_nv_store_digest(again) == ctl_nv_store_digest(s));
	ctl_nv_store_free(again);
	ctl_nv_file_close(f);
	ctl_nv_store_free(s);
}

static void
files_remove(void)
{
	static const char *const names[] = {
		"config.nv.json", "config.nv.journal",
	};
	char path[PATH_MAX + 32];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", files_dir, names[i]);
		unlink(path);
	}
	rmdir(files_dir);
}
