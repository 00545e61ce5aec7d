/* vswitch-controld internals, shared by controld.c (process, sockets, poll
 * loop), controld_dp.c (the vswitchd connection), controld_methods.c (the
 * vswitchctl methods), controld_apply.c (changes, combined answers),
 * controld_team.c (NIC teams), controld_capture.c (live captures) and
 * controld_nv.c (the network virtualization tables, kept apart from the
 * configuration) and controld_log.c (the log and its levels).
 *
 * Concurrency: none.  controld is one thread running one poll() loop, and
 * it talks to vswitchd one request at a time: while a request to vswitchd
 * is outstanding ('pend.kind' != CTLD_WAIT_NONE), requests from vswitchctl
 * clients stay in their sockets and are read once the answer (or a
 * timeout, or vswitchd's disconnection) ends the wait.  This gives every
 * change a total order and keeps the stored configuration equal to what
 * vswitchd last accepted. */
#ifndef VSWITCH_CONTROL_CONTROLD_H
#define VSWITCH_CONTROL_CONTROLD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <syslog.h>

#include "control/config.h"
#include "control/rpc.h"

#define CTLD_MAX_CLIENTS 64
#define CTLD_CLIENT_TIMEOUT_S 5         /* default of --client-timeout */
#define CTLD_CLIENT_TIMEOUT_MAX 3600
#define CTLD_DP_TIMEOUT_MS 10000        /* for every request to vswitchd */
#define CTLD_MAX_OUTPUT (64u << 20)     /* queued reply bytes per client */
#define CTLD_MAX_CAPTURES 8             /* as many as vswitchd runs */

struct ctld_client {
	struct ctl_rpc_conn conn;       /* conn.fd < 0: the slot is free */
	pid_t pid;                      /* from SO_PEERCRED */
	uid_t uid;
	bool may_change;                /* root, our own uid or --group */
	uint64_t since_ms;              /* connected, or last request taken
					 * or reply queued (CLOCK_MONOTONIC) */
};

/* controld's log components (docs/protocol.md "Log levels"), named
 * "controld.NAME" on the command line: X(ID, NAME). */
#define CTLD_FOREACH_LOG(X)                                               \
	X(MAIN, "main")         /* start, stop, sockets, files */          \
	X(RPC, "rpc")           /* vswitchctl clients and their requests */ \
	X(DP, "dp")             /* the vswitchd connection */              \
	X(APPLY, "apply")       /* configuration changes and replays */    \
	X(CAPTURE, "capture")   /* live captures */                        \
	X(NV, "nv")             /* the network virtualization store */

enum ctld_log_component {
#define CTLD_LOG_ENUM(ID, NAME) CTLD_LOG_##ID,
	CTLD_FOREACH_LOG(CTLD_LOG_ENUM)
#undef CTLD_LOG_ENUM
	CTLD_LOG_N
};

/* The component that CTLD_LOG() and ctld_log() write under: a file
 * defines CTLD_LOG_THIS before it includes this header to pick another
 * one than CTLD_LOG_MAIN. */
#ifndef CTLD_LOG_THIS
#define CTLD_LOG_THIS CTLD_LOG_MAIN
#endif

/* CTLD_LOG(DEBUG, "fmt", ...): one line to standard error (the journal
 * under systemd) when LEVEL (a syslog level without LOG_) is enabled for
 * the file's component; ctld_log() is CTLD_LOG(NOTICE, ...). */
#define CTLD_LOG(LEVEL, ...) \
	ctld_log_at(CTLD_LOG_THIS, LOG_##LEVEL, __VA_ARGS__)
#define CTLD_LOGC(COMPONENT, LEVEL, ...) \
	ctld_log_at(CTLD_LOG_##COMPONENT, LOG_##LEVEL, __VA_ARGS__)
#define ctld_log(...) CTLD_LOG(NOTICE, __VA_ARGS__)

/* What the outstanding request to vswitchd is for. */
enum ctld_wait {
	CTLD_WAIT_NONE,
	CTLD_WAIT_REPLAY,       /* apply replay:true after hello */
	CTLD_WAIT_APPLY,        /* apply replay:false of 'candidate' */
	CTLD_WAIT_REVERT,       /* apply of the current config after a failure */
	CTLD_WAIT_SHOW,         /* get_ports for 'show' */
	CTLD_WAIT_LIST,         /* get_ports for 'list_ports' */
	CTLD_WAIT_FORWARD,      /* port_stats, mac_table, queues,
				 * team_status */
	CTLD_WAIT_CAPTURE,      /* capture_start */
	CTLD_WAIT_REAP,         /* capture_stop of a gone client's capture */
	CTLD_WAIT_NV_APPLY,     /* nv_apply of 'nv_change' */
	CTLD_WAIT_NV_REPLAY,    /* one step of the NV replay */
	CTLD_WAIT_NV_STATUS,    /* nv_counts for 'nv_status' */
	CTLD_WAIT_LOG_LEVEL,    /* log_level, then ours for 'log_*' */
};

struct ctld_nv;
struct ctld_nv_change;

struct ctld_pending {
	enum ctld_wait kind;
	json_int_t dp_id;               /* id of the request to vswitchd */
	uint64_t deadline_ms;           /* CLOCK_MONOTONIC */
	struct ctld_client *client;     /* who waits; NULL once gone */
	json_t *client_id;              /* its request id; NULL: no reply */
	struct ctl_config *candidate;   /* CTLD_WAIT_APPLY: owned */
	struct ctld_nv_change *nv_change;       /* CTLD_WAIT_NV_APPLY: owned */
	char what[96];                  /* the change, for the log */
	char log_pattern[64];           /* CTLD_WAIT_LOG_LEVEL: components
					 * ("" all) to set once vswitchd has */
	int log_level;                  /* ... to this level; -1: list */
};

/* A capture running in vswitchd, and who started it. */
struct ctld_capture {
	json_int_t id;                  /* vswitchd's id; 0: slot free */
	struct ctld_client *client;     /* NULL: gone, stop the capture */
	pid_t pid;                      /* the client's, for the log */
	bool lost;                      /* ended when vswitchd went away;
					 * kept to tell the client */
};

struct ctld {
	const char *config_path;        /* absolute */
	const char *socket_path;        /* control socket, absolute */
	const char *dp_socket_path;     /* dataplane socket, absolute */
	const char *group_name;         /* --group, or NULL */
	gid_t group;                    /* with 'group_name' */
	int client_timeout_ms;          /* --client-timeout; 0: none */
	struct ctl_config *cfg;         /* current, as stored in the file */
	int ctl_listen_fd;
	int dp_listen_fd;
	struct ctld_client clients[CTLD_MAX_CLIENTS];
	struct ctl_rpc_conn dp;         /* vswitchd; dp.fd < 0 when absent */
	bool dp_hello;                  /* vswitchd said hello: it is up */
	pid_t dp_pid;                   /* from SO_PEERCRED */
	bool replay_wanted;             /* replay once nothing is pending */
	json_int_t next_id;             /* of requests to vswitchd */
	struct ctld_pending pend;       /* the outstanding request */
	struct ctld_capture captures[CTLD_MAX_CAPTURES];
	struct ctld_nv *nv;             /* controld_nv.c */
};

/* One request from a vswitchctl client, being handled. */
struct ctld_req {
	struct ctld_client *client;     /* who asked */
	json_t *id;                     /* borrowed; NULL: notification */
	json_t *params;                 /* borrowed object */
	int fd;                         /* came with it (rpc.h), or -1; the
					 * handler owns it if its method
					 * takes one */
};

/* controld.c */
uint64_t ctld_now_ms(void);
/* Send a reply to 'c' unless 'c' or 'id' is NULL; steal 'result'. */
void ctld_reply(struct ctld *d, struct ctld_client *c, json_t *id,
		json_t *result);
void ctld_reply_error(struct ctld *d, struct ctld_client *c, json_t *id,
		      int code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* controld_dp.c */
bool ctld_dp_up(const struct ctld *d);
void ctld_dp_accept(struct ctld *d, int fd);
void ctld_dp_input(struct ctld *d);
void ctld_dp_output(struct ctld *d);
void ctld_dp_close(struct ctld *d, const char *why);
void ctld_dp_check_timeout(struct ctld *d, uint64_t now_ms);
/* Sends 'method' with 'params' (stolen) and makes 'p' (copied, with its
 * references) the pending request.  Returns 0, or a negative errno after
 * which 'p' still belongs to the caller. */
int ctld_dp_call(struct ctld *d, const char *method, json_t *params,
		 const struct ctld_pending *p);
/* The same, with 'fd' (taken, closed on error) sent along. */
int ctld_dp_call_fd(struct ctld *d, const char *method, json_t *params,
		    int fd, const struct ctld_pending *p);

/* controld_methods.c: parses one request line from 'c' and handles it,
 * replying at once or through a request to vswitchd. */
void ctld_dispatch(struct ctld *d, struct ctld_client *c, const char *line);

/* controld_apply.c */
/* Validates 'cand' (owned from now on) and makes it current: through
 * vswitchd when it is up, directly otherwise; replies to 'c' either way.
 * 'what' describes the change for the log. */
void ctld_change(struct ctld *d, struct ctld_client *c, json_t *id,
		 struct ctl_config *cand, const char *what);
/* Forwards a query to vswitchd ('params' stolen); replies "vswitchd is
 * not connected" when it is down. */
void ctld_ask(struct ctld *d, struct ctld_client *c, json_t *id,
	      enum ctld_wait kind, const char *method, json_t *params);
/* Ends the pending request with vswitchd's 'result' (borrowed), or with
 * 'error' (vswitchd's error message, or why there is no answer; 'lost'
 * when vswitchd went away or timed out). */
void ctld_complete(struct ctld *d, json_t *result, const char *error,
		   bool lost);
/* Sends the whole configuration as apply replay:true. */
void ctld_replay(struct ctld *d);
/* Results of show and list_ports; 'states' is vswitchd's PORTSTATE array
 * (borrowed) or NULL. */
json_t *ctld_show_result(const struct ctld *d, json_t *states);
json_t *ctld_list_result(const struct ctld *d, json_t *states);
/* The configuration as a json_t (new reference), NULL when out of
 * memory. */
json_t *ctld_config_json(const struct ctl_config *cfg);

/* controld_team.c: the team methods. */
void ctld_add_team(struct ctld *d, const struct ctld_req *r);
void ctld_del_team(struct ctld *d, const struct ctld_req *r);
void ctld_team_status(struct ctld *d, const struct ctld_req *r);

/* controld_log.c: the log, and the log_level method.  vswitchd's
 * components ("vswitchd.*") are vswitchd's to set and list: controld
 * forwards those, and changes its own only once vswitchd has accepted. */
void ctld_log_at(enum ctld_log_component component, int level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool ctld_log_enabled(enum ctld_log_component component, int level);
void ctld_log_level(struct ctld *d, const struct ctld_req *r);
void ctld_log_complete(struct ctld *d, const struct ctld_pending *p,
		       json_t *result, const char *error, bool lost);

/* controld_capture.c: the capture methods ('r->fd' is capture_start's
 * to consume), the end of their requests to vswitchd, and the tie between
 * a capture and its client's connection. */
void ctld_capture_start(struct ctld *d, const struct ctld_req *r);
void ctld_capture_status(struct ctld *d, const struct ctld_req *r);
void ctld_capture_stop(struct ctld *d, const struct ctld_req *r);
void ctld_capture_complete(struct ctld *d, const struct ctld_pending *p,
			   json_t *result, const char *error, bool lost);
/* Whether 'c' started a capture that still runs. */
bool ctld_capture_client_has(const struct ctld *d,
			     const struct ctld_client *c);
/* 'c' is closing: its captures are to be stopped. */
void ctld_capture_client_gone(struct ctld *d, const struct ctld_client *c);
/* With nothing pending: stops one capture whose client has gone. */
void ctld_capture_reap(struct ctld *d);
/* vswitchd went away and ended every capture: forgets them, except to
 * tell their clients. */
void ctld_capture_forget_all(struct ctld *d);

/* controld_nv.c: the NV store (docs/nv.md).  ctld_nv_open() loads it from
 * its files at start (logs and returns -1 on failure); the methods
 * nv_apply, nv_import, nv_list and nv_status; the end of their requests
 * to vswitchd; and the replay of the whole store, which follows the
 * configuration's replay. */
int ctld_nv_open(struct ctld *d);
void ctld_nv_close(struct ctld *d);
void ctld_nv_apply(struct ctld *d, const struct ctld_req *r);
void ctld_nv_import(struct ctld *d, const struct ctld_req *r);
void ctld_nv_list(struct ctld *d, const struct ctld_req *r);
void ctld_nv_status(struct ctld *d, const struct ctld_req *r);
void ctld_nv_complete(struct ctld *d, const struct ctld_pending *p,
		      json_t *result, const char *error, bool lost);
void ctld_nv_replay(struct ctld *d);
/* Whether port 'name' carries a provider address, with why in 'err'. */
bool ctld_nv_port_in_use(const struct ctld *d, const char *name, char *err,
			 size_t errsz);

#endif
