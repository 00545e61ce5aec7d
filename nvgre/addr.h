/* Addresses of network virtualization: customer addresses (CA) inside a
 * virtual subnet and provider addresses (PA) on the underlay, each IPv4 or
 * IPv6, and prefixes of them; MAC addresses of CAs.
 *
 * Pure code: no allocation, no global state.  The parsers are for the
 * control path (configuration text); the predicates may run per packet. */
#ifndef VSWITCH_NVGRE_ADDR_H
#define VSWITCH_NVGRE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NVGRE_AF_IPV4 4
#define NVGRE_AF_IPV6 6

/* Room for any address formatted by nvgre_addr_format(), NUL included. */
#define NVGRE_ADDR_STRLEN 46
/* Room for "address/length". */
#define NVGRE_PREFIX_STRLEN (NVGRE_ADDR_STRLEN + 4)
/* Room for "02:00:00:00:00:01". */
#define NVGRE_MAC_STRLEN 18

/* An IPv4 or IPv6 address.  A zeroed struct is "no address" (family 0);
 * 0.0.0.0 and :: are the unspecified addresses of their families. */
struct nvgre_addr {
	uint8_t family;      /* NVGRE_AF_IPV4, NVGRE_AF_IPV6, or 0 */
	uint8_t b[16];       /* network order; IPv4 in b[0..3], rest zero */
};

struct nvgre_prefix {
	struct nvgre_addr addr;  /* host bits are zero */
	uint8_t len;             /* 0..32 or 0..128 */
};

/* Parses "192.0.2.1" or "2001:db8::1" into 'out'.  Returns 0 or -EINVAL. */
int nvgre_addr_parse(const char *s, struct nvgre_addr *out);

/* Parses "10.0.0.0/24" or "2001:db8::/64" into 'out'.  Returns 0, or
 * -EINVAL for a malformed address or length, or host bits that are set
 * ("10.0.0.1/24" is refused rather than silently masked: it usually means
 * the operator meant another prefix). */
int nvgre_prefix_parse(const char *s, struct nvgre_prefix *out);

/* Parses "02:00:5e:00:00:01" (':' or '-' between the six octets). Returns
 * 0 or -EINVAL. */
int nvgre_mac_parse(const char *s, uint8_t mac[6]);

/* Format into 'buf' of 'size' bytes; return 'buf' ("?" when 'a' has no
 * family). */
char *nvgre_addr_format(const struct nvgre_addr *a, char *buf, size_t size);
char *nvgre_prefix_format(const struct nvgre_prefix *p, char *buf,
			  size_t size);
char *nvgre_mac_format(const uint8_t mac[6], char *buf, size_t size);

/* Builds an IPv4 address from four octets in network order. */
struct nvgre_addr nvgre_addr_ipv4(const uint8_t b[4]);
/* Builds an IPv6 address from sixteen octets in network order. */
struct nvgre_addr nvgre_addr_ipv6(const uint8_t b[16]);

bool nvgre_addr_eq(const struct nvgre_addr *a, const struct nvgre_addr *b);
/* 0.0.0.0 or :: (a family, all bits zero). */
bool nvgre_addr_is_unspecified(const struct nvgre_addr *a);
/* Usable as the address of one host: not unspecified, multicast,
 * limited broadcast (IPv4) or loopback. */
bool nvgre_addr_is_unicast(const struct nvgre_addr *a);
/* Bits in an address of 'family': 32, 128, or 0 for an unknown family. */
unsigned int nvgre_family_bits(uint8_t family);

/* True when 'a' lies in 'p' (same family, first p->len bits equal). */
bool nvgre_prefix_contains(const struct nvgre_prefix *p,
			   const struct nvgre_addr *a);
/* Clears the bits of 'a' past the first 'len'. */
void nvgre_addr_mask(struct nvgre_addr *a, unsigned int len);

/* The lowest address of 'p' a host may use, the default virtual gateway
 * of a subnet: the network address + 1, or the network address of an
 * IPv4 /31 (RFC 3021 section 2.1: both addresses of a /31 are hosts).
 * Returns -EINVAL for a /32 or /128, which has no address to spare. */
int nvgre_prefix_first_host(const struct nvgre_prefix *p,
			    struct nvgre_addr *out);

#endif
