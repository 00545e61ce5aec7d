/* vswitch-controld: owns the desired switch configuration, serves
 * vswitchctl on the control socket and drives vswitchd over the dataplane
 * socket (docs/protocol.md).  This file holds the process: options,
 * daemonizing, the two listening sockets, the poll loop and the client
 * connections.  See controld.h for the concurrency model. */
#include "control/controld.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "control/config_priv.h"

#define DEFAULT_CONFIG "/etc/vswitch/config.json"
#define DEFAULT_SOCKET "/run/vswitch/controld.sock"
#define DEFAULT_DP_SOCKET "/run/vswitch/dataplane.sock"

struct ctld_options {
	const char *config_path;        /* --config */
	const char *socket_path;        /* --socket, for vswitchctl */
	const char *dp_socket_path;     /* --dataplane-socket, for vswitchd */
	const char *group_name;         /* --group, or NULL */
	const char *pidfile;            /* --pidfile, or NULL */
	bool foreground;                /* --foreground: do not detach */
	int client_timeout_s;           /* --client-timeout */
	bool check;                     /* --check: validate the file, exit */
};

/* A listening socket's identity, so that exit unlinks only our own and
 * not one that another controld has put in its place since. */
struct listener {
	const char *path;               /* NULL until the socket is bound */
	dev_t dev;
	ino_t ino;
};

static volatile sig_atomic_t stop_signal;

static int parse_options(int argc, char **argv, struct ctld_options *o);
static void usage(FILE *out);
static char *absolute_path(const char *path);
static int make_parent_dirs(const char *path);
static int setup(struct ctld *d, const struct ctld_options *o,
		 struct listener ls[2]);
static int load_config(struct ctld *d);
static int check_config(const char *path);
static int listen_on(const char *path, gid_t group, bool set_group,
		     struct listener *l);
static int remove_stale_socket(const char *path);
static int daemonize(bool detach, const char *pidfile);
static int write_pid(int fd, const char *pidfile, pid_t pid);
static int detach_stdio(void);
static void install_signals(sigset_t *run_mask);
static void on_signal(int signo);
static int run(struct ctld *d, const sigset_t *run_mask);
static size_t build_pollfds(struct ctld *d, struct pollfd *fds);
static int poll_timeout_ms(const struct ctld *d, struct timespec *ts);
static void handle_events(struct ctld *d, const struct pollfd *fds,
			  size_t n);
static void accept_client(struct ctld *d);
static void accept_dataplane(struct ctld *d);
static void client_io(struct ctld *d, struct ctld_client *c, short revents);
static void client_close(struct ctld *d, struct ctld_client *c);
static void client_send(struct ctld *d, struct ctld_client *c, json_t *msg);
static void process_clients(struct ctld *d);
static void expire_clients(struct ctld *d, uint64_t now_ms);
static bool client_may_expire(const struct ctld *d,
			      const struct ctld_client *c);
static bool client_read_all(struct ctld_client *c);
static void client_refuse(struct ctld *d, struct ctld_client *c,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool peer_may_change(const struct ctld *d, int fd,
			    const struct ucred *cred);
static bool peer_in_group(int fd, const struct ucred *cred, gid_t group);
static void cleanup(struct ctld *d, const struct listener ls[2]);

int
main(int argc, char **argv)
{
	static struct ctld d;
	struct ctld_options o = {
		.config_path = DEFAULT_CONFIG,
		.socket_path = DEFAULT_SOCKET,
		.dp_socket_path = DEFAULT_DP_SOCKET,
		.client_timeout_s = CTLD_CLIENT_TIMEOUT_S,
	};
	struct listener ls[2] = {{0}};
	sigset_t run_mask;
	int rc;

	if (parse_options(argc, argv, &o) < 0)
		return 1;
	if (o.check)
		return check_config(o.config_path) < 0 ? 1 : 0;
	install_signals(&run_mask);
	if (setup(&d, &o, ls) < 0) {
		cleanup(&d, ls);
		return 1;
	}
	if (o.pidfile && o.pidfile[0] != '/')
		o.pidfile = absolute_path(o.pidfile);
	if (daemonize(!o.foreground, o.pidfile) < 0) {
		cleanup(&d, ls);
		return 1;
	}
	ctld_log("listening on %s and %s, configuration %s", d.socket_path,
		 d.dp_socket_path, d.config_path);
	rc = run(&d, &run_mask);
	if (rc == 0)
		ctld_log("stopping on signal %d", (int) stop_signal);
	cleanup(&d, ls);
	if (o.pidfile)
		unlink(o.pidfile);
	return rc == 0 ? 0 : 1;
}

/* Shared with the other controld files. */

uint64_t
ctld_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

void
ctld_reply(struct ctld *d, struct ctld_client *c, json_t *id, json_t *result)
{
	if (!c || !id || c->conn.fd < 0) {
		json_decref(result);
		return;
	}
	client_send(d, c, ctl_rpc_result(id, result));
}

void
ctld_reply_error(struct ctld *d, struct ctld_client *c, json_t *id,
		 int code, const char *fmt, ...)
{
	char msg[1024];
	json_t *error;
	va_list args;

	if (!c || !id || c->conn.fd < 0)
		return;
	va_start(args, fmt);
	vsnprintf(msg, sizeof msg, fmt, args);
	va_end(args);
	error = ctl_rpc_error(id, code, msg);
	if (!error)             /* not UTF-8: keep the code, drop the text */
		error = ctl_rpc_error(id, code, "(unprintable message)");
	client_send(d, c, error);
}

/* Queues 'msg' (stolen; NULL means out of memory) and writes what the
 * socket takes now; the rest goes out on POLLOUT. */
static void
client_send(struct ctld *d, struct ctld_client *c, json_t *msg)
{
	int rc = msg ? ctl_rpc_conn_send(&c->conn, msg) : -ENOMEM;

	json_decref(msg);
	c->since_ms = ctld_now_ms();
	if (rc == 0 && c->conn.out_len > CTLD_MAX_OUTPUT)
		rc = -ENOBUFS;
	if (rc == 0) {
		rc = ctl_rpc_conn_flush(&c->conn);
		if (rc == -EAGAIN)
			rc = 0;
	}
	if (rc < 0) {
		CTLD_LOG(WARNING, "client pid %ld: cannot send a reply: %s",
			 (long) c->pid, strerror(-rc));
		client_close(d, c);
	}
}

/* Start-up. */

static int
parse_options(int argc, char **argv, struct ctld_options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "dataplane-socket", required_argument, NULL, 'd' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "group", required_argument, NULL, 'g' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "client-timeout", required_argument, NULL, 't' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': o->config_path = optarg; break;
		case 's': o->socket_path = optarg; break;
		case 'd': o->dp_socket_path = optarg; break;
		case 'f': o->foreground = true; break;
		case 'g': o->group_name = optarg; break;
		case 'p': o->pidfile = optarg; break;
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0
			    || v > CTLD_CLIENT_TIMEOUT_MAX) {
				fprintf(stderr, "controld: --client-timeout: "
					"'%s' is not a number of seconds "
					"(0-%d)\n", optarg,
					CTLD_CLIENT_TIMEOUT_MAX);
				return -1;
			}
			o->client_timeout_s = (int) v;
			break;
		case 'k': o->check = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "controld: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: vswitch-controld [--config FILE] [--socket PATH]\n"
		"                        [--dataplane-socket PATH] [--foreground]\n"
		"                        [--group GROUP] [--pidfile FILE]\n"
		"                        [--client-timeout SECONDS]\n"
		"       vswitch-controld [--config FILE] --check\n"
		"\n"
		"  --config FILE            configuration (default %s)\n"
		"  --socket PATH            control socket for vswitchctl\n"
		"                           (default %s)\n"
		"  --dataplane-socket PATH  socket vswitchd connects to\n"
		"                           (default %s)\n"
		"  --foreground             do not daemonize\n"
		"  --group GROUP            members may change the configuration\n"
		"  --pidfile FILE           write the process id to FILE\n"
		"  --client-timeout SECONDS close a vswitchctl connection that\n"
		"                           has not sent a whole request for\n"
		"                           SECONDS (default %d; 0: never)\n"
		"  --check                  load and validate FILE as the\n"
		"                           daemon would, print the verdict\n"
		"                           and exit (0 valid, 1 not)\n"
		"\n"
		"Log levels: see 'vswitchctl log-level'.\n",
		DEFAULT_CONFIG, DEFAULT_SOCKET, DEFAULT_DP_SOCKET,
		CTLD_CLIENT_TIMEOUT_S);
}

/* Fills 'd' from 'o': absolute paths, the group, the configuration and
 * both listening sockets.  Logs and returns -1 on failure. */
static int
setup(struct ctld *d, const struct ctld_options *o, struct listener ls[2])
{
	struct group *gr;

	d->ctl_listen_fd = d->dp_listen_fd = -1;
	d->dp.fd = -1;
	for (int i = 0; i < CTLD_MAX_CLIENTS; i++)
		d->clients[i].conn.fd = -1;
	d->next_id = 1;
	d->client_timeout_ms = o->client_timeout_s * 1000;
	d->config_path = absolute_path(o->config_path);
	d->socket_path = absolute_path(o->socket_path);
	d->dp_socket_path = absolute_path(o->dp_socket_path);
	if (!d->config_path || !d->socket_path || !d->dp_socket_path)
		return -1;
	if (!strcmp(d->socket_path, d->dp_socket_path)) {
		CTLD_LOG(ERR, "--socket and --dataplane-socket must differ");
		return -1;
	}
	if (o->group_name) {
		gr = getgrnam(o->group_name);
		if (!gr) {
			CTLD_LOG(ERR, "--group: unknown group '%s'",
				 o->group_name);
			return -1;
		}
		d->group_name = o->group_name;
		d->group = gr->gr_gid;
	}
	if (load_config(d) < 0 || ctld_nv_open(d) < 0)
		return -1;
	d->ctl_listen_fd = listen_on(d->socket_path, d->group,
				     d->group_name != NULL, &ls[0]);
	if (d->ctl_listen_fd < 0)
		return -1;
	d->dp_listen_fd = listen_on(d->dp_socket_path, 0, false, &ls[1]);
	return d->dp_listen_fd < 0 ? -1 : 0;
}

/* Loads the configuration file, creating it (empty) when absent. */
static int
load_config(struct ctld *d)
{
	char err[1024], *nv = NULL;
	unsigned int n;
	size_t len;
	int rc;

	d->cfg = ctl_config_new();
	if (!d->cfg || make_parent_dirs(d->config_path) < 0)
		return -1;
	/* What a save cut short by a crash left behind. */
	n = ctl_remove_stale_temps(d->config_path);
	len = strlen(d->config_path);
	if (len > 5 && !strcmp(d->config_path + len - 5, ".json"))
		len -= 5;
	if (asprintf(&nv, "%.*s.nv.json", (int) len, d->config_path) >= 0) {
		n += ctl_remove_stale_temps(nv);
		free(nv);
	}
	if (n)
		ctld_log("removed %u temporary file(s) of interrupted saves "
			 "next to %s", n, d->config_path);
	rc = ctl_config_load_file(d->config_path, d->cfg, err, sizeof err);
	if (rc < 0) {
		CTLD_LOG(ERR, "%s", err);
		return -1;
	}
	if (rc == 1) {
		if (ctl_config_save_file(d->config_path, d->cfg, err,
					 sizeof err) < 0) {
			CTLD_LOG(ERR, "%s", err);
			return -1;
		}
		ctld_log("%s did not exist: created an empty configuration",
			 d->config_path);
	}
	return 0;
}

/* --check: loads 'path' with the daemon's own loader and validation,
 * touching nothing; prints what it holds or why it is refused.  Returns 0
 * when valid, -1 when not (an absent file too: the daemon would create
 * it, but there is nothing to check). */
static int
check_config(const char *path)
{
	struct ctl_config *cfg = ctl_config_new();
	char err[1024];
	int rc;

	if (!cfg) {
		fprintf(stderr, "controld: out of memory\n");
		return -1;
	}
	rc = ctl_config_load_file(path, cfg, err, sizeof err);
	if (rc == 1)
		fprintf(stderr, "controld: %s does not exist\n", path);
	else if (rc < 0)
		fprintf(stderr, "controld: %s\n", err);
	else
		printf("%s: valid, %u ports, %u teams\n", path, cfg->n_ports,
		       cfg->n_teams);
	ctl_config_free(cfg);
	return rc == 0 ? 0 : -1;
}

/* Creates a listening socket at 'path' with mode 0660 (group 'group' when
 * 'set_group'), replacing a stale socket but never a live one. */
static int
listen_on(const char *path, gid_t group, bool set_group, struct listener *l)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old_mask;
	int fd, rc;

	if (strlen(path) >= sizeof sa.sun_path) {
		CTLD_LOG(ERR, "%s: longer than %zu bytes", path,
			 sizeof sa.sun_path - 1);
		return -1;
	}
	if (make_parent_dirs(path) < 0 || remove_stale_socket(path) < 0)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		CTLD_LOG(ERR, "socket: %s", strerror(errno));
		return -1;
	}
	old_mask = umask(0117);
	rc = bind(fd, (struct sockaddr *) &sa, sizeof sa);
	umask(old_mask);
	if (rc < 0 || chmod(path, 0660) < 0
	    || (set_group && chown(path, (uid_t) -1, group) < 0)
	    || listen(fd, 64) < 0 || stat(path, &st) < 0) {
		CTLD_LOG(ERR, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	l->path = path;
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	return fd;
}

/* A socket nobody answers on is left over from a crash: remove it.  Returns
 * -1 when 'path' is something else or a live socket. */
static int
remove_stale_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : (CTLD_LOG(ERR, "%s: %s", path,
						       strerror(errno)), -1);
	if (!S_ISSOCK(st.st_mode)) {
		CTLD_LOG(ERR, "%s exists and is not a socket", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *) &sa, sizeof sa);
	if (fd >= 0)
		close(fd);
	if (rc == 0) {
		CTLD_LOG(ERR, "%s is in use (is another vswitch-controld "
			 "running?)", path);
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		CTLD_LOG(ERR, "%s: cannot remove stale socket: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static char *
absolute_path(const char *path)
{
	char cwd[4096];
	char *abs = NULL;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof cwd) || asprintf(&abs, "%s/%s", cwd, path) < 0) {
		CTLD_LOG(ERR, "%s: cannot make the path absolute", path);
		return NULL;
	}
	return abs;
}

/* mkdir -p of the directory holding 'path', mode 0755. */
static int
make_parent_dirs(const char *path)
{
	char *dir = strdup(path);
	int rc = 0;

	if (!dir)
		return -1;
	for (char *p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			CTLD_LOG(ERR, "cannot create directory %s: %s", dir,
				 strerror(errno));
			rc = -1;
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

/* With 'detach': double fork, new session, '/' as working directory,
 * standard input and output on /dev/null; standard error stays where the
 * caller put it, for the log.  The starting process exits only once the
 * pidfile (if any) names the daemon, so that its caller can rely on both
 * the sockets and the pidfile.  Returns 0 in the daemon, or -1. */
static int
daemonize(bool detach, const char *pidfile)
{
	int fd = pidfile ? open(pidfile, O_WRONLY | O_CREAT | O_TRUNC
				| O_CLOEXEC, 0644) : -1;
	pid_t pid;
	int status;

	if (pidfile && fd < 0) {
		CTLD_LOG(ERR, "%s: %s", pidfile, strerror(errno));
		return -1;
	}
	if (!detach)
		return pidfile ? write_pid(fd, pidfile, getpid()) : 0;
	pid = fork();
	if (pid < 0) {
		CTLD_LOG(ERR, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {                          /* the starting process */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			continue;
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	if (setsid() < 0 || (pid = fork()) < 0) {
		CTLD_LOG(ERR, "cannot detach: %s", strerror(errno));
		_exit(1);
	}
	if (pid > 0) {                          /* the session leader */
		if (pidfile && write_pid(fd, pidfile, pid) < 0) {
			kill(pid, SIGKILL);
			_exit(1);
		}
		_exit(0);
	}
	if (fd >= 0)
		close(fd);
	return detach_stdio();
}

/* Writes 'pid' to 'fd' (the open 'pidfile') and closes it. */
static int
write_pid(int fd, const char *pidfile, pid_t pid)
{
	char text[24];
	int length = snprintf(text, sizeof text, "%ld\n", (long) pid);

	if (write(fd, text, (size_t) length) != length || close(fd) < 0) {
		CTLD_LOG(ERR, "%s: %s", pidfile, strerror(errno));
		return -1;
	}
	return 0;
}

static int
detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (chdir("/") < 0 || fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0) {
		CTLD_LOG(ERR, "cannot detach: %s", strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static void
install_signals(sigset_t *run_mask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, run_mask);
	sigdelset(run_mask, SIGTERM);
	sigdelset(run_mask, SIGINT);
}

static void
on_signal(int signo)
{
	stop_signal = signo;
}

/* The poll loop. */

/* Returns 0 when stopped by a signal, -1 on a poll() failure. */
static int
run(struct ctld *d, const sigset_t *run_mask)
{
	struct pollfd fds[3 + CTLD_MAX_CLIENTS];
	struct timespec ts;

	while (!stop_signal) {
		size_t n = build_pollfds(d, fds);
		int timeout = poll_timeout_ms(d, &ts);
		int rc = ppoll(fds, n, timeout < 0 ? NULL : &ts, run_mask);

		if (rc < 0 && errno != EINTR) {
			CTLD_LOG(ERR, "poll: %s", strerror(errno));
			return -1;
		}
		if (rc > 0)
			handle_events(d, fds, n);
		ctld_dp_check_timeout(d, ctld_now_ms());
		process_clients(d);
		expire_clients(d, ctld_now_ms());
	}
	return 0;
}

/* fds[0]: control listener, [1]: dataplane listener, [2]: vswitchd (fd -1
 * when absent), then one per client slot in use. */
static size_t
build_pollfds(struct ctld *d, struct pollfd *fds)
{
	bool busy = d->pend.kind != CTLD_WAIT_NONE;
	size_t n = 3;

	fds[0] = (struct pollfd) { .fd = d->ctl_listen_fd, .events = POLLIN };
	fds[1] = (struct pollfd) { .fd = d->dp_listen_fd, .events = POLLIN };
	fds[2] = (struct pollfd) { .fd = d->dp.fd, .events = POLLIN };
	if (ctl_rpc_conn_has_output(&d->dp))
		fds[2].events |= POLLOUT;
	for (int i = 0; i < CTLD_MAX_CLIENTS; i++) {
		struct ctld_client *c = &d->clients[i];

		if (c->conn.fd < 0)
			continue;
		/* While vswitchd works on a request, other requests wait in
		 * their sockets; only a hang-up is noticed. */
		fds[n].fd = c->conn.fd;
		fds[n].events = busy ? 0 : POLLIN;
		if (ctl_rpc_conn_has_output(&c->conn))
			fds[n].events |= POLLOUT;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

/* Until the pending request's deadline, or while nothing is pending, the
 * first client's (expire_clients()); -1: none. */
static int
poll_timeout_ms(const struct ctld *d, struct timespec *ts)
{
	uint64_t now, left, deadline = UINT64_MAX;

	if (d->pend.kind != CTLD_WAIT_NONE) {
		deadline = d->pend.deadline_ms;
	} else {
		for (int i = 0; i < CTLD_MAX_CLIENTS; i++) {
			const struct ctld_client *c = &d->clients[i];

			if (client_may_expire(d, c)
			    && c->since_ms + (uint64_t) d->client_timeout_ms
			       < deadline)
				deadline = c->since_ms
					   + (uint64_t) d->client_timeout_ms;
		}
	}
	if (deadline == UINT64_MAX)
		return -1;
	now = ctld_now_ms();
	left = deadline > now ? deadline - now : 0;
	ts->tv_sec = (time_t) (left / 1000);
	ts->tv_nsec = (long) (left % 1000) * 1000000;
	return (int) left;
}

static void
handle_events(struct ctld *d, const struct pollfd *fds, size_t n)
{
	if (fds[0].revents & POLLIN)
		accept_client(d);
	if (fds[1].revents & POLLIN)
		accept_dataplane(d);
	if (fds[2].fd >= 0 && fds[2].fd == d->dp.fd) {
		if (fds[2].revents & POLLOUT)
			ctld_dp_output(d);
		if (d->dp.fd >= 0 && (fds[2].revents & ~POLLOUT))
			ctld_dp_input(d);
	}
	for (size_t i = 3; i < n; i++) {
		for (int j = 0; j < CTLD_MAX_CLIENTS; j++) {
			struct ctld_client *c = &d->clients[j];

			if (c->conn.fd == fds[i].fd && fds[i].revents) {
				client_io(d, c, fds[i].revents);
				break;
			}
		}
	}
}

static void
accept_client(struct ctld *d)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	struct ctld_client *c = NULL;
	int fd;

	fd = accept4(d->ctl_listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		CTLD_LOG(WARNING, "SO_PEERCRED: %s", strerror(errno));
		close(fd);
		return;
	}
	for (int i = 0; i < CTLD_MAX_CLIENTS && !c; i++)
		if (d->clients[i].conn.fd < 0)
			c = &d->clients[i];
	if (!c) {
		static const char busy[] = "{\"jsonrpc\":\"2.0\",\"id\":null,"
			"\"error\":{\"code\":-32000,\"message\":\"too many "
			"clients: try again later\"}}\n";

		CTLD_LOGC(RPC, WARNING, "%d clients connected: refusing pid "
			  "%ld (uid %ld)", CTLD_MAX_CLIENTS, (long) cred.pid,
			  (long) cred.uid);
		/* A new socket takes this much: no need to wait. */
		if (send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT)
		    < 0)
			CTLD_LOGC(RPC, DEBUG, "pid %ld: %s", (long) cred.pid,
				  strerror(errno));
		close(fd);
		return;
	}
	ctl_rpc_conn_init(&c->conn, fd);
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->may_change = peer_may_change(d, fd, &cred);
	c->since_ms = ctld_now_ms();
	CTLD_LOGC(RPC, DEBUG, "client pid %ld (uid %ld) connected%s",
		  (long) c->pid, (long) c->uid,
		  c->may_change ? "" : ", may not change");
}

static void
accept_dataplane(struct ctld *d)
{
	int fd = accept4(d->dp_listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd >= 0)
		ctld_dp_accept(d, fd);
}

static void
client_io(struct ctld *d, struct ctld_client *c, short revents)
{
	int rc;

	if (revents & POLLOUT) {
		rc = ctl_rpc_conn_flush(&c->conn);
		if (rc < 0 && rc != -EAGAIN) {
			client_close(d, c);
			return;
		}
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	rc = ctl_rpc_conn_read(&c->conn);
	if (rc == 0 || (rc < 0 && rc != -EAGAIN))
		client_close(d, c);
}

static void
client_close(struct ctld *d, struct ctld_client *c)
{
	CTLD_LOGC(RPC, DEBUG, "client pid %ld closed", (long) c->pid);
	if (d->pend.client == c)
		d->pend.client = NULL;
	ctld_capture_client_gone(d, c);
	ctl_rpc_conn_close(&c->conn);
}

/* Handles buffered requests, one per client per round, until one of them
 * has to wait for vswitchd. */
static void
process_clients(struct ctld *d)
{
	bool progress = true;

	while (progress) {
		progress = false;
		if (d->pend.kind == CTLD_WAIT_NONE && d->replay_wanted)
			ctld_replay(d);
		if (d->pend.kind == CTLD_WAIT_NONE)
			ctld_capture_reap(d);
		for (int i = 0; i < CTLD_MAX_CLIENTS; i++) {
			struct ctld_client *c = &d->clients[i];
			char *line;
			int rc;

			if (d->pend.kind != CTLD_WAIT_NONE)
				return;
			if (c->conn.fd < 0)
				continue;
			rc = ctl_rpc_conn_next(&c->conn, &line);
			if (rc < 0) {
				client_refuse(d, c, "request longer than %u "
					      "bytes", CTL_RPC_MAX_LINE);
			} else if (rc == 1) {
				c->since_ms = ctld_now_ms();
				ctld_dispatch(d, c, line);
				progress = true;
			}
		}
	}
}

/* Closes the connections that have not sent a whole request within
 * --client-timeout of connecting or of their last answer: silent
 * clients, and those that send a request a byte at a time.  While
 * vswitchd works on a request, clients are not read (controld.h) and
 * none expires; after, what a client sent meanwhile is read before it
 * is judged. */
static void
expire_clients(struct ctld *d, uint64_t now_ms)
{
	if (d->pend.kind != CTLD_WAIT_NONE)
		return;
	for (int i = 0; i < CTLD_MAX_CLIENTS; i++) {
		struct ctld_client *c = &d->clients[i];

		if (!client_may_expire(d, c)
		    || now_ms < c->since_ms + (uint64_t) d->client_timeout_ms
		    || client_read_all(c))
			continue;
		client_refuse(d, c, "%s within %d s",
			      ctl_rpc_conn_has_input(&c->conn)
			      ? "request incomplete" : "no request",
			      d->client_timeout_ms / 1000);
	}
}

/* Whether 'c' is a connection expire_clients() judges: open, with
 * nothing of its pending, no capture of its running. */
static bool
client_may_expire(const struct ctld *d, const struct ctld_client *c)
{
	return c->conn.fd >= 0 && d->client_timeout_ms > 0
	       && d->pend.client != c && !ctld_capture_client_has(d, c);
}

/* Reads what 'c' has sent.  Returns true when a whole request is there
 * (or the connection closed, which process_clients() handles). */
static bool
client_read_all(struct ctld_client *c)
{
	int rc;

	while (!ctl_rpc_conn_has_line(&c->conn)) {
		rc = ctl_rpc_conn_read(&c->conn);
		if (rc == -EAGAIN)
			return false;
		if (rc <= 0)
			return true;
	}
	return true;
}

/* Answers 'c' with an error (id null) saying why, and closes it. */
static void
client_refuse(struct ctld *d, struct ctld_client *c, const char *fmt, ...)
{
	char msg[256];
	json_t *error;
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof msg, fmt, args);
	va_end(args);
	CTLD_LOGC(RPC, INFO, "client pid %ld (uid %ld): %s: closing",
		  (long) c->pid, (long) c->uid, msg);
	error = ctl_rpc_error(json_null(), CTL_RPC_INVALID_REQUEST, msg);
	if (error && ctl_rpc_conn_send(&c->conn, error) == 0)
		ctl_rpc_conn_flush(&c->conn);   /* what the socket takes */
	json_decref(error);
	client_close(d, c);
}

/* Peer credentials. */

static bool
peer_may_change(const struct ctld *d, int fd, const struct ucred *cred)
{
	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	return d->group_name && peer_in_group(fd, cred, d->group);
}

static bool
peer_in_group(int fd, const struct ucred *cred, gid_t group)
{
	gid_t groups[1024];
	socklen_t len = sizeof groups;
	struct passwd *pw;
	int n = 1024;

	if (cred->gid == group)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
		for (size_t i = 0; i < len / sizeof groups[0]; i++)
			if (groups[i] == group)
				return true;
		return false;
	}
	/* Older kernels: the user's groups from the group database. */
	pw = getpwuid(cred->uid);
	if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == group)
			return true;
	return false;
}

/* Exit. */

static void
cleanup(struct ctld *d, const struct listener ls[2])
{
	struct stat st;

	for (int i = 0; i < CTLD_MAX_CLIENTS; i++)
		if (d->clients[i].conn.fd >= 0)
			client_close(d, &d->clients[i]);
	if (d->dp.fd >= 0)
		ctld_dp_close(d, "controld is stopping");
	if (d->ctl_listen_fd >= 0)
		close(d->ctl_listen_fd);
	if (d->dp_listen_fd >= 0)
		close(d->dp_listen_fd);
	for (int i = 0; i < 2; i++)
		if (ls[i].path && stat(ls[i].path, &st) == 0
		    && st.st_dev == ls[i].dev && st.st_ino == ls[i].ino)
			unlink(ls[i].path);
	ctl_config_free(d->cfg);
	ctld_nv_close(d);
}
