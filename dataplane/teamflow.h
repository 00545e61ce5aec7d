/* The header fields a team's balancing hashes (teaming/balance.h
 * 'struct team_flow'), read from a frame in the form it leaves in.
 *
 * Pure code: no DPDK types, no allocation; every read is bounds-checked
 * against 'size' (through dp_parse_frame(), parse.h). */
#ifndef VSWITCH_DP_TEAMFLOW_H
#define VSWITCH_DP_TEAMFLOW_H

#include <stdint.h>

#include "teaming/balance.h"

/* Fills 'f' from the 'size' bytes at 'frame': the MACs whenever the
 * Ethernet header is there; the VID of a tagged frame; for IPv4 and IPv6
 * the addresses and protocol; for TCP, UDP and SCTP the ports, unless
 * the frame is a non-first IPv4 fragment or the ports lie past its end.
 * A frame the parser refuses gives only its MACs. */
void dp_team_flow(const uint8_t *frame, uint32_t size, struct team_flow *f);

#endif
