// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's configuration loader (vpnrtd/config.c): a table of bad files,
 * each with every message it must give, line numbers included; good
 * files with every default and the per-tunnel resolution of IKE
 * overrides; the shipped example (Documentation/examples/vpnrtd.yaml,
 * found through $VPNRTD_EXAMPLE, else ../Documentation/... from
 * userspace/, else Documentation/... from the top).
 * With CFG_CORPUS_DIR set, every file of the table is also written there
 * as a libFuzzer seed for fuzz/config_fuzz.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tap.h"

/* lines 1..7: one gateway, one connection, one tunnel */
#define BASE \
	"gateways:\n" \
	"  - name: vpngw0\n" \
	"    connections:\n" \
	"      - name: dc1\n" \
	"        tunnels:\n" \
	"          - local-address: 192.0.2.1\n" \
	"            remote-address: 198.51.100.1\n"

/* BASE's connection with a second tunnel, lines 8..9 */
#define TUN2 \
	"          - local-address: 192.0.2.2\n" \
	"            remote-address: 198.51.100.2\n"

#define P "gateways[0].connections[0]."
#define T0 P "tunnels[0]."
#define F "t.yaml:"

#define A101 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

struct bad {
	const char *name;
	const char *yaml;
	size_t len;		/* 0: strlen(yaml) */
	const char *want;	/* every message, each ending in \n */
};

static const struct bad bad[] = {
	/* ---- YAML itself ---- */
	{ "syntax-indent",
	  "gateways:\n  - name: a\n   bad: [\n", 0,
	  F "3: YAML syntax: did not find expected '-' indicator (while parsing a block collection at line 2); valid YAML allowed\n" },
	{ "syntax-quote",
	  "gateways:\n  - name: \"vpngw0\n", 0,
	  F "3: YAML syntax: found unexpected end of stream (while scanning a quoted scalar at line 2); valid YAML allowed\n" },
	{ "syntax-tab",
	  "gateways:\n\t- name: a\n", 0,
	  F "2: YAML syntax: found character that cannot start any token (while scanning for the next token at line 2); valid YAML allowed\n" },
	{ "control-char",
	  "gateways: []\n# \x01\n", 0,
	  F "2: YAML syntax: control characters are not allowed (#1 at byte 15); UTF-8 text without control characters allowed\n" },
	{ "bad-utf8",
	  "gateways: []\n# \xff\n", 0,
	  F "2: YAML syntax: invalid leading UTF-8 octet (#FF at byte 15); UTF-8 text without control characters allowed\n" },
	{ "eof-in-quote",
	  "gateways:\n  - name: \"vpngw0", 0,
	  F "2: YAML syntax: found unexpected end of stream (while scanning a quoted scalar at line 2); valid YAML allowed\n" },
	{ "crlf-lines",
	  "gateways:\r\n  - name: vpngw0\r\n    max-paths: 17\r\n", 0,
	  F "3: gateways[0].max-paths: 17 is out of range; 1..16 allowed\n" },
	/* U+2028 and a lone CR break lines for YAML, not for an editor */
	{ "unicode-line-separator",
	  "# one\xe2\x80\xa8# two\ngateways:\n  - name: vpngw0\n    max-paths: 17\n", 0,
	  F "4: gateways[0].max-paths: 17 is out of range; 1..16 allowed\n" },
	{ "lone-cr",
	  "# one\r# two\ngateways:\n  - name: \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n    max-paths: 17\n", 0,
	  F "4: gateways[0].max-paths: 17 is out of range; 1..16 allowed\n" },
	{ "utf16",
	  "\xff\xfeg\0a\0", 6,
	  F "1: YAML syntax: invalid leading UTF-8 octet (#FF at byte 0); UTF-8 text without control characters allowed\n" },
	{ "syntax-no-context",
	  "gateways: a: b\n", 0,
	  F "1: YAML syntax: mapping values are not allowed in this context; valid YAML allowed\n" },
	{ "gateways-alias",
	  "gateways: *a\n", 0,
	  F "1: gateways: alias *a; anchors and aliases are not supported, write the value out\n" },
	{ "gateway-not-mapping",
	  "gateways: [vpngw0]\n", 0,
	  F "1: gateways[0]: \"vpngw0\" is a string; a mapping of gateway settings (name, connections, ...) allowed\n" },
	{ "wrong-types-inside",
	  BASE "            mtu: \"1400\"\n          - x\n        id: 99999999999\n        routes: [10.0.0.0/8]\n"
	  "        ike: {lifetime: 1h30m, dpd-delay: abc, remote-id: abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.ab}\n"
	  "        ipsec: {lifetime: 99999999s}\n"
	  "      - name: dc 1\n        tunnels: [{ike: none, device: wg9}]\n"
	  "      - name: [a]\n        tunnels: [{ike: none, device: wg8}]\n", 0,
	  F "8: " T0 "mtu: \"1400\" is quoted, a string; a number 576..9000 allowed, unquoted\n"
	  F "9: " P "tunnels[1]: \"x\" is a string; a mapping of tunnel settings (local-address, remote-address, ...) allowed\n"
	  F "10: " P "id: 99999999999 is out of range; 1..4294967295 allowed\n"
	  F "11: " P "routes[0]: \"10.0.0.0/8\" is a string; a mapping with prefix and optionally weight, from, priority allowed\n"
	  F "12: " P "ike.remote-id: 254 characters; an IP address or an FQDN of at most 253 characters allowed\n"
	  F "12: " P "ike.lifetime: \"1h30m\" is not a duration; 0..86400 seconds, as a number or with unit s, m or h (e.g. 3600, 60m, 1h) allowed\n"
	  F "12: " P "ike.dpd-delay: \"abc\" is not a duration; 1..3600 seconds, as a number or with unit s, m or h (e.g. 3600, 60m, 1h) allowed\n"
	  F "13: " P "ipsec.lifetime: \"99999999s\" is out of range; 0..86400 seconds, as a number or with unit s, m or h (e.g. 3600, 60m, 1h) allowed\n"
	  F "14: gateways[0].connections[1].name: \"dc 1\" contains a space; 1..31 letters, digits, '-', '_' or '.' allowed\n"
	  F "16: gateways[0].connections[2].name: a list; a connection name allowed\n" },
	{ "two-documents",
	  "---\ngateways: []\n---\ngateways: []\n", 0,
	  F "3: YAML syntax: a second document; one document allowed\n" },
	{ "anchor-alias",
	  BASE
	  "            health: &h {dst: 10.0.0.1, src: 10.0.0.2}\n"
	  TUN2
	  "            health: *h\n", 0,
	  F "8: " T0 "health: anchor &h; anchors and aliases are not supported, write the value out\n"
	  F "11: " P "tunnels[1].health: alias *h; anchors and aliases are not supported, write the value out\n" },
	{ "anchor-then-syntax",
	  "gateways: &g []\nfoo: [\n", 0,
	  F "1: gateways: anchor &g; anchors and aliases are not supported, write the value out\n"
	  F "3: YAML syntax: did not find expected node content (while parsing a flow node at line 3); valid YAML allowed\n" },
	{ "tag",
	  BASE "        id: !!int 5\n", 0,
	  F "8: " P "id: tag tag:yaml.org,2002:int; tags are not supported, write the value without one\n" },
	{ "too-deep",
	  "gateways: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", 0,
	  F "1: gateways[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested more than 32 lists and mappings deep; at most 32 levels allowed\n" },
	{ "empty-file", "", 0,
	  F "1: gateways: the file is empty; a mapping with gateways: (a list) required\n" },
	{ "comment-only", "# nothing\n", 0,
	  F "1: gateways: the file is empty; a mapping with gateways: (a list) required\n" },
	{ "root-list", "- gateways: []\n", 0,
	  F "1: (top): a list; at the top, a mapping with gateways: (a list) allowed\n" },
	{ "root-unknown",
	  "gateway: []\ngateways: []\n", 0,
	  F "1: gateway: unknown key; allowed keys: gateways\n" },
	{ "gateways-missing", "foo: 1\n", 0,
	  F "1: foo: unknown key; allowed keys: gateways\n"
	  F "1: gateways: missing; a list of gateways required (gateways: [] for none)\n" },
	{ "gateways-scalar", "gateways: vpngw0\n", 0,
	  F "1: gateways: a string; a list of gateways allowed\n" },
	{ "gateways-null", "gateways:\n", 0,
	  F "1: gateways: no value; a list of gateways allowed\n" },
	{ "duplicate-key",
	  BASE "        name: dc2\n", 0,
	  F "8: " P "name: given twice (first at line 4); each key once allowed\n" },
	{ "nul-in-string",
	  BASE "        ike: {psk: \"ab\\0cd\"}\n", 0,
	  F "8: " P "ike.psk: contains a NUL character; a pre-shared key of 1..100 characters allowed\n" },
	{ "anchor-in-key",
	  "gateways: []\n? [&k a]\n: 1\n", 0,
	  F "2: (top): anchor &k; anchors and aliases are not supported, write the value out\n"
	  F "2: (top): a list as a key; keys are names: gateways\n" },
	{ "mapping-key",
	  BASE "        ? [a]\n        : 1\n", 0,
	  F "8: gateways[0].connections[0]: a list as a key; keys are names: name, id, mode, routing, local-cidr, peer-cidr, enabled, ike, ipsec, tunnels, routes\n" },

	/* ---- gateways ---- */
	{ "gw-name-missing",
	  "gateways:\n  - ecmp-hash: l3\n", 0,
	  F "2: gateways[0].name: missing; the gateway's device name (like vpngw0) required\n" },
	{ "gw-name-long",
	  "gateways:\n  - name: vpngw0123456789x\n", 0,
	  F "2: gateways[0].name: \"vpngw0123456789x\" has 16 characters; a device name of 1..15 characters allowed, without '/', ':', '%' or spaces\n" },
	{ "gw-name-utf8-long",
	  "gateways:\n  - name: \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n", 0,
	  F "2: gateways[0].name: \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\" has 16 bytes in UTF-8; a device name of 1..15 bytes allowed, without '/', ':', '%' or spaces\n" },
	{ "gw-name-colon",
	  "gateways:\n  - name: \"vpn:0\"\n", 0,
	  F "2: gateways[0].name: \"vpn:0\" contains ':'; a device name of 1..15 characters allowed, without '/', ':', '%' or spaces\n" },
	{ "gw-name-dot",
	  "gateways:\n  - name: \"..\"\n", 0,
	  F "2: gateways[0].name: \"..\" is not a device name; a device name of 1..15 characters allowed, other than \".\" and \"..\"\n" },
	{ "gw-duplicate",
	  "gateways:\n  - name: vpngw0\n  - name: vpngw0\n", 0,
	  F "3: gateways[1].name: gateway vpngw0 is already used by gateways[0].name (line 2); gateway names unique allowed\n" },
	{ "gw-settings",
	  "gateways:\n  - name: vpngw0\n    ecmp-hash: l5\n    max-paths: 17\n    colour: red\n", 0,
	  F "3: gateways[0].ecmp-hash: \"l5\"; l3 or l4 allowed\n"
	  F "4: gateways[0].max-paths: 17 is out of range; 1..16 allowed\n"
	  F "5: gateways[0].colour: unknown key; allowed keys: name, ecmp-hash, max-paths, quotas, connections\n" },
	{ "gw-max-paths-quoted",
	  "gateways:\n  - name: vpngw0\n    max-paths: \"16\"\n", 0,
	  F "3: gateways[0].max-paths: \"16\" is quoted, a string; a number 1..16 allowed, unquoted\n" },
	{ "gw-max-paths-word",
	  "gateways:\n  - name: vpngw0\n    max-paths: sixteen\n", 0,
	  F "3: gateways[0].max-paths: \"sixteen\" is not a number; 1..16 allowed\n" },
	{ "gw-quotas",
	  "gateways:\n  - name: vpngw0\n    quotas: {connections: 0, bgp-routes: 1000001, peer-routes: -1, bgp-peers: 8193, policy-routes: 100001, routes: 5}\n", 0,
	  F "3: gateways[0].quotas.routes: unknown key; allowed keys: connections, bgp-routes, peer-routes, bgp-peers, policy-routes\n"
	  F "3: gateways[0].quotas.connections: 0 is out of range; 1..4096 allowed\n"
	  F "3: gateways[0].quotas.bgp-routes: 1000001 is out of range; 1..1000000 allowed\n"
	  F "3: gateways[0].quotas.peer-routes: \"-1\" is not a number; 1..1000000 allowed\n"
	  F "3: gateways[0].quotas.bgp-peers: 8193 is out of range; 1..8192 allowed\n"
	  F "3: gateways[0].quotas.policy-routes: 100001 is out of range; 1..100000 allowed\n" },
	{ "gw-quotas-list",
	  "gateways:\n  - name: vpngw0\n    quotas:\n      - 5\n", 0,
	  F "3: gateways[0].quotas: a list; a mapping of quotas (connections, bgp-routes, peer-routes, bgp-peers, policy-routes) allowed\n" },
	{ "gw-connections-mapping",
	  "gateways:\n  - name: vpngw0\n    connections:\n      name: dc1\n", 0,
	  F "3: gateways[0].connections: a mapping; a list of connections allowed\n" },
	{ "quota-connections",
	  "gateways:\n  - name: vpngw0\n    quotas: {connections: 1}\n    connections:\n"
	  "      - {name: dc1, tunnels: [{ike: none, device: wg1}]}\n"
	  "      - {name: dc2, tunnels: [{ike: none, device: wg2}]}\n", 0,
	  F "6: gateways[0].connections[1]: connection 2 of gateway vpngw0; at most quotas.connections 1 (line 3) allowed\n" },
	{ "quota-policy-routes",
	  "gateways:\n  - name: vpngw0\n    quotas: {policy-routes: 2}\n    connections:\n"
	  "      - name: dc1\n        tunnels: [{ike: none, device: wg1}]\n        routes:\n"
	  "          - {prefix: 10.1.0.0/16, from: 10.9.0.0/16}\n"
	  "          - {prefix: 10.2.0.0/16, from: 10.9.0.0/16}\n"
	  "          - {prefix: 10.3.0.0/16}\n"
	  "      - name: dc2\n        tunnels: [{ike: none, device: wg2}]\n        routes:\n"
	  "          - {prefix: 10.4.0.0/16, from: 10.9.0.0/16}\n", 0,
	  F "14: gateways[0].connections[1].routes[0]: policy route 3 of gateway vpngw0; at most quotas.policy-routes 2 (line 3) allowed\n" },

	/* ---- connections ---- */
	{ "conn-not-mapping",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - dc1\n", 0,
	  F "4: gateways[0].connections[0]: \"dc1\" is a string; a mapping of connection settings (name, tunnels, ...) allowed\n" },
	{ "conn-name-missing",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - tunnels: [{ike: none, device: wg1}]\n", 0,
	  F "4: " P "name: missing; a connection name (1..31 letters, digits, '-', '_' or '.') required\n" },
	{ "conn-name-long",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - name: dc1-0123456789012345678901234567\n        tunnels: [{ike: none, device: wg1}]\n", 0,
	  F "4: " P "name: \"dc1-0123456789012345678901234567\" has 32 characters; 1..31 letters, digits, '-', '_' or '.' allowed\n" },
	{ "conn-name-chars",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - name: dc/1\n        tunnels: [{ike: none, device: wg1}]\n", 0,
	  F "4: " P "name: \"dc/1\" contains '/'; 1..31 letters, digits, '-', '_' or '.' allowed\n" },
	{ "conn-name-utf8",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - name: \"d\xc3\xa9\"\n        tunnels: [{ike: none, device: wg1}]\n", 0,
	  F "4: " P "name: \"d\xc3\xa9\" contains a non-ASCII character; 1..31 letters, digits, '-', '_' or '.' allowed\n" },
	{ "conn-name-control",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - name: \"dc\\t1\"\n        tunnels: [{ike: none, device: \"wg\\t1\"}]\n", 0,
	  F "4: " P "name: \"dc?1\" contains a control character; 1..31 letters, digits, '-', '_' or '.' allowed\n"
	  F "5: " T0 "device: \"wg?1\" contains white space; a device name of 1..15 characters allowed, without '/', ':', '%' or spaces\n" },
	{ "conn-name-null",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - name:\n        tunnels: [{ike: none, device: wg1}]\n", 0,
	  F "4: " P "name: no value; a connection name allowed\n" },
	{ "conn-duplicate-name",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - {name: dc1, tunnels: [{ike: none, device: wg1}]}\n"
	  "  - name: vpngw1\n    connections:\n      - {name: dc1, tunnels: [{ike: none, device: wg2}]}\n", 0,
	  F "7: gateways[1].connections[0].name: connection name dc1 is already used by gateways[0].connections[0].name (line 4); connection names unique across the file allowed\n" },
	{ "conn-id",
	  "gateways:\n  - name: vpngw0\n    connections:\n"
	  "      - {name: dc1, id: 0, tunnels: [{ike: none, device: wg1}]}\n"
	  "      - {name: dc2, id: 4294967296, tunnels: [{ike: none, device: wg2}]}\n"
	  "      - {name: dc3, id: 7, tunnels: [{ike: none, device: wg3}]}\n"
	  "      - {name: dc4, id: 7, tunnels: [{ike: none, device: wg4}]}\n", 0,
	  F "4: " P "id: 0 is out of range; 1..4294967295 allowed\n"
	  F "5: gateways[0].connections[1].id: 4294967296 is out of range; 1..4294967295 allowed\n"
	  F "7: gateways[0].connections[3].id: id 7 is already used by gateways[0].connections[2].id (line 6); ids unique across the file allowed\n" },
	{ "conn-ecmp-one-tunnel",
	  BASE "        mode: ecmp\n", 0,
	  F "8: " P "mode: ecmp with 1 tunnel; ecmp needs 2 tunnels, active-standby allowed with 1\n" },
	{ "conn-mode-bad",
	  BASE "        mode: active-active\n        routing: policy\n        enabled: yes\n", 0,
	  F "8: " P "mode: \"active-active\"; active-standby or ecmp allowed\n"
	  F "9: " P "routing: \"policy\"; destination or flow-protection allowed\n"
	  F "10: " P "enabled: \"yes\" is not a boolean; true or false allowed\n" },
	{ "flow-needs-cidrs",
	  BASE "        routing: flow-protection\n", 0,
	  F "4: " P "local-cidr: missing; with routing: flow-protection, the local CIDR required\n"
	  F "4: " P "peer-cidr: missing; with routing: flow-protection, the peer CIDR required\n" },
	{ "flow-families",
	  BASE "        routing: flow-protection\n        local-cidr: 10.0.0.0/8\n        peer-cidr: 2001:db8::/32\n", 0,
	  F "10: " P "peer-cidr: 2001:db8::/32 is IPv6 and local-cidr 10.0.0.0/8 is IPv4; one family allowed\n" },
	{ "cidrs-without-flow",
	  BASE "        local-cidr: 10.0.0.0/8\n        peer-cidr: 172.16.0.0/12\n", 0,
	  F "8: " P "local-cidr: given with routing destination (the default); allowed only with routing: flow-protection\n"
	  F "9: " P "peer-cidr: given with routing destination (the default); allowed only with routing: flow-protection\n" },
	{ "flow-route-duplicate",
	  BASE "        routing: flow-protection\n        local-cidr: 10.0.0.0/8\n        peer-cidr: 172.16.0.0/12\n"
	  "        routes: [{prefix: 172.16.0.0/12}]\n", 0,
	  F "11: " P "routes[0].prefix: 172.16.0.0/12 is the peer-cidr, which flow protection routes already; each prefix once per connection\n" },

	/* ---- tunnels ---- */
	{ "tunnels-missing",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - name: dc1\n", 0,
	  F "4: " P "tunnels: missing; a list of 1 or 2 tunnels required\n" },
	{ "tunnels-empty",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - name: dc1\n        tunnels: []\n", 0,
	  F "5: " P "tunnels: an empty list; 1 or 2 tunnels allowed\n" },
	{ "tunnels-three",
	  BASE TUN2 "          - {ike: none, device: wg0}\n", 0,
	  F "10: " P "tunnels[2]: a third tunnel; 1 or 2 tunnels allowed\n" },
	{ "tunnels-mapping",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - name: dc1\n        tunnels:\n          local-address: 192.0.2.1\n", 0,
	  F "5: " P "tunnels: a mapping; a list of 1 or 2 tunnels allowed\n" },
	{ "tunnel-addresses-missing",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - name: dc1\n        tunnels:\n          - mtu: 1400\n", 0,
	  F "6: " T0 "local-address: missing; the gateway's underlay address (or ike: none) required\n"
	  F "6: " T0 "remote-address: missing; the peer's underlay address (or ike: none) required\n" },
	{ "tunnel-addresses-bad",
	  "gateways:\n  - name: vpngw0\n    connections:\n      - name: dc1\n        tunnels:\n"
	  "          - {local-address: 192.0.2.0/24, remote-address: 224.0.0.5}\n"
	  "          - {local-address: 192.0.2.1, remote-address: 2001:db8::1}\n"
	  "      - name: dc2\n        tunnels:\n"
	  "          - {local-address: 192.0.2.1, remote-address: 192.0.2.1}\n", 0,
	  F "6: " T0 "local-address: \"192.0.2.0/24\" is not an IPv4 or IPv6 address; an IPv4 or IPv6 host address allowed, e.g. 192.0.2.1 or 2001:db8::1\n"
	  F "6: " T0 "remote-address: \"224.0.0.5\" is not a unicast host address; an IPv4 or IPv6 host address allowed, e.g. 192.0.2.1 or 2001:db8::1\n"
	  F "7: " P "tunnels[1].remote-address: 2001:db8::1 is IPv6 and local-address 192.0.2.1 is IPv4; one family allowed\n"
	  F "10: gateways[0].connections[1].tunnels[0].remote-address: 192.0.2.1 is also local-address; the peer's own address allowed\n" },
	{ "tunnel-device",
	  BASE "            device: \"xfrm 1\"\n" TUN2 "            device: averyveryverylongname\n", 0,
	  F "8: " T0 "device: \"xfrm 1\" contains a space; a device name of 1..15 characters allowed, without '/', ':', '%' or spaces\n"
	  F "11: " P "tunnels[1].device: \"averyveryverylongname\" has 21 characters; a device name of 1..15 characters allowed, without '/', ':', '%' or spaces\n" },
	{ "tunnel-device-duplicate",
	  BASE "            device: xfrm-a\n"
	  "      - name: dc2\n        tunnels:\n          - {local-address: 192.0.2.1, remote-address: 198.51.100.9, device: xfrm-a}\n", 0,
	  F "11: gateways[0].connections[1].tunnels[0].device: device xfrm-a is already used by " T0 "device (line 8); device names unique across the file (gateways included) allowed\n" },
	{ "tunnel-device-is-gateway",
	  BASE "            device: vpngw0\n", 0,
	  F "8: " T0 "device: device vpngw0 is already used by gateways[0].name (line 2); device names unique across the file (gateways included) allowed\n" },
	{ "ike-address-pair-duplicate",
	  BASE "      - name: dc2\n        tunnels:\n"
	  "          - {local-address: 192.0.2.1, remote-address: 198.51.100.1}\n", 0,
	  F "10: gateways[0].connections[1].tunnels[0].remote-address: the address pair 192.0.2.1 to 198.51.100.1 is already used by " T0 "remote-address (line 6); one IKE tunnel per local and remote address pair allowed (charon could not tell their configs and keys apart)\n" },
	{ "if-id-duplicate",
	  BASE "            if-id: 7\n" TUN2 "            if-id: 7\n", 0,
	  F "11: " P "tunnels[1].if-id: if-id 7 is already used by " T0 "if-id (line 8); if-ids unique across the file allowed\n"
	  F "11: " P "tunnels[1].if-id: 7 names the device xfrm7 by default, which is already used by " T0 "if-id (line 8); give device: a free name, or a free if-id\n" },
	{ "if-id-default-device-taken",
	  BASE "            device: xfrm5\n" TUN2 "            if-id: 5\n", 0,
	  F "11: " P "tunnels[1].if-id: 5 names the device xfrm5 by default, which is already used by " T0 "device (line 8); give device: a free name, or a free if-id\n" },
	{ "if-id-range",
	  BASE "            if-id: 0\n" TUN2 "            if-id: 4294967296\n", 0,
	  F "8: " T0 "if-id: 0 is out of range; 1..4294967295 allowed\n"
	  F "11: " P "tunnels[1].if-id: 4294967296 is out of range; 1..4294967295 allowed\n" },
	{ "mtu",
	  BASE "            mtu: 575\n"
	  "          - {local-address: 2001:db8::1, remote-address: 2001:db8::2, mtu: 1279}\n"
	  "      - name: dc2\n        tunnels:\n          - {local-address: 192.0.2.1, remote-address: 198.51.100.3, mtu: 9001}\n", 0,
	  F "8: " T0 "mtu: 575 is out of range; 576..9000 allowed over an IPv4 underlay\n"
	  F "9: " P "tunnels[1].mtu: 1279 is out of range; 1280..9000 allowed over an IPv6 underlay\n"
	  F "12: gateways[0].connections[1].tunnels[0].mtu: 9001 is out of range; 576..9000 allowed over an IPv4 underlay\n" },
	{ "ike-none",
	  BASE "          - ike: none\n            ipsec: {dh-group: 2}\n            if-id: 9\n            mtu: 1400\n"
	  "      - name: dc2\n        tunnels:\n          - {ike: off, device: wg0}\n", 0,
	  F "8: " P "tunnels[1].device: missing; the name of the existing device (ike: none) required\n"
	  F "9: " P "tunnels[1].ipsec: given with ike: none (line 8); ipsec settings allowed only on tunnels with IKE\n"
	  F "10: " P "tunnels[1].if-id: given with ike: none (line 8); if-id allowed only on tunnels vpnrtd creates (with IKE)\n"
	  F "11: " P "tunnels[1].mtu: given with ike: none (line 8); mtu allowed only on tunnels vpnrtd creates (with IKE)\n"
	  F "14: gateways[0].connections[1].tunnels[0].ike: \"off\"; none (an existing device, no IKE) or a mapping of IKE settings allowed\n"
	  F "14: gateways[0].connections[1].tunnels[0].local-address: missing; the gateway's underlay address (or ike: none) required\n"
	  F "14: gateways[0].connections[1].tunnels[0].remote-address: missing; the peer's underlay address (or ike: none) required\n" },
	{ "conn-ike-none",
	  BASE "        ike: none\n", 0,
	  F "8: " P "ike: none is a tunnel's setting; a mapping of IKE settings allowed here (ike: none goes under tunnels)\n" },

	/* ---- health ---- */
	{ "health-missing-addresses",
	  BASE "            health: {interval: 1s}\n", 0,
	  F "8: " T0 "health.dst: missing; the address probed through the tunnel (data-centre side) required\n"
	  F "8: " T0 "health.src: missing; the probes' source address (gateway side) required\n" },
	{ "health-values",
	  BASE "            health:\n              dst: 10.0.0.1\n              src: 2001:db8::1\n"
	  "              interval: 5ms\n              retries: 101\n              rise: 0\n              policy: drop\n"
	  "              probe: icmp\n", 0,
	  F "10: " T0 "health.src: 2001:db8::1 is IPv6 and dst 10.0.0.1 is IPv4; one family allowed\n"
	  F "11: " T0 "health.interval: 5ms is out of range; 10ms..60s allowed\n"
	  F "12: " T0 "health.retries: 101 is out of range; 1..100 allowed\n"
	  F "13: " T0 "health.rise: 0 is out of range; 1..100 allowed\n"
	  F "14: " T0 "health.policy: \"drop\"; revoke-route, reserve-route, revoke_route or reserve_route allowed\n"
	  F "15: " T0 "health.probe: unknown key; allowed keys: dst, src, interval, retries, rise, policy\n" },
	{ "health-interval-forms",
	  BASE "            health: {dst: 10.0.0.1, src: 10.0.0.2, interval: 3}\n"
	  TUN2 "            health: {dst: 10.0.0.1, src: 10.0.0.1, interval: 2 s}\n", 0,
	  F "8: " T0 "health.interval: \"3\" has no unit; write 3ms or 3s (allowed units: ms, s)\n"
	  F "11: " P "tunnels[1].health.src: 10.0.0.1 is also dst; a source other than dst allowed\n"
	  F "11: " P "tunnels[1].health.interval: \"2 s\" is not a duration; expected a number with unit ms or s, e.g. 100ms, 3s or 1.5s\n" },

	/* ---- IKE ---- */
	{ "psk-101",
	  BASE "        ike: {psk: \"" A101 "\"}\n", 0,
	  F "8: " P "ike.psk: 101 characters; 1..100 allowed\n" },
	{ "psk-empty-and-space",
	  BASE TUN2 "            ike: {psk: \"two words\"}\n        ike: {psk: \"\"}\n", 0,
	  F "10: " P "tunnels[1].ike.psk: contains a space; letters, digits and the printable ASCII symbols except '\"' allowed, no spaces\n"
	  F "11: " P "ike.psk: 0 characters; 1..100 allowed\n" },
	{ "psk-characters",
	  BASE TUN2 "            ike: {psk: \"say \\\"hi\\\"\"}\n        ike: {psk: \"caf\xc3\xa9\"}\n", 0,
	  F "10: " P "tunnels[1].ike.psk: contains a space; letters, digits and the printable ASCII symbols except '\"' allowed, no spaces\n"
	  F "11: " P "ike.psk: contains a character other than printable ASCII; letters, digits and the printable ASCII symbols except '\"' allowed, no spaces\n" },
	{ "psk-double-quote",
	  BASE "        ike: {psk: 'a\"b'}\n", 0,
	  F "8: " P "ike.psk: contains '\"'; letters, digits and the printable ASCII symbols except '\"' allowed, no spaces\n" },
	{ "fqdn-edges",
	  BASE TUN2 "            ike: {local-id: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com, remote-id: vpn.example.}\n"
	  "        ike:\n          local-id: host.123\n          remote-id: abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcdefgh.abcd\n", 0,
	  F "10: " P "tunnels[1].ike.local-id: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is neither an IP address nor an FQDN; an IP address or an FQDN (labels of letters, digits and '-', e.g. vpn.example.com) allowed\n"
	  F "10: " P "tunnels[1].ike.remote-id: \"vpn.example.\" is neither an IP address nor an FQDN; an IP address or an FQDN (labels of letters, digits and '-', e.g. vpn.example.com) allowed\n"
	  F "12: " P "ike.local-id: \"host.123\" is neither an IP address nor an FQDN; an IP address or an FQDN (labels of letters, digits and '-', e.g. vpn.example.com) allowed\n"
	  F "13: " P "ike.remote-id: 256 characters; an IP address or an FQDN of at most 253 characters allowed\n" },
	{ "health-types",
	  BASE "            health: on\n" TUN2 "            health:\n", 0,
	  F "8: " T0 "health: \"on\" is a string; a mapping with dst, src, interval, retries, rise, policy allowed\n"
	  F "11: " P "tunnels[1].health: no value; a mapping with dst, src, interval, retries, rise, policy allowed\n" },
	{ "bool-quoted",
	  BASE "        enabled: \"true\"\n", 0,
	  F "8: " P "enabled: \"true\" (quoted) is not a boolean; true or false allowed\n" },
	{ "ike-enums",
	  BASE "        ike:\n          version: ikev3\n          mode: quick\n          encryption: aes512\n"
	  "          integrity: sha3\n          dh-group: 15\n          nat-traversal: maybe\n", 0,
	  F "9: " P "ike.version: \"ikev3\"; ikev1 or ikev2 allowed\n"
	  F "10: " P "ike.mode: \"quick\"; main or aggressive allowed\n"
	  F "11: " P "ike.encryption: \"aes512\"; aes, aes128, aes192, aes256, des or 3des allowed\n"
	  F "12: " P "ike.integrity: \"sha3\"; md5, sha1, sha256, sha384 or sha512 allowed\n"
	  F "13: " P "ike.dh-group: \"15\"; 1, 2, 5 or 14 allowed\n"
	  F "14: " P "ike.nat-traversal: \"maybe\" is not a boolean; true or false allowed\n" },
	{ "ike-dh-disabled",
	  BASE "        ike: {dh-group: disabled}\n        ipsec: {dh-group: 3}\n", 0,
	  F "8: " P "ike.dh-group: \"disabled\": IKE (phase 1) always uses a DH group; 1, 2, 5 or 14 allowed (disabled only under ipsec)\n"
	  F "9: " P "ipsec.dh-group: \"3\"; 1, 2, 5, 14 or disabled allowed\n" },
	{ "lifetimes",
	  BASE TUN2 "            ike: {lifetime: 1500ms}\n            ipsec: {lifetime: 1.5s}\n"
	  "        ike: {lifetime: 86401}\n        ipsec: {lifetime: 25h}\n", 0,
	  F "10: " P "tunnels[1].ike.lifetime: \"1500ms\" is in milliseconds; 0..86400 seconds, as a number or with unit s, m or h (e.g. 3600, 60m, 1h) allowed\n"
	  F "11: " P "tunnels[1].ipsec.lifetime: \"1.5s\" is not a whole number of seconds; 0..86400 seconds, as a number or with unit s, m or h (e.g. 3600, 60m, 1h) allowed\n"
	  F "12: " P "ike.lifetime: 86401 is out of range; 0..86400 allowed\n"
	  F "13: " P "ipsec.lifetime: \"25h\" is out of range; 0..86400 seconds, as a number or with unit s, m or h (e.g. 3600, 60m, 1h) allowed\n" },
	{ "ids",
	  BASE TUN2 "            ike: {local-id: \"vpn example\", remote-id: a..b}\n"
	  "        ike:\n          local-id: -vpn.example.com\n          remote-id: 192.0.2.300\n", 0,
	  F "10: " P "tunnels[1].ike.local-id: \"vpn example\" is neither an IP address nor an FQDN; an IP address or an FQDN (labels of letters, digits and '-', e.g. vpn.example.com) allowed\n"
	  F "10: " P "tunnels[1].ike.remote-id: \"a..b\" is neither an IP address nor an FQDN; an IP address or an FQDN (labels of letters, digits and '-', e.g. vpn.example.com) allowed\n"
	  F "12: " P "ike.local-id: \"-vpn.example.com\" is neither an IP address nor an FQDN; an IP address or an FQDN (labels of letters, digits and '-', e.g. vpn.example.com) allowed\n"
	  F "13: " P "ike.remote-id: \"192.0.2.300\" is neither an IP address nor an FQDN; an IP address or an FQDN (labels of letters, digits and '-', e.g. vpn.example.com) allowed\n" },
	{ "aggressive-ikev2",
	  BASE TUN2 "        ike: {mode: aggressive}\n", 0,
	  /* two tunnels share the key: one message */
	  F "10: " P "ike.mode: aggressive needs version ikev1, and the version is ikev2 (the default); main allowed with ikev2\n" },
	{ "aggressive-tunnel-override",
	  BASE "            ike: {version: ikev2}\n" TUN2 "        ike: {version: ikev1, mode: aggressive}\n", 0,
	  /* only tunnel 1 breaks the rule, by its own version */
	  F "8: " T0 "ike.version: ikev2 with mode aggressive (line 11); ikev1 allowed with mode aggressive\n" },
	{ "aggressive-in-tunnel",
	  BASE "            ike: {mode: aggressive}\n", 0,
	  F "8: " T0 "ike.mode: aggressive needs version ikev1, and the version is ikev2 (the default); main allowed with ikev2\n" },
	{ "dpd-timeout-not-above",
	  BASE "        ike:\n          version: ikev1\n          dpd-timeout: 10\n", 0,
	  F "10: " P "ike.dpd-timeout: 10 is not above dpd-delay 10 (the default); with ikev1 a dpd-timeout above dpd-delay allowed\n" },
	{ "dpd-delay-not-below",
	  BASE "        ike:\n          version: ikev1\n          dpd-delay: 30\n", 0,
	  F "10: " P "ike.dpd-delay: 30 is not below dpd-timeout 30 (the default); with ikev1 a dpd-delay below dpd-timeout allowed\n" },
	{ "dpd-tunnel-override",
	  BASE "            ike: {version: ikev1}\n" TUN2 "        ike: {dpd-delay: 40}\n", 0,
	  F "8: " T0 "ike.version: ikev1 with dpd-timeout 30 (the default) not above dpd-delay 40 (line 11); with ikev1 a dpd-timeout above dpd-delay allowed\n" },
	{ "dpd-timeout-ikev2",
	  BASE "        ike: {dpd-timeout: 60}\n", 0,
	  F "8: " P "ike.dpd-timeout: IKEv1 only, and the version is ikev2 (the default); dpd-timeout allowed with version ikev1 only\n" },
	{ "dpd-timeout-tunnel-ikev2",
	  BASE "            ike: {version: ikev2, dpd-timeout: 20}\n        ike: {version: ikev1, dpd-timeout: 60}\n", 0,
	  F "8: " T0 "ike.dpd-timeout: IKEv1 only, and the version is ikev2 (line 8); dpd-timeout allowed with version ikev1 only\n" },
	{ "dpd-timeout-same-mapping",
	  BASE "        ike:\n          dpd-timeout: 60\n          version: ikev2\n", 0,
	  F "10: " P "ike.version: ikev2 with dpd-timeout (line 9), which is IKEv1 only; ikev1 allowed with dpd-timeout\n" },
	{ "dpd-ranges",
	  BASE "        ike: {dpd-delay: 0, dpd: on}\n", 0,
	  F "8: " P "ike.dpd: \"on\" is not a boolean; true or false allowed\n"
	  F "8: " P "ike.dpd-delay: 0 is out of range; 1..3600 allowed\n" },
	{ "ike-wrong-types",
	  BASE TUN2 "            ike: {unknown: 1}\n        ike: [version, ikev2]\n        ipsec: strong\n", 0,
	  F "10: " P "tunnels[1].ike.unknown: unknown key; allowed keys: version, mode, psk, local-id, remote-id, encryption, integrity, dh-group, lifetime, dpd, dpd-delay, dpd-timeout, nat-traversal, initiate\n"
	  F "11: " P "ike: a list; a mapping of IKE settings allowed\n"
	  F "12: " P "ipsec: \"strong\" is a string; a mapping of IPsec (phase 2) settings allowed\n" },

	/* ---- routes ---- */
	{ "routes-values",
	  BASE "        routes:\n"
	  "          - prefix: 10.0.0.1/8\n"
	  "          - {prefix: 10.0.0.0/40}\n"
	  "          - {prefix: ten}\n"
	  "          - {weight: 100}\n"
	  "          - {prefix: 10.1.0.0/16, weight: 50}\n"
	  "          - {prefix: 10.2.0.0/16, priority: 5}\n"
	  "          - {prefix: 10.3.0.0/16, from: 10.9.0.0/16, priority: 0}\n"
	  "          - {prefix: 10.4.0.0/16, from: 2001:db8::/32}\n"
	  "          - {prefix: 10.5.0.0/16, via: 10.0.0.1}\n", 0,
	  F "9: " P "routes[0].prefix: \"10.0.0.1/8\" has host bits set; did you mean 10.0.0.0/8?\n"
	  F "10: " P "routes[1].prefix: prefix length in \"10.0.0.0/40\" must be 0..32; a prefix like 10.0.0.0/8 or 2001:db8::/32 allowed\n"
	  F "11: " P "routes[2].prefix: \"ten\" is not a prefix; expected ADDRESS/LENGTH, e.g. 10.0.0.0/8 or 2001:db8::/32\n"
	  F "12: " P "routes[3].prefix: missing; the destination prefix required\n"
	  F "13: " P "routes[4].weight: 50; 100 (active) or 0 (standby) allowed\n"
	  F "14: " P "routes[5].priority: given without from; priority allowed only on policy routes (with from:)\n"
	  F "15: " P "routes[6].priority: 0 is out of range; 1..100 allowed\n"
	  F "16: " P "routes[7].from: 2001:db8::/32 is IPv6 and prefix 10.4.0.0/16 is IPv4; one family allowed\n"
	  F "17: " P "routes[8].via: unknown key; allowed keys: prefix, weight, from, priority\n" },
	{ "routes-duplicates",
	  BASE "        routes:\n"
	  "          - {prefix: 10.0.0.0/8}\n"
	  "          - {prefix: 10.0.0.0/8, from: 192.168.0.0/16}\n"
	  "          - {prefix: 10.0.0.0/8, weight: 0}\n"
	  "          - {prefix: 10.0.0.0/8, from: 192.168.0.0/16, priority: 3}\n"
	  "          - {prefix: 10.0.0.0/8, from: 192.168.1.0/24}\n"
	  "          - {prefix: 10.0.0.0/8}\n", 0,
	  F "11: " P "routes[2]: a route to 10.0.0.0/8, as routes[0] (line 9); each prefix once per connection (weight 0 makes a standby on another connection)\n"
	  F "12: " P "routes[3]: a policy route to 10.0.0.0/8 from 192.168.0.0/16, as routes[1] (line 10); each destination and source pair once per connection\n"
	  F "14: " P "routes[5]: a route to 10.0.0.0/8, as routes[0] (line 9); each prefix once per connection (weight 0 makes a standby on another connection)\n" },
	{ "routes-wrong-type",
	  BASE "        routes: 10.0.0.0/8\n", 0,
	  F "8: " P "routes: a string; a list of routes allowed\n" },

	/* ---- several errors in one file, reported in file order ---- */
	{ "many",
	  "gateways:\n"					/* 1 */
	  "  - name: vpngw0\n"				/* 2 */
	  "    max-paths: 0\n"				/* 3 */
	  "    connections:\n"				/* 4 */
	  "      - name: dc1\n"				/* 5 */
	  "        id: 1\n"				/* 6 */
	  "        ike: {mode: aggressive}\n"		/* 7 */
	  "        tunnels:\n"				/* 8 */
	  "          - local-address: 192.0.2.1\n"	/* 9 */
	  "            remote-address: 198.51.100.1\n"	/* 10 */
	  "            if-id: 7\n"			/* 11 */
	  "      - name: dc1\n"				/* 12 */
	  "        id: 1\n"				/* 13 */
	  "        tunnels:\n"				/* 14 */
	  "          - local-address: 192.0.2.1\n"	/* 15 */
	  "            remote-address: 198.51.100.2\n"	/* 16 */
	  "            if-id: 7\n"			/* 17 */
	  "            device: xfrm7\n"			/* 18 */
	  "  - name: vpngw0\n"				/* 19 */
	  "    bogus: true\n", 0,			/* 20 */
	  F "3: gateways[0].max-paths: 0 is out of range; 1..16 allowed\n"
	  F "7: " P "ike.mode: aggressive needs version ikev1, and the version is ikev2 (the default); main allowed with ikev2\n"
	  F "12: gateways[0].connections[1].name: connection name dc1 is already used by gateways[0].connections[0].name (line 5); connection names unique across the file allowed\n"
	  F "13: gateways[0].connections[1].id: id 1 is already used by gateways[0].connections[0].id (line 6); ids unique across the file allowed\n"
	  F "17: gateways[0].connections[1].tunnels[0].if-id: if-id 7 is already used by " T0 "if-id (line 11); if-ids unique across the file allowed\n"
	  F "18: gateways[0].connections[1].tunnels[0].device: device xfrm7 is already used by " T0 "if-id (line 11); device names unique across the file (gateways included) allowed\n"
	  F "19: gateways[1].name: gateway vpngw0 is already used by gateways[0].name (line 2); gateway names unique allowed\n"
	  F "20: gateways[1].bogus: unknown key; allowed keys: name, ecmp-hash, max-paths, quotas, connections\n" },
};

static void write_seed(const char *name, const char *buf, size_t len)
{
	const char *dir = getenv("CFG_CORPUS_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(buf, 1, len, f);
	fclose(f);
}

/* errs joined, each message ending in \n; the caller frees */
static char *joined(const struct cfg_errors *e)
{
	size_t n = 1, o = 0;
	char *s;
	int i;

	for (i = 0; i < e->n; i++)
		n += strlen(e->msg[i]) + 1;
	s = malloc(n);
	if (!s)
		abort();
	for (i = 0; i < e->n; i++)
		o += (size_t)sprintf(s + o, "%s\n", e->msg[i]);
	s[o] = '\0';
	return s;
}

static void test_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad *b = &bad[i];
		size_t len = b->len ? b->len : strlen(b->yaml);
		struct cfg_errors e = { 0 };
		struct cfg *c = (struct cfg *)1;
		char seed[96];
		char *got;
		int r;

		snprintf(seed, sizeof(seed), "bad-%s", b->name);
		write_seed(seed, b->yaml, len);
		r = cfg_load_buf("t.yaml", b->yaml, len, &c, &e);
		got = joined(&e);
		TAP_CHECK(r == -1 && !c, "bad %s: refused, no config", b->name);
		TAP_STREQ(got, b->want, "bad %s: messages", b->name);
		free(got);
		cfg_errors_free(&e);
	}
}

/* load a good buffer; NULL (and the errors shown) if refused */
static struct cfg *good(const char *name, const char *yaml)
{
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	int r, i;

	write_seed(name, yaml, strlen(yaml));
	r = cfg_load_buf("good.yaml", yaml, strlen(yaml), &c, &e);
	TAP_CHECK(r == 0 && c && e.n == 0, "good %s: loads", name);
	for (i = 0; i < e.n; i++)
		printf("#   %s\n", e.msg[i]);
	cfg_errors_free(&e);
	return r ? NULL : c;
}

static int pfx_is(const struct prefix *p, const char *want)
{
	char buf[PREFIX_STRLEN];

	return !strcmp(format_prefix(p, false, buf, sizeof(buf)), want);
}

static void test_defaults(void)
{
	struct cfg *c = good("good-minimal", BASE);
	const struct cfg_gw *g;
	const struct cfg_conn *cn;
	const struct cfg_tunnel *t;
	const struct cfg_ike *k;

	if (!c) {
		TAP_CHECK(0, "defaults: no config to check");
		return;
	}
	TAP_STREQ(c->file, "good.yaml", "the file name is kept");
	TAP_CHECK(c->n_gws == 1, "one gateway");
	g = &c->gws[0];
	TAP_STREQ(g->name, "vpngw0", "gateway name");
	TAP_CHECK(g->line == 2, "gateway line 2 (got %d)", g->line);
	TAP_CHECK(g->ecmp_hash == VPNRT_HASH_L4, "ecmp-hash defaults to l4");
	TAP_CHECK(g->max_paths == 16, "max-paths defaults to 16");
	TAP_CHECK(g->quotas.connections == 50 && g->quotas.bgp_routes == 50 &&
		  g->quotas.peer_routes == 100 && g->quotas.bgp_peers == 8 &&
		  g->quotas.policy_routes == 100,
		  "quotas default to 50, 50, 100, 8, 100");
	TAP_CHECK(g->n_conns == 1, "one connection");
	cn = &g->conns[0];
	TAP_STREQ(cn->name, "dc1", "connection name");
	TAP_CHECK(cn->line == 4, "connection line 4 (got %d)", cn->line);
	TAP_CHECK(cn->id == 0, "no id: 0, the kernel picks");
	TAP_CHECK(cn->mode == VPNRT_MODE_ACTIVE_STANDBY, "mode defaults to active-standby");
	TAP_CHECK(cn->routing == VPNRT_ROUTING_DESTINATION, "routing defaults to destination");
	TAP_CHECK(cn->enabled, "enabled defaults to true");
	TAP_CHECK(cn->n_routes == 0 && !cn->routes, "no routes");
	TAP_CHECK(cn->n_tunnels == 1, "one tunnel");
	t = &cn->tunnels[0];
	TAP_CHECK(t->line == 6, "tunnel line 6 (got %d)", t->line);
	TAP_CHECK(pfx_is(&t->local, "192.0.2.1/32") && pfx_is(&t->remote, "198.51.100.1/32"),
		  "underlay addresses");
	TAP_CHECK(t->if_id == 1 && !t->if_id_given, "if-id defaults to 1 (no id, nothing taken)");
	TAP_STREQ(t->device, "xfrm1", "device defaults to xfrm<if-id>");
	TAP_CHECK(!t->device_given, "device not given");
	TAP_CHECK(t->mtu == 0, "mtu 0: derived");
	TAP_CHECK(!t->ike_none, "IKE-managed");
	TAP_CHECK(!t->health.enabled, "no health check");
	k = &t->ike;
	TAP_CHECK(k->version == 2 && !k->aggressive, "ikev2, main mode");
	TAP_CHECK(k->psk_generated && !k->psk[0], "no psk: generated by the daemon");
	TAP_CHECK(!k->local_id[0] && !k->remote_id[0], "ids default to the addresses (empty)");
	TAP_CHECK(k->ike.encr == CFG_ENCR_AES && k->ike.integ == CFG_INTEG_SHA1 &&
		  k->ike.dh_group == 2 && k->ike.lifetime == 86400,
		  "IKE proposal aes, sha1, group 2, 86400 s");
	TAP_CHECK(k->ipsec.encr == CFG_ENCR_AES && k->ipsec.integ == CFG_INTEG_SHA1 &&
		  k->ipsec.dh_group == 2 && k->ipsec.lifetime == 86400,
		  "IPsec proposal aes, sha1, group 2, 86400 s");
	TAP_CHECK(k->dpd && k->dpd_delay == 10 && k->dpd_timeout == 30,
		  "dpd on, delay 10, timeout 30");
	TAP_CHECK(k->nat_traversal && k->initiate, "nat-traversal and initiate on");
	TAP_CHECK(cfg_find_gw(c, "vpngw0") == g && !cfg_find_gw(c, "vpngw1"), "cfg_find_gw");
	g = NULL;
	TAP_CHECK(cfg_find_conn(c, "dc1", &g) == cn && g == &c->gws[0] &&
		  !cfg_find_conn(c, "dc2", NULL), "cfg_find_conn");
	cfg_free(c);

	c = good("good-empty", "gateways: []\n");
	TAP_CHECK(c && c->n_gws == 0, "gateways: [] is an empty config");
	cfg_free(c);
	c = good("good-no-conns", "gateways:\n  - name: vpngw0\n    connections: []\n  - name: vpngw1\n");
	TAP_CHECK(c && c->n_gws == 2 && c->gws[0].n_conns == 0 && c->gws[1].n_conns == 0,
		  "gateways without connections");
	cfg_free(c);
}

static void test_overrides(void)
{
	struct cfg *c = good("good-overrides",
		"gateways:\n"
		"  - name: vpngw0\n"
		"    ecmp-hash: l3\n"
		"    max-paths: 4\n"
		"    quotas: {connections: 3, bgp-routes: 1, peer-routes: 2, bgp-peers: 3, policy-routes: 4}\n"
		"    connections:\n"
		"      - name: dc1\n"
		"        id: 7\n"
		"        mode: ecmp\n"
		"        enabled: false\n"
		"        ike:\n"
		"          version: ikev1\n"
		"          mode: aggressive\n"
		"          psk: \"K~`!@#$%^&*()_-+={}[]\\\\|;:',.<>/?\"\n"
		"          local-id: vpn.example.com\n"
		"          remote-id: 2001:db8::9\n"
		"          encryption: aes256\n"
		"          integrity: sha512\n"
		"          dh-group: 14\n"
		"          lifetime: 8h\n"
		"          dpd: false\n"
		"          dpd-delay: 5\n"
		"          dpd-timeout: 1m\n"
		"          nat-traversal: false\n"
		"          initiate: False\n"
		"        ipsec: {encryption: 3des, integrity: md5, dh-group: disabled, lifetime: 30m}\n"
		"        tunnels:\n"
		"          - local-address: 192.0.2.1\n"
		"            remote-address: 198.51.100.1\n"
		"          - local-address: 2001:db8::1\n"
		"            remote-address: 2001:db8::2\n"
		"            mtu: 1280\n"
		"            ike: {version: ikev2, mode: main, psk: other, encryption: des, dpd-delay: 7, lifetime: 0}\n"
		"            ipsec: {dh-group: 5, lifetime: 3600s}\n"
		"            health: {dst: 2001:db8:1::1, src: 2001:db8:2::1, interval: 1.5s, retries: 5, rise: 2, policy: reserve_route}\n"
		"        routes:\n"
		"          - {prefix: 10.0.0.0/8}\n"
		"          - {prefix: 10.1.0.0/16, weight: 0}\n"
		"          - {prefix: 2001:db8:9::/48, from: 2001:db8:8::/48}\n"
		"          - {prefix: 10.2.0.0/16, from: 192.168.0.0/16, priority: 1, weight: 0}\n"
		"          - {prefix: 10.2.0.0/16, from: 192.168.1.0/24}\n");
	const struct cfg_conn *cn;
	const struct cfg_ike *a, *b;
	const struct cfg_route *r;

	if (!c) {
		TAP_CHECK(0, "overrides: no config to check");
		return;
	}
	TAP_CHECK(c->gws[0].ecmp_hash == VPNRT_HASH_L3 && c->gws[0].max_paths == 4, "l3, 4 paths");
	TAP_CHECK(c->gws[0].quotas.connections == 3 && c->gws[0].quotas.bgp_routes == 1 &&
		  c->gws[0].quotas.peer_routes == 2 && c->gws[0].quotas.bgp_peers == 3 &&
		  c->gws[0].quotas.policy_routes == 4, "quotas as given");
	cn = &c->gws[0].conns[0];
	TAP_CHECK(cn->id == 7 && cn->mode == VPNRT_MODE_ECMP && !cn->enabled, "id 7, ecmp, disabled");
	a = &cn->tunnels[0].ike;
	b = &cn->tunnels[1].ike;
	/* tunnel 1: the connection's settings */
	TAP_CHECK(a->version == 1 && a->aggressive, "t1: ikev1 aggressive");
	TAP_STREQ(a->psk, "K~`!@#$%^&*()_-+={}[]\\|;:',.<>/?", "t1: the connection's psk, every symbol");
	TAP_CHECK(!a->psk_generated, "t1: psk given");
	TAP_STREQ(a->local_id, "vpn.example.com", "t1: local-id");
	TAP_STREQ(a->remote_id, "2001:db8::9", "t1: remote-id");
	TAP_CHECK(a->ike.encr == CFG_ENCR_AES256 && a->ike.integ == CFG_INTEG_SHA512 &&
		  a->ike.dh_group == 14 && a->ike.lifetime == 28800, "t1: IKE aes256 sha512 14 8h");
	TAP_CHECK(a->ipsec.encr == CFG_ENCR_3DES && a->ipsec.integ == CFG_INTEG_MD5 &&
		  a->ipsec.dh_group == 0 && a->ipsec.lifetime == 1800,
		  "t1: IPsec 3des md5, PFS disabled (0), 30m");
	TAP_CHECK(!a->dpd && a->dpd_delay == 5 && a->dpd_timeout == 60, "t1: dpd off, 5, 1m");
	TAP_CHECK(!a->nat_traversal && !a->initiate, "t1: no NAT-T, no initiate");
	/* tunnel 2: its own keys over the connection's */
	TAP_CHECK(b->version == 2 && !b->aggressive, "t2: ikev2 main (overridden)");
	TAP_STREQ(b->psk, "other", "t2: own psk");
	TAP_STREQ(b->local_id, "vpn.example.com", "t2: local-id inherited");
	TAP_CHECK(b->ike.encr == CFG_ENCR_DES && b->ike.integ == CFG_INTEG_SHA512 &&
		  b->ike.dh_group == 14 && b->ike.lifetime == 0,
		  "t2: IKE des (own), sha512 and 14 (inherited), lifetime 0 (own)");
	TAP_CHECK(b->ipsec.encr == CFG_ENCR_3DES && b->ipsec.dh_group == 5 &&
		  b->ipsec.lifetime == 3600, "t2: IPsec 3des inherited, group 5 and 3600s own");
	TAP_CHECK(b->dpd_delay == 7 && b->dpd_timeout == 60 && !b->dpd,
		  "t2: own dpd-delay; the connection's dpd-timeout, unused under its own ikev2");
	TAP_CHECK(cn->tunnels[1].mtu == 1280, "t2: mtu 1280 over IPv6");
	TAP_CHECK(cn->tunnels[1].health.enabled && cn->tunnels[1].health.interval_ms == 1500 &&
		  cn->tunnels[1].health.retries == 5 && cn->tunnels[1].health.rise == 2 &&
		  cn->tunnels[1].health.policy == VPNRT_HEALTH_RESERVE_ROUTE &&
		  pfx_is(&cn->tunnels[1].health.dst, "2001:db8:1::1/128") &&
		  pfx_is(&cn->tunnels[1].health.src, "2001:db8:2::1/128"),
		  "t2: health as given");
	TAP_CHECK(cn->tunnels[0].if_id == 701 && cn->tunnels[1].if_id == 702,
		  "if-ids default to 100 * id + position");
	TAP_STREQ(cn->tunnels[1].device, "xfrm702", "device xfrm702");
	TAP_CHECK(cn->n_routes == 5, "five routes");
	r = cn->routes;
	TAP_CHECK(!r[0].policy && r[0].weight == 100 && pfx_is(&r[0].dst, "10.0.0.0/8") &&
		  r[0].line == 37, "route 1: static, weight 100, line 37");
	TAP_CHECK(!r[1].policy && r[1].weight == 0, "route 2: standby");
	TAP_CHECK(r[2].policy && r[2].priority == 10 && r[2].weight == 100 &&
		  pfx_is(&r[2].src, "2001:db8:8::/48"), "route 3: policy, priority 10 by default");
	TAP_CHECK(r[3].policy && r[3].priority == 1 && r[3].weight == 0, "route 4: priority 1, weight 0");
	TAP_CHECK(r[4].policy && pfx_is(&r[4].src, "192.168.1.0/24"),
		  "route 5: same destination, other source: not a duplicate");
	cfg_free(c);

	c = good("good-health-defaults",
		 BASE "            health: {dst: 10.0.0.1, src: 10.0.0.2}\n"
		 "        routing: flow-protection\n        local-cidr: 10.10.0.0/16\n        peer-cidr: 172.16.0.0/12\n"
		 "        ike: {lifetime: 3600, dpd: True, nat-traversal: TRUE, initiate: true}\n"
		 "        ipsec: {lifetime: 0}\n");
	if (c) {
		const struct cfg_health *h = &c->gws[0].conns[0].tunnels[0].health;

		TAP_CHECK(h->enabled && h->interval_ms == 3000 && h->retries == 3 && h->rise == 1 &&
			  h->policy == VPNRT_HEALTH_REVOKE_ROUTE,
			  "health defaults: 3s, 3 retries, rise 1, revoke-route");
		cn = &c->gws[0].conns[0];
		TAP_CHECK(cn->routing == VPNRT_ROUTING_FLOW && pfx_is(&cn->local_cidr, "10.10.0.0/16") &&
			  pfx_is(&cn->peer_cidr, "172.16.0.0/12"), "flow protection CIDRs");
		TAP_CHECK(cn->tunnels[0].ike.ike.lifetime == 3600 && cn->tunnels[0].ike.ipsec.lifetime == 0,
			  "lifetimes 3600 and 0");
		TAP_CHECK(cn->tunnels[0].ike.dpd && cn->tunnels[0].ike.nat_traversal &&
			  cn->tunnels[0].ike.initiate, "True, TRUE and true are true");
	}
	cfg_free(c);
}

/* defaulted if-ids: 100 * id + position, else the lowest free number */
static void test_if_ids(void)
{
	struct cfg *c = good("good-if-ids",
		"gateways:\n"
		"  - name: vpngw0\n"
		"    connections:\n"
		"      - name: a\n"
		"        id: 1\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.1}\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.2, if-id: 7}\n"
		"      - name: b\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.3}\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.4}\n"
		"      - name: c\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.5, if-id: 1}\n"
		"      - name: d\n"
		"        id: 2\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.6}\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.7, device: tun-d}\n"
		"      - name: e\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.8, if-id: 201}\n"
		"          - {ike: none, device: xfrm4}\n"
		"  - name: vpngw1\n"
		"    connections:\n"
		"      - name: f\n"
		"        id: 42949672\n"
		"        tunnels:\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.9}\n"
		"          - {local-address: 192.0.2.1, remote-address: 198.51.100.10}\n");
	const struct cfg_gw *g;

	if (!c) {
		TAP_CHECK(0, "if-ids: no config to check");
		return;
	}
	g = &c->gws[0];
	TAP_CHECK(g->conns[0].tunnels[0].if_id == 101, "a.1: 101 (id 1)");
	TAP_CHECK(g->conns[0].tunnels[1].if_id == 7 && g->conns[0].tunnels[1].if_id_given, "a.2: 7 given");
	TAP_STREQ(g->conns[0].tunnels[1].device, "xfrm7", "a.2: device xfrm7");
	TAP_CHECK(g->conns[1].tunnels[0].if_id == 2 && g->conns[1].tunnels[1].if_id == 3,
		  "b: no id: 2 and 3 (1 is c's)");
	TAP_CHECK(g->conns[2].tunnels[0].if_id == 1, "c: 1 given");
	TAP_CHECK(g->conns[3].tunnels[0].if_id == 5,
		  "d.1: 201 is e's, so the lowest free number whose xfrm name is free: 5 (xfrm4 is e's)");
	TAP_STREQ(g->conns[3].tunnels[0].device, "xfrm5", "d.1: device xfrm5");
	TAP_CHECK(g->conns[3].tunnels[1].if_id == 202, "d.2: 202 (id 2)");
	TAP_STREQ(g->conns[3].tunnels[1].device, "tun-d", "d.2: its own device name");
	TAP_CHECK(g->conns[4].tunnels[1].ike_none && g->conns[4].tunnels[1].if_id == 0,
		  "e.2: ike none has no if-id");
	TAP_STREQ(g->conns[4].tunnels[1].device, "xfrm4", "e.2: its device");
	g = &c->gws[1];
	TAP_CHECK(g->conns[0].tunnels[0].if_id == 4294967201u && g->conns[0].tunnels[1].if_id == 4294967202u,
		  "f: 100 * 42949672 + 1 and + 2");
	cfg_free(c);

	c = good("good-if-ids-big-id",
		 "gateways:\n  - name: vpngw0\n    connections:\n      - name: a\n        id: 42949673\n"
		 "        tunnels: [{local-address: 192.0.2.1, remote-address: 198.51.100.1}]\n");
	TAP_CHECK(c && c->gws[0].conns[0].tunnels[0].if_id == 1,
		  "an id too big for 100 * id + 1: the lowest free number");
	cfg_free(c);
}

/* n connections of two tunnels each, named c0, c1, ... */
static char *conns_file(int n)
{
	char *buf = malloc(64 + (size_t)n * 200);
	size_t o;
	int i;

	if (!buf)
		abort();
	o = (size_t)sprintf(buf, "gateways:\n  - name: vpngw0\n    connections:\n");
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(buf + o,
				     "      - name: c%d\n        tunnels:\n"
				     "          - {local-address: 192.0.2.1, remote-address: 198.51.%d.1}\n"
				     "          - {local-address: 192.0.2.1, remote-address: 198.51.%d.2}\n",
				     i, i, i);
	return buf;
}

static void test_many_conns(void)
{
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	char *buf = conns_file(50);
	bool ok = true;
	int i, r;

	r = cfg_load_buf("t.yaml", buf, strlen(buf), &c, &e);
	TAP_CHECK(r == 0 && c && c->gws[0].n_conns == 50, "50 connections load (the default quota)");
	for (i = 0; c && i < 50; i++) {
		char dev[IFNAMSIZ];

		snprintf(dev, sizeof(dev), "xfrm%d", 2 * i + 2);
		ok = ok && c->gws[0].conns[i].tunnels[0].if_id == (uint32_t)(2 * i + 1) &&
		     c->gws[0].conns[i].tunnels[1].if_id == (uint32_t)(2 * i + 2) &&
		     !strcmp(c->gws[0].conns[i].tunnels[1].device, dev);
	}
	TAP_CHECK(c && ok, "100 tunnels without ids: if-ids 1..100 in file order, devices xfrm1..xfrm100");
	cfg_free(c);
	cfg_errors_free(&e);
	free(buf);

	buf = conns_file(51);
	r = cfg_load_buf("t.yaml", buf, strlen(buf), &c, &e);
	TAP_CHECK(r == -1 && e.n == 1, "51 connections refused");
	if (e.n == 1)
		TAP_STREQ(e.msg[0], "t.yaml:204: gateways[0].connections[50]: connection 51 of gateway vpngw0; at most quotas.connections 50 (the default) allowed",
			  "51 connections: the message");
	cfg_errors_free(&e);
	free(buf);
}

static void test_many_routes(void)
{
	size_t n = CFG_MAX_ROUTES + 1, len = strlen(BASE) + 16 + n * 40, o;
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	char *buf = malloc(len);
	size_t i;
	int r;

	if (!buf)
		abort();
	o = (size_t)sprintf(buf, "%s        routes:\n", BASE);
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(buf + o, "          - {prefix: %zu.%zu.%zu.0/24}\n",
				     1 + i / 65536, (i / 256) % 256, i % 256);
	r = cfg_load_buf("t.yaml", buf, o, &c, &e);
	TAP_CHECK(r == -1 && e.n == 1, "100001 routes: one error (got %d)", e.n);
	if (e.n)
		TAP_STREQ(e.msg[0],
			  "t.yaml:100009: " P "routes[100000]: route 100001 of connection dc1; at most 100000 routes per connection allowed",
			  "100001 routes: the message");
	cfg_errors_free(&e);
	r = cfg_load_buf("t.yaml", buf, o - strlen("          - {prefix: 1.134.160.0/24}\n"), &c, &e);
	TAP_CHECK(r == 0 && c && c->gws[0].conns[0].n_routes == CFG_MAX_ROUTES,
		  "100000 routes load");
	cfg_free(c);
	cfg_errors_free(&e);

	/* 100000 copies of one route: each names the first, in linear time */
	o = (size_t)sprintf(buf, "%s        routes:\n", BASE);
	for (i = 0; i < CFG_MAX_ROUTES; i++)
		o += (size_t)sprintf(buf + o, "          - {prefix: 10.0.0.0/8}\n");
	r = cfg_load_buf("t.yaml", buf, o, &c, &e);
	TAP_CHECK(r == -1 && e.n == 10000, "100000 equal routes: 10000 messages (got %d)", e.n);
	if (e.n == 10000) {
		TAP_STREQ(e.msg[9998],
			  "t.yaml:10008: " P "routes[9999]: a route to 10.0.0.0/8, as routes[0] (line 9); each prefix once per connection (weight 0 makes a standby on another connection)",
			  "the 9999th duplicate names the first");
		TAP_STREQ(e.msg[9999], "t.yaml: 90000 more errors not shown; fix the ones above first",
			  "and the count of the rest");
	}
	cfg_errors_free(&e);
	free(buf);
}

static void test_limits(void)
{
	size_t big = (4u << 20) + 1;
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	char *buf = malloc(big);
	int r;

	if (!buf)
		abort();
	memset(buf, '#', big);
	r = cfg_load_buf("t.yaml", buf, big, &c, &e);
	TAP_CHECK(r == -1 && !c && e.n == 1, "4 MiB + 1 refused");
	if (e.n)
		TAP_STREQ(e.msg[0], "t.yaml: 4194305 bytes; at most 4194304 (4 MiB) allowed",
			  "size message");
	cfg_errors_free(&e);
	free(buf);

	r = cfg_load("/nonexistent/vpnrtd.yaml", &c, &e);
	TAP_CHECK(r == -1 && !c && e.n == 1, "a missing file is an error");
	if (e.n)
		TAP_STREQ(e.msg[0],
			  "/nonexistent/vpnrtd.yaml: cannot open: No such file or directory; a readable YAML file required",
			  "missing file message");
	cfg_errors_free(&e);
	r = cfg_load("/", &c, &e);
	TAP_CHECK(r == -1 && e.n == 1 && strstr(e.msg[0], "/: "), "a directory is refused");
	cfg_errors_free(&e);

	r = cfg_load_buf("null.yaml", NULL, 0, &c, &e);
	TAP_CHECK(r == -1 && e.n == 1 && !strcmp(e.msg[0],
		  "null.yaml:1: gateways: the file is empty; a mapping with gateways: (a list) required"),
		  "no buffer at all: an empty file");
	cfg_errors_free(&e);

	/* errors append to what errs holds */
	cfg_load_buf("a.yaml", "gateways: 1\n", 12, &c, &e);
	cfg_load_buf("b.yaml", "gateways: 2\n", 12, &c, &e);
	TAP_CHECK(e.n == 2 && !strncmp(e.msg[0], "a.yaml:1:", 9) && !strncmp(e.msg[1], "b.yaml:1:", 9),
		  "errors of two loads append");
	cfg_errors_free(&e);
	TAP_CHECK(e.n == 0 && !e.msg, "cfg_errors_free empties");
}

/* more than 10000 errors: the first 9999 and how many more */
static void test_error_cap(void)
{
	size_t n = 10050, o, i;
	struct cfg_errors e = { 0 };
	struct cfg *c = NULL;
	char *buf = malloc(64 + n * 24);
	int r;

	if (!buf)
		abort();
	o = (size_t)sprintf(buf, "gateways:\n  - name: vpngw0\n");
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(buf + o, "    k%zu: 1\n", i);
	r = cfg_load_buf("t.yaml", buf, o, &c, &e);
	TAP_CHECK(r == -1 && e.n == 10000, "10050 errors: 10000 messages (got %d)", e.n);
	if (e.n == 10000) {
		TAP_STREQ(e.msg[9998], "t.yaml:10001: gateways[0].k9998: unknown key; allowed keys: name, ecmp-hash, max-paths, quotas, connections",
			  "the last error shown");
		TAP_STREQ(e.msg[9999], "t.yaml: 51 more errors not shown; fix the ones above first",
			  "then how many more");
	}
	cfg_errors_free(&e);
	free(buf);
}

static void test_names(void)
{
	static const char *const encr[] = { "aes", "aes128", "aes192", "aes256", "des", "3des" };
	static const char *const integ[] = { "md5", "sha1", "sha256", "sha384", "sha512" };
	unsigned int i;

	for (i = 0; i < 6; i++)
		TAP_STREQ(cfg_encr_name((uint8_t)i), encr[i], "cfg_encr_name(%u)", i);
	for (i = 0; i < 5; i++)
		TAP_STREQ(cfg_integ_name((uint8_t)i), integ[i], "cfg_integ_name(%u)", i);
	TAP_STREQ(cfg_encr_name(6), "?", "cfg_encr_name out of range");
	TAP_STREQ(cfg_integ_name(5), "?", "cfg_integ_name out of range");
}

static void test_example(void)
{
	const char *env = getenv("VPNRTD_EXAMPLE");
	const char *const tries[] = {
		env, "../Documentation/examples/vpnrtd.yaml",
		"Documentation/examples/vpnrtd.yaml",
	};
	const char *path = NULL;
	struct cfg_errors e = { 0 };
	const struct cfg_conn *dc1, *dc2;
	struct cfg *c = NULL;
	unsigned int i;
	FILE *f;
	int r;

	for (i = 0; i < 3 && !path; i++) {
		if (!tries[i])
			continue;
		f = fopen(tries[i], "r");
		if (f) {
			fclose(f);
			path = tries[i];
		}
		if (env)
			break;	/* given: that file or nothing */
	}
	TAP_CHECK(path, "the example is found (VPNRTD_EXAMPLE or Documentation/examples/vpnrtd.yaml)");
	if (!path)
		return;
	r = cfg_load(path, &c, &e);
	TAP_CHECK(r == 0 && c, "the example loads cleanly");
	for (i = 0; i < (unsigned int)e.n; i++)
		printf("#   %s\n", e.msg[i]);
	cfg_errors_free(&e);
	if (!c)
		return;
	dc1 = cfg_find_conn(c, "dc1", NULL);
	dc2 = cfg_find_conn(c, "dc2", NULL);
	TAP_CHECK(c->n_gws == 1 && c->gws[0].n_conns == 2 && dc1 && dc2, "example: one gateway, dc1, dc2");
	if (dc1 && dc2) {
		TAP_CHECK(dc1->n_tunnels == 2 && dc1->mode == VPNRT_MODE_ACTIVE_STANDBY &&
			  dc1->tunnels[0].health.enabled && dc1->tunnels[1].health.enabled,
			  "example: dc1 two tunnels, active-standby, health checks");
		TAP_STREQ(dc1->tunnels[1].ike.remote_id, "cgw2.dc1.example.com",
			  "example: dc1 tunnel 2 overrides remote-id");
		TAP_CHECK(!dc1->tunnels[0].ike.remote_id[0], "example: dc1 tunnel 1 keeps the default id");
		TAP_CHECK(dc2->routing == VPNRT_ROUTING_FLOW && dc2->tunnels[1].ike_none,
			  "example: dc2 flow protection with an ike: none tunnel");
		TAP_STREQ(dc2->tunnels[1].device, "wg-dc2", "example: the WireGuard device");
		TAP_CHECK(dc2->tunnels[0].ike.version == 1 && dc2->tunnels[0].ike.aggressive &&
			  dc2->tunnels[0].ike.ipsec.dh_group == 0,
			  "example: dc2 IKEv1 aggressive, no PFS");
	}
	cfg_free(c);
}

int main(void)
{
	test_bad();
	test_defaults();
	test_overrides();
	test_if_ids();
	test_many_conns();
	test_many_routes();
	test_limits();
	test_error_cap();
	test_names();
	test_example();
	return tap_done();
}
