/* vswitchctl internals: the human-readable writers of vswitchctl_print.c,
 * kept apart from the command table and the RPC in vswitchctl.c.  Each
 * takes the JSON-RPC result of its method (borrowed) and writes to stdout;
 * missing or mistyped fields print as "-". */
#ifndef VSWITCH_CONTROL_VSWITCHCTL_H
#define VSWITCH_CONTROL_VSWITCHCTL_H

#include <jansson.h>

void ctl_print_show(json_t *result);
void ctl_print_list_ports(json_t *result);
void ctl_print_port_stats(json_t *result);
void ctl_print_mac_table(json_t *result);
void ctl_print_queues(json_t *result);

#endif
