#include "nvgre/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
nvgre_addr_parse(const char *s, struct nvgre_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, out->b) == 1) {
		out->family = NVGRE_AF_IPV4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->b) == 1) {
		out->family = NVGRE_AF_IPV6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

int
nvgre_prefix_parse(const char *s, struct nvgre_prefix *out)
{
	char addr[NVGRE_ADDR_STRLEN];
	const char *slash;
	struct nvgre_addr masked;
	char *end;
	long len;

	memset(out, 0, sizeof(*out));
	if (!s || !(slash = strchr(s, '/')) ||
	    (size_t)(slash - s) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (nvgre_addr_parse(addr, &out->addr))
		return -EINVAL;
	if (slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno || *end || len < 0 ||
	    len > (long)nvgre_family_bits(out->addr.family))
		return -EINVAL;
	masked = out->addr;
	nvgre_addr_mask(&masked, (unsigned int)len);
	if (!nvgre_addr_eq(&masked, &out->addr))
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
nvgre_mac_parse(const char *s, uint8_t mac[6])
{
	if (!s)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0)
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s != ':' && *s != '-')
			return -EINVAL;
		if (i < 5)
			s++;
	}
	return *s ? -EINVAL : 0;
}

char *
nvgre_addr_format(const struct nvgre_addr *a, char *buf, size_t size)
{
	int af = a->family == NVGRE_AF_IPV4 ? AF_INET
		 : a->family == NVGRE_AF_IPV6 ? AF_INET6 : -1;

	if (af < 0 || !inet_ntop(af, a->b, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

char *
nvgre_prefix_format(const struct nvgre_prefix *p, char *buf, size_t size)
{
	char a[NVGRE_ADDR_STRLEN];

	snprintf(buf, size, "%s/%u", nvgre_addr_format(&p->addr, a, sizeof(a)),
		 p->len);
	return buf;
}

char *
nvgre_mac_format(const uint8_t mac[6], char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

struct nvgre_addr
nvgre_addr_ipv4(const uint8_t b[4])
{
	struct nvgre_addr a = { .family = NVGRE_AF_IPV4 };

	memcpy(a.b, b, 4);
	return a;
}

struct nvgre_addr
nvgre_addr_ipv6(const uint8_t b[16])
{
	struct nvgre_addr a = { .family = NVGRE_AF_IPV6 };

	memcpy(a.b, b, 16);
	return a;
}

unsigned int
nvgre_family_bits(uint8_t family)
{
	return family == NVGRE_AF_IPV4 ? 32 : family == NVGRE_AF_IPV6 ? 128 : 0;
}

bool
nvgre_addr_eq(const struct nvgre_addr *a, const struct nvgre_addr *b)
{
	return a->family == b->family && !memcmp(a->b, b->b, 16);
}

bool
nvgre_addr_is_unspecified(const struct nvgre_addr *a)
{
	static const uint8_t zero[16];

	return a->family && !memcmp(a->b, zero, 16);
}

bool
nvgre_addr_is_unicast(const struct nvgre_addr *a)
{
	static const uint8_t loop6[16] = { [15] = 1 };

	switch (a->family) {
	case NVGRE_AF_IPV4:
		/* 0/8 "this network", 127/8 loopback, 224/4 multicast and
		 * above (240/4 reserved, 255.255.255.255 broadcast). */
		return a->b[0] != 0 && a->b[0] != 127 && a->b[0] < 224;
	case NVGRE_AF_IPV6:
		return !nvgre_addr_is_unspecified(a) && a->b[0] != 0xff &&
		       memcmp(a->b, loop6, 16) != 0;
	default:
		return false;
	}
}

void
nvgre_addr_mask(struct nvgre_addr *a, unsigned int len)
{
	for (unsigned int i = 0; i < 16; i++) {
		if (len >= 8 * (i + 1))
			continue;
		if (len > 8 * i)
			a->b[i] &= (uint8_t)(0xff00 >> (len - 8 * i));
		else
			a->b[i] = 0;
	}
}

bool
nvgre_prefix_contains(const struct nvgre_prefix *p, const struct nvgre_addr *a)
{
	struct nvgre_addr m = *a;

	if (a->family != p->addr.family)
		return false;
	nvgre_addr_mask(&m, p->len);
	return !memcmp(m.b, p->addr.b, 16);
}

int
nvgre_prefix_first_host(const struct nvgre_prefix *p, struct nvgre_addr *out)
{
	unsigned int bits = nvgre_family_bits(p->addr.family);
	int last = (int)bits / 8 - 1;

	if (!bits || p->len >= bits)
		return -EINVAL;
	*out = p->addr;
	if (p->addr.family == NVGRE_AF_IPV4 && p->len == 31)
		return 0;
	/* The network address has its host bits clear: + 1 cannot carry. */
	out->b[last] |= 1;
	return 0;
}
