/* vswitchd's log type ("vswitch.dp"); control thread only, never per
 * packet. */
#ifndef VSWITCH_DP_LOG_H
#define VSWITCH_DP_LOG_H

#include <rte_log.h>

extern int dp_logtype;

#define DP_LOG(level, fmt, ...)                                            \
	rte_log(RTE_LOG_##level, dp_logtype, "vswitchd: " fmt "\n",         \
		##__VA_ARGS__)

#endif
