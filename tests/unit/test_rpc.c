/* Unit tests for control/rpc.c: line framing with a file descriptor
 * attached to one request (SCM_RIGHTS over a socketpair), the way
 * vswitchctl hands controld its capture file.  A descriptor must arrive
 * with the line it was sent with, and every descriptor nobody takes must
 * be closed: each test counts the process's open descriptors. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/rpc.h"

static struct ctl_rpc_conn tx, rx;

static void
pair_up(void)
{
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ctl_rpc_conn_init(&tx, sv[0]);
	ctl_rpc_conn_init(&rx, sv[1]);
}

static void
pair_down(void)
{
	ctl_rpc_conn_close(&tx);
	ctl_rpc_conn_close(&rx);
}

TestSuite(rpc_fd, .init = pair_up, .fini = pair_down);

/* Open descriptors of this process (the directory's own one excluded). */
static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* A new file, open for writing; '*ino' is its inode. */
static int
temp_file(ino_t *ino)
{
	char path[] = "/tmp/test_rpc.XXXXXX";
	int fd = mkstemp(path);
	struct stat st;

	cr_assert_geq(fd, 0);
	unlink(path);
	cr_assert_eq(fstat(fd, &st), 0);
	*ino = st.st_ino;
	return fd;
}

static ino_t
inode_of(int fd)
{
	struct stat st;

	cr_assert_eq(fstat(fd, &st), 0, "descriptor %d is not open", fd);
	return st.st_ino;
}

static void
send_line(const char *text, int fd)
{
	json_t *msg = json_loads(text, 0, NULL);

	cr_assert_not_null(msg);
	if (fd >= 0)
		cr_assert_eq(ctl_rpc_conn_send_fd(&tx, msg, fd), 0);
	else
		cr_assert_eq(ctl_rpc_conn_send(&tx, msg), 0);
	json_decref(msg);
}

/* Reads until a line is complete and returns it; '*fd' gets its
 * descriptor (or -1). */
static const char *
next_line(int *fd)
{
	char *line;
	int rc;

	while ((rc = ctl_rpc_conn_next(&rx, &line)) == 0)
		cr_assert_gt(ctl_rpc_conn_read(&rx), 0);
	cr_assert_eq(rc, 1);
	*fd = ctl_rpc_conn_take_fd(&rx);
	return line;
}

Test(rpc_fd, descriptor_arrives_with_its_line)
{
	int base = open_fds(), fd;
	ino_t ino;

	send_line("{\"a\":1}", -1);
	send_line("{\"b\":2}", temp_file(&ino));
	send_line("{\"c\":3}", -1);
	cr_assert_eq(ctl_rpc_conn_flush(&tx), 0);
	cr_assert_eq(open_fds(), base, "the sender closes its copy once sent");

	cr_assert_str_eq(next_line(&fd), "{\"a\":1}");
	cr_assert_eq(fd, -1);
	cr_assert_str_eq(next_line(&fd), "{\"b\":2}");
	cr_assert_geq(fd, 0);
	cr_assert_eq(inode_of(fd), ino);
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	cr_assert_str_eq(next_line(&fd), "{\"c\":3}");
	cr_assert_eq(fd, -1);
	cr_assert_eq(open_fds(), base);
}

Test(rpc_fd, descriptor_not_taken_is_closed)
{
	int base = open_fds(), fd;
	char *line;
	ino_t ino;

	send_line("{\"a\":1}", temp_file(&ino));
	send_line("{\"b\":2}", -1);
	cr_assert_eq(ctl_rpc_conn_flush(&tx), 0);
	while (ctl_rpc_conn_next(&rx, &line) == 0)
		cr_assert_gt(ctl_rpc_conn_read(&rx), 0);
	cr_assert_eq(open_fds(), base + 1, "held for the caller");
	cr_assert_str_eq(next_line(&fd), "{\"b\":2}");
	cr_assert_eq(fd, -1);
	cr_assert_eq(open_fds(), base, "closed with the next line");
}

Test(rpc_fd, second_descriptor_before_the_line_ends_is_closed)
{
	int base = open_fds(), fd;
	ino_t ino1, ino2;
	int f1 = temp_file(&ino1), f2 = temp_file(&ino2);

	/* One line in two sendmsg() calls, each with a descriptor. */
	cr_assert_eq(ctl_rpc_send_fd(tx.fd, "{\"a\":", 5, f1), 5);
	cr_assert_eq(ctl_rpc_send_fd(tx.fd, "1}\n", 3, f2), 3);
	close(f1);
	close(f2);
	cr_assert_str_eq(next_line(&fd), "{\"a\":1}");
	cr_assert_eq(inode_of(fd), ino1);
	close(fd);
	cr_assert_eq(open_fds(), base);
}

Test(rpc_fd, extra_descriptors_in_one_message_are_closed)
{
	int base = open_fds(), fd, fds[3];
	ino_t ino[3];
	char buf[CMSG_SPACE(sizeof fds)];
	struct iovec iov = { .iov_base = "{\"a\":1}\n", .iov_len = 8 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof buf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	for (int i = 0; i < 3; i++)
		fds[i] = temp_file(&ino[i]);
	memset(buf, 0, sizeof buf);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(cm), fds, sizeof fds);
	cr_assert_eq(sendmsg(tx.fd, &msg, 0), 8);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	cr_assert_str_eq(next_line(&fd), "{\"a\":1}");
	cr_assert_eq(inode_of(fd), ino[0]);
	close(fd);
	cr_assert_eq(open_fds(), base);
}

Test(rpc_fd, close_releases_pending_descriptors)
{
	int base = open_fds();
	ino_t ino;

	send_line("{\"a\":1}", temp_file(&ino));
	cr_assert_eq(open_fds(), base + 1, "queued with its message");
	cr_assert_eq(ctl_rpc_conn_flush(&tx), 0);
	cr_assert_gt(ctl_rpc_conn_read(&rx), 0);
	cr_assert_eq(open_fds(), base + 1, "received, line not handed out");
	ctl_rpc_conn_close(&rx);
	cr_assert_eq(open_fds(), base - 1, "and the socket itself");
}

Test(rpc_fd, only_one_descriptor_queued_at_a_time)
{
	int base = open_fds();
	json_t *msg = json_pack("{s:i}", "a", 1);
	ino_t ino;

	cr_assert_eq(ctl_rpc_conn_send_fd(&tx, msg, temp_file(&ino)), 0);
	cr_assert_eq(ctl_rpc_conn_send_fd(&tx, msg, temp_file(&ino)), -EBUSY);
	cr_assert_eq(open_fds(), base + 1, "the refused one is closed");
	json_decref(msg);
}

/* ctl_rpc_parse_request(): the envelope controld checks before it looks
 * the method up, and the id each error is answered with. */

static int
parse(const char *line, struct ctl_rpc_req *req, char *err)
{
	return ctl_rpc_parse_request(line, req, err, 256);
}

Test(rpc_request, valid_request_as_vswitchctl_sends_it)
{
	struct ctl_rpc_req req;
	char err[256];

	cr_assert_eq(parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"show\","
			   "\"params\":{\"name\":\"vm1\"}}", &req, err), 0);
	cr_assert_str_eq(req.method, "show");
	cr_assert_eq(json_integer_value(req.id), 7);
	cr_assert_str_eq(json_string_value(json_object_get(req.params,
							   "name")), "vm1");
	ctl_rpc_req_free(&req);
}

Test(rpc_request, notification_without_params_gets_empty_object)
{
	struct ctl_rpc_req req;
	char err[256];

	cr_assert_eq(parse("{\"jsonrpc\":\"2.0\",\"method\":\"show\"}", &req,
			   err), 0);
	cr_assert_null(req.id);
	cr_assert(json_is_object(req.params));
	cr_assert_eq(json_object_size(req.params), 0);
	ctl_rpc_req_free(&req);
}

Test(rpc_request, errors_and_the_id_they_are_answered_with)
{
	static const struct {
		const char *line;
		int code;
		const char *id;         /* "null", "own" or "none" */
		const char *msg;
	} cases[] = {
		{ "{\"jsonrpc\":", CTL_RPC_PARSE_ERROR, "null", "parse error" },
		{ "{\"id\":1,\"id\":2}", CTL_RPC_PARSE_ERROR, "null",
		  "duplicate" },
		{ "[1]", CTL_RPC_INVALID_REQUEST, "null", "expected an object" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":[],\"method\":\"show\"}",
		  CTL_RPC_INVALID_REQUEST, "null", "id must be" },
		{ "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"show\"}",
		  CTL_RPC_INVALID_REQUEST, "own", "jsonrpc must be" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":3}",
		  CTL_RPC_INVALID_REQUEST, "own", "method must be" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"show\","
		  "\"params\":[1]}", CTL_RPC_INVALID_PARAMS, "own",
		  "params: expected an object, got an array" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"show\",\"params\":1}",
		  CTL_RPC_INVALID_PARAMS, "none", "params" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ctl_rpc_req req;
		char err[256] = "";

		cr_expect_eq(parse(cases[i].line, &req, err), cases[i].code,
			     "%s", cases[i].line);
		cr_expect(strstr(err, cases[i].msg), "%s: %s", cases[i].line,
			  err);
		if (!strcmp(cases[i].id, "null"))
			cr_expect(json_is_null(req.id), "%s", cases[i].line);
		else if (!strcmp(cases[i].id, "own"))
			cr_expect(req.id && !json_is_null(req.id), "%s",
				  cases[i].line);
		else
			cr_expect_null(req.id, "%s", cases[i].line);
		cr_expect_null(req.params);
		ctl_rpc_req_free(&req);
	}
}
