#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bgp_craft.py: a minimal raw BGP-4 speaker that sends crafted (malformed)
messages from a table and reports how the peer reacted.

One process runs a whole table (process starts are dear in the guest):

    bgp_craft.py --peer 169.254.10.1 --local-as 65001 \\
                 --table selftests/bgp7606.table [--bind ADDR] [--listen] \\
                 [--md5 KEY]

It opens a session (OPEN with 4-octet AS, multiprotocol IPv4 and IPv6
unicast, route refresh and enhanced route refresh; KEEPALIVEs), then for
each case sends the case's message(s) and watches the peer:

  reset C/S   a NOTIFICATION with code C, subcode S (then the close)
  closed      the connection closed without a NOTIFICATION
  up          the session is still up: a ROUTE-REFRESH was answered with
              an End-of-Route-Refresh (RFC 7313), or, without enhanced
              route refresh, a KEEPALIVE came from the peer after ours
  timeout     none of these before --timeout

and reconnects when the case ended the session. Each case prints a TAP
line, and with --json a JSON line as well, e.g.

  ok 3 - origin-length-2: up (expect treat-as-withdraw)

--emit-hex FILE writes every case's message(s) as hex with a fixed
context (our address 192.0.2.1, the peer's 192.0.2.254, AS 65001, 4-octet
AS) for userspace/tests/test_bgp7606.c. Every wait has a timeout. Python
3.11 standard library only (tomllib for the table).
"""

import argparse
import ipaddress
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time
import tomllib

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5

# well-formed attributes by name, as hex with placeholders
STD_ATTRS = {
    "origin": "400101 00",
    "as_path": "4002{aspath_len} 0201{as}",
    "next_hop": "400304 {nh4}",
    "med": "800404 00000064",
    "local_pref": "400504 00000064",
    "atomic": "400600",
    "aggregator": "c007{aggr_len} {as}{nh4}",
    "communities": "c00804 fde80001",
    "large": "c0200c 0000fde8 00000001 00000002",
    "mp_reach6": "800e1e 0002 01 10 {nh6} 00 {pfx6}",
    "mp_unreach6": "800f{unreach6_len} 0002 01 {pfx6}",
}
# the flags of each known type, for table attributes that give none
STD_FLAGS = {1: 0x40, 2: 0x40, 3: 0x40, 4: 0x80, 5: 0x40, 6: 0x40, 7: 0xC0,
             8: 0xC0, 9: 0x80, 10: 0x80, 14: 0x80, 15: 0x80, 16: 0xC0,
             17: 0xC0, 18: 0xC0, 25: 0xC0, 32: 0xC0, 35: 0xC0}
DEFAULT_ATTRS = ["origin", "as_path", "next_hop"]
EXPECT_WORDS = ("ok", "attribute-discard", "treat-as-withdraw", "af-disable",
                "session-reset")


class CaseError(Exception):
    pass


def nlri(pfx):
    net = ipaddress.ip_network(pfx, strict=False)
    nb = (net.prefixlen + 7) // 8
    return bytes([net.prefixlen]) + net.network_address.packed[:nb]


class Ctx:
    """What placeholders expand to."""

    def __init__(self, local4, peer4, local_as, as4, index):
        self.local4 = local4
        self.peer4 = peer4
        self.local_as = local_as
        self.as4 = as4
        self.index = index

    @property
    def pfx(self):
        return "10.76.%d.0/24" % self.index

    @property
    def pfx6(self):
        return "2001:db8:76:%x::/64" % self.index

    def asbytes(self):
        if self.as4:
            return struct.pack("!I", self.local_as)
        return struct.pack("!H", self.local_as if self.local_as < 65536
                           else 23456)

    def subst(self, text):
        a = self.asbytes()
        p6 = nlri(self.pfx6)
        vals = {
            "nh4": ipaddress.IPv4Address(self.local4).packed.hex(),
            "peer4": ipaddress.IPv4Address(self.peer4).packed.hex(),
            "nh6": ipaddress.IPv6Address("2001:db8::1").packed.hex(),
            "as": a.hex(),
            "as4": struct.pack("!I", self.local_as).hex(),
            "as2": struct.pack("!H", self.local_as if self.local_as < 65536
                               else 23456).hex(),
            "aspath_len": "%02x" % (2 + len(a)),
            "aggr_len": "%02x" % (len(a) + 4),
            "pfx": nlri(self.pfx).hex(),
            "pfx6": p6.hex(),
            "unreach6_len": "%02x" % (3 + len(p6)),
        }
        try:
            return text.format(**vals)
        except (KeyError, IndexError, ValueError) as e:
            raise CaseError("bad placeholder in %r: %s" % (text, e))

    def prefix(self, text):
        """A prefix of a list: {pfx} and {pfx6} are the case's own."""
        return text.replace("{pfx}", self.pfx).replace("{pfx6}", self.pfx6)

    def hexbytes(self, text):
        s = "".join(self.subst(text).split())
        try:
            return bytes.fromhex(s)
        except ValueError as e:
            raise CaseError("bad hex %r: %s" % (s, e))


def header(body, mtype, length=None, marker=MARKER):
    if length is None:
        length = 19 + len(body)
    return marker + struct.pack("!HB", length, mtype) + body


def enc_attr(ctx, a):
    if isinstance(a, str):
        if a not in STD_ATTRS:
            raise CaseError("unknown attribute name %r" % a)
        return ctx.hexbytes(STD_ATTRS[a])
    if "raw" in a:
        return ctx.hexbytes(a["raw"])
    t = a["type"]
    flags = a.get("flags", STD_FLAGS.get(t, 0xC0))
    val = ctx.hexbytes(a.get("hex", ""))
    ln = a.get("len", len(val))
    if a.get("extlen", False) or flags & 0x10 or ln > 255:
        flags |= 0x10
        return struct.pack("!BBH", flags, t, ln) + val
    return struct.pack("!BBB", flags, t, ln) + val


def enc_update(ctx, c):
    """An UPDATE from a case (or a sub-message) description."""
    if "raw" in c:
        return ctx.hexbytes(c["raw"])
    if "withdrawn_hex" in c:
        wd = ctx.hexbytes(c["withdrawn_hex"])
    else:
        wd = b"".join(nlri(ctx.prefix(p)) for p in c.get("withdrawn", []))
    if "attrs_hex" in c:
        at = ctx.hexbytes(c["attrs_hex"])
    else:
        at = b"".join(enc_attr(ctx, a) for a in c.get("attrs", DEFAULT_ATTRS))
    if "nlri_hex" in c:
        nl = ctx.hexbytes(c["nlri_hex"])
    else:
        nl = b"".join(nlri(ctx.prefix(p)) for p in c.get("nlri", ["{pfx}"]))
    body = (struct.pack("!H", c.get("withdrawn_len", len(wd))) + wd +
            struct.pack("!H", c.get("attrs_len", len(at))) + at + nl)
    return header(body, c.get("type", UPDATE), c.get("length"),
                  ctx.hexbytes(c["marker"]) if "marker" in c else MARKER)


def enc_open(local_as, hold, rid, as4=True, families=(1, 2)):
    caps = b""
    for afi in families:
        caps += struct.pack("!BBHBB", 1, 4, afi, 0, 1)
    caps += b"\x02\x00"                       # route refresh
    caps += b"\x46\x00"                       # enhanced route refresh
    if as4:
        caps += struct.pack("!BBI", 65, 4, local_as)
    opt = struct.pack("!BB", 2, len(caps)) + caps
    my_as = local_as if local_as < 65536 else 23456
    body = struct.pack("!BHH4sB", 4, my_as, hold,
                       ipaddress.IPv4Address(rid).packed, len(opt)) + opt
    return header(body, OPEN)


def case_messages(ctx, c):
    """[(role, bytes)]: role "pre" (well-formed, before) or "case"."""
    out = []
    pre = c.get("pre")
    if pre in (True, "v4"):
        out.append(("pre", enc_update(ctx, {})))
    elif pre == "v6":
        out.append(("pre", enc_update(ctx, {"attrs": ["mp_reach6", "origin",
                                                      "as_path"],
                                             "nlri": []})))
    kind = c.get("kind", "update")
    if kind == "open":
        out.append(("open", header(ctx.hexbytes(c["body"]), OPEN)
                    if "body" in c else ctx.hexbytes(c["raw"])))
    elif kind == "body":
        out.append(("case", header(ctx.hexbytes(c["body"]),
                                   c.get("type", UPDATE), c.get("length"))))
    else:
        out.append(("case", enc_update(ctx, c)))
    return out


def parse_expect(s):
    """"session-reset 3/1" -> ("session-reset", (3, 1))."""
    w = s.split()
    # the wire outcomes are accepted too: "up", "reset C/S"
    if w and w[0] == "up":
        w[0] = "ok"
    elif w and w[0] == "reset":
        w[0] = "session-reset"
    if not w or w[0] not in EXPECT_WORDS:
        raise CaseError("bad expectation %r" % s)
    notif = None
    if len(w) > 1:
        c, _, sc = w[1].partition("/")
        notif = (int(c), int(sc))
    if w[0] in ("session-reset",) and notif is None:
        raise CaseError("%r needs code/subcode" % s)
    return w[0], notif


def load_table(path):
    with open(path, "rb") as f:
        t = tomllib.load(f)
    cases = t.get("case", [])
    names = set()
    for i, c in enumerate(cases, 1):
        for k in ("name", "rfc", "expect"):
            if k not in c:
                raise CaseError("case %d: no %s" % (i, k))
        if c["name"] in names:
            raise CaseError("case %d: duplicate name %s" % (i, c["name"]))
        names.add(c["name"])
        parse_expect(c["expect"])
        for k in ("vpnrtd", "bird"):
            if k in c:
                parse_expect(c[k])
    return cases


# ---- the emitted vectors for the unit test ----

EMIT_LOCAL4, EMIT_PEER4, EMIT_AS = "192.0.2.1", "192.0.2.254", 65001


def emit_hex(cases, path, table):
    lines = ["# generated by selftests/helpers/bgp_craft.py --emit-hex "
             "from selftests/%s: do not edit" % os.path.basename(table),
             "# the context: our address 192.0.2.254, the peer (the tool) "
             "192.0.2.1, peer AS 65001, eBGP, 4-octet AS, IPv4+IPv6",
             "# NAME SESSION ROLE EXPECT NOTIF HEX (SESSION as4: both sent "
             "the 4-octet AS capability, as2: not; EXPECT: vpnrtd's "
             "decision; ROLE pre: well-formed, ok)"]
    for i, c in enumerate(cases, 1):
        sess = c.get("session", "as4")
        ctx = Ctx(EMIT_LOCAL4, EMIT_PEER4, EMIT_AS, sess == "as4", i)
        word, notif = parse_expect(c.get("vpnrtd", c["expect"]))
        for role, msg in case_messages(ctx, c):
            if role == "pre":
                e, n = "ok", "-"
            else:
                e, n = word, ("%d/%d" % notif if notif else "-")
            lines.append("%s %s %s %s %s %s" % (c["name"], sess, role, e, n,
                                                msg.hex()))
    data = "\n".join(lines) + "\n"
    if path == "-":
        sys.stdout.write(data)
    else:
        with open(path, "w") as f:
            f.write(data)


# ---- the session ----

class Closed(Exception):
    pass


TCP_MD5SIG = 14


def set_md5(s, peer, key):
    """RFC 2385 for the peer's address: struct tcp_md5sig of linux/tcp.h
    (sockaddr_storage, flags, prefixlen, keylen, ifindex, key[80])."""
    k = key.encode()
    if len(k) > 80:
        raise Closed("MD5 key longer than 80 bytes")
    if ":" in peer:
        sa = struct.pack("=H", socket.AF_INET6) + struct.pack(
            "!HI16sI", 0, 0, socket.inet_pton(socket.AF_INET6, peer), 0)
    else:
        sa = struct.pack("=H", socket.AF_INET) + struct.pack(
            "!H4s", 0, socket.inet_aton(peer))
    sa = sa.ljust(128, b"\0")
    s.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG,
                 sa + struct.pack("=BBHI", 0, 0, len(k), 0) + k.ljust(80, b"\0"))


class Peer:
    def __init__(self, args):
        self.a = args
        self.sock = None
        self.buf = b""
        self.as4 = False
        self.err = False
        self.rr = False
        self.local4 = args.bind or "0.0.0.0"
        self.peer4 = args.peer
        self.lsock = None
        self.hold = args.hold
        self.mode = "as4"
        self.heard = False
        self.nprobe = 0
        self.afis = [1]

    def log(self, msg):
        if self.a.verbose:
            print("# %s" % msg, flush=True)

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""

    def cease(self):
        """Ends a session that is up: Cease, Administrative Reset."""
        try:
            self.send(header(b"\x06\x04", NOTIFICATION))
        except Closed:
            pass
        self.close()

    def tcp(self, deadline):
        """A TCP connection to (or from) the peer, retried until deadline."""
        self.close()
        fam = socket.AF_INET6 if ":" in self.a.peer else socket.AF_INET
        last = None
        while time.monotonic() < deadline:
            if self.a.listen:
                if not self.lsock:
                    self.lsock = socket.socket(fam, socket.SOCK_STREAM)
                    self.lsock.setsockopt(socket.SOL_SOCKET,
                                          socket.SO_REUSEADDR, 1)
                    if self.a.md5:
                        set_md5(self.lsock, self.a.peer, self.a.md5)
                    self.lsock.bind((self.a.bind or "", self.a.port))
                    self.lsock.listen(4)
                r, _, _ = select.select([self.lsock], [], [],
                                        max(0, deadline - time.monotonic()))
                if not r:
                    break
                s, addr = self.lsock.accept()
                if addr[0] != self.a.peer:
                    s.close()
                    continue
            else:
                s = socket.socket(fam, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if self.a.md5:
                    set_md5(s, self.a.peer, self.a.md5)
                if self.a.bind:
                    s.bind((self.a.bind, 0))
                s.settimeout(max(0.1, min(2.0, deadline - time.monotonic())))
                try:
                    s.connect((self.a.peer, self.a.port))
                except OSError as e:
                    last = e
                    s.close()
                    time.sleep(min(0.3, max(0, deadline - time.monotonic())))
                    continue
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.setblocking(False)
            self.sock = s
            self.local4 = s.getsockname()[0]
            return
        raise Closed("no TCP connection to %s:%d (%s)" %
                     (self.a.peer, self.a.port, last or "timeout"))

    def send(self, data):
        try:
            self.sock.setblocking(True)
            self.sock.settimeout(self.a.timeout)
            self.sock.sendall(data)
        except OSError as e:
            raise Closed("send: %s" % e)
        finally:
            if self.sock:
                self.sock.setblocking(False)

    def recv(self, deadline):
        """One message (type, body) or None at the deadline; Closed on EOF."""
        while True:
            if len(self.buf) >= 19:
                ln, t = struct.unpack("!HB", self.buf[16:19])
                if ln < 19:
                    raise Closed("peer sent a message of length %d" % ln)
                if len(self.buf) >= ln:
                    m, self.buf = self.buf[:ln], self.buf[ln:]
                    return t, m[19:]
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            try:
                d = self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as e:
                raise Closed("recv: %s" % e)
            if not d:
                raise Closed("EOF")
            self.heard = True
            self.buf += d

    def open_session(self, deadline, first=None):
        """TCP, OPENs, KEEPALIVEs, tried again until deadline (a peer that
        has just reset a session may refuse or close new connections for a
        while). With first (crafted OPEN bytes) sends that instead, once,
        and returns the peer's reaction as an outcome string."""
        while True:
            try:
                return self._open_session(deadline, first)
            except Closed as e:
                self.close()
                if first is not None and (self.heard or
                                          time.monotonic() + 0.5 >= deadline):
                    return "closed"
                if time.monotonic() + 0.5 >= deadline:
                    raise Closed("no session: %s" % e)
                self.log("opening: %s; again" % e)
                time.sleep(0.5)

    def _open_session(self, deadline, first):
        self.heard = False      # anything from the peer on this connection
        self.tcp(deadline)
        self.send(first if first is not None else
                  enc_open(self.a.local_as, self.a.hold, self.a.router_id,
                           as4=self.mode == "as4"))
        got_open = False
        while True:
            m = self.recv(deadline)
            if m is None:
                if first is not None:
                    return "timeout"
                raise Closed("no session before the timeout")
            t, b = m
            if t == NOTIFICATION:
                if first is not None:
                    return "reset %d/%d" % (b[0], b[1]) if len(b) >= 2 \
                        else "reset ?"
                raise Closed("NOTIFICATION %s while opening" % b.hex())
            if t == OPEN and not got_open:
                got_open = True
                self.parse_open(b)
                self.send(header(b"", KEEPALIVE))
            elif t == KEEPALIVE and got_open:
                if first is not None:
                    return "up"
                self.log("established: as4=%s enhanced-rr=%s rr=%s afis=%s" %
                         (self.as4, self.err, self.rr, self.afis))
                return "up"

    def parse_open(self, b):
        self.as4 = self.err = self.rr = False
        afis = set()
        hold = struct.unpack("!H", b[3:5])[0]
        self.hold = min(self.a.hold, hold) if hold else 0
        opt = b[10:10 + b[9]]
        i = 0
        while i + 2 <= len(opt):
            pt, pl = opt[i], opt[i + 1]
            pv = opt[i + 2:i + 2 + pl]
            i += 2 + pl
            if pt != 2:
                continue
            j = 0
            while j + 2 <= len(pv):
                cc, cl = pv[j], pv[j + 1]
                if cc == 1 and cl == 4 and pv[j + 5] == 1:
                    afis.add(struct.unpack("!H", pv[j + 2:j + 4])[0])
                if cc == 65:
                    self.as4 = True
                elif cc == 70:
                    self.err = True
                elif cc in (2, 128):
                    self.rr = True
                j += 2 + cl
        self.as4 = self.as4 and self.mode == "as4"   # both sides sent it
        # no multiprotocol capability: IPv4 unicast only (RFC 4760)
        self.afis = sorted(afis & {1, 2}) or [1]

    def probe(self, deadline):
        """After a case: "up", "reset C/S", "closed" or "timeout"."""
        try:
            # a peer that has reset the session answers these with a TCP
            # RST; its NOTIFICATION is still to be read
            # probes alternate between the families (each End-of-Route-
            # Refresh names its AFI), so that a late answer to the
            # previous probe is not taken for this one's
            self.nprobe += 1
            afi = self.afis[self.nprobe % len(self.afis)]
            try:
                if self.rr:
                    self.send(header(struct.pack("!HBB", afi, 0, 1),
                                     ROUTE_REFRESH))
                self.send(header(b"", KEEPALIVE))
            except Closed as e:
                self.log("probe: %s" % e)
            while True:
                m = self.recv(deadline)
                if m is None:
                    return "timeout"
                t, b = m
                self.log("probe: got type %d %s" % (t, b[:4].hex()))
                if t == NOTIFICATION:
                    self.close()
                    return ("reset %d/%d" % (b[0], b[1]) if len(b) >= 2
                            else "reset ?")
                if (t == ROUTE_REFRESH and len(b) >= 4 and b[2] == 2 and
                        struct.unpack("!H", b[:2])[0] == afi):
                    return "up"                       # End-of-Route-Refresh
                if t == KEEPALIVE and not self.err:
                    return "up"
        except Closed:
            self.close()
            return "closed"


def verdict(outcome, expect):
    word, notif = parse_expect(expect)
    if word == "session-reset":
        return outcome == "reset %d/%d" % notif
    if word == "af-disable":
        return outcome == "up" or (notif is not None and
                                   outcome == "reset %d/%d" % notif)
    return outcome == "up"


def run(args, cases):
    p = Peer(args)
    total_fail = 0
    sel = [c for c in cases
           if not args.only or c["name"] in args.only.split(",")]
    print("1..%d" % len(sel), flush=True)
    n = 0
    for i, c in enumerate(cases, 1):
        if c not in sel:
            continue
        n += 1
        key = args.expect_key
        expect = c.get(key, c["expect"]) if key != "expect" else c["expect"]
        t0 = time.monotonic()
        outcome, err = "error", ""
        try:
            if p.sock is not None and p.mode != c.get("session", "as4"):
                p.cease()
            p.mode = c.get("session", "as4")
            if c.get("kind") != "open" and p.sock is None:
                p.open_session(t0 + args.connect_timeout)
            ctx = Ctx(args.next_hop or p.local4, args.peer_ip4 or p.peer4,
                      args.local_as, p.as4, i)
            msgs = case_messages(ctx, c)
            for role, m in msgs:
                if role == "open":
                    p.close()
                    outcome = p.open_session(t0 + args.connect_timeout, m)
                    p.close()
                else:
                    p.send(m)
                    if role == "pre":
                        # the route is in before the case: a probe round
                        o = p.probe(time.monotonic() + args.timeout)
                        if o != "up":
                            raise Closed("the well-formed announcement "
                                         "before the case got %s" % o)
            if msgs[-1][0] != "open":
                outcome = p.probe(time.monotonic() + args.timeout)
        except (Closed, OSError, CaseError, ValueError) as e:
            err = str(e)
            p.close()
        ok = verdict(outcome, expect)
        check = ""
        if args.after_case:
            if p.sock is not None:
                # the peer's hold timer starts again before the command
                try:
                    p.send(header(b"", KEEPALIVE))
                except Closed:
                    pass
            env = dict(os.environ, BGP7606_CASE=c["name"],
                       BGP7606_PREFIX=Ctx("0.0.0.0", "0.0.0.0", 0, True,
                                          i).pfx,
                       BGP7606_PREFIX6=Ctx("0.0.0.0", "0.0.0.0", 0, True,
                                           i).pfx6,
                       BGP7606_OUTCOME=outcome, BGP7606_EXPECT=expect)
            try:
                check = subprocess.run(args.after_case, shell=True, env=env,
                                       capture_output=True, text=True,
                                       timeout=args.timeout + 5
                                       ).stdout.strip()
                check = " | ".join(check.splitlines())   # one line
            except subprocess.TimeoutExpired:
                check = "after-case timed out"
        if not ok:
            total_fail += 1
        dt = time.monotonic() - t0
        line = "%s %d - %s: %s (%s %s)%s" % (
            "ok" if ok else "not ok", n, c["name"], outcome, key, expect,
            " [%s]" % check if check else "")
        print(line, flush=True)
        if err:
            print("#   %s" % err, flush=True)
        if args.json:
            print(json.dumps({"case": c["name"], "index": i,
                              "outcome": outcome, "expect": expect,
                              "ok": ok, "check": check, "error": err,
                              "rfc": c["rfc"], "seconds": round(dt, 3),
                              "prefix": Ctx("0.0.0.0", "0.0.0.0", 0, True,
                                            i).pfx}), flush=True)
        if outcome != "up":
            p.close()
    if p.sock is not None:
        p.cease()
    print("# %d passed, %d failed" % (n - total_fail, total_fail), flush=True)
    return 1 if total_fail else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--table", required=True)
    ap.add_argument("--peer", help="the peer's address")
    ap.add_argument("--port", type=int, default=179)
    ap.add_argument("--bind", help="our address")
    ap.add_argument("--listen", action="store_true",
                    help="wait for the peer to connect instead")
    ap.add_argument("--md5", help="TCP MD5 (RFC 2385) key")
    ap.add_argument("--local-as", type=int, default=65001)
    ap.add_argument("--router-id", default="192.0.2.1")
    ap.add_argument("--hold", type=int, default=9)
    ap.add_argument("--next-hop", help="IPv4 address for {nh4} (default: "
                    "our address; needed over IPv6)")
    ap.add_argument("--peer-ip4", help="IPv4 address for {peer4} (default: "
                    "the peer's address; needed over IPv6)")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds to wait for the peer's reaction to a case")
    ap.add_argument("--connect-timeout", type=float, default=20.0,
                    help="seconds to (re)establish the session")
    ap.add_argument("--expect-key", default="vpnrtd",
                    help="table key with the expectation checked "
                         "(vpnrtd: the codec's, falling back to expect; "
                         "expect: the RFC's; bird: BIRD's)")
    ap.add_argument("--only", help="comma-separated case names")
    ap.add_argument("--after-case", help="shell command run after each case "
                    "with BGP7606_CASE, _PREFIX, _PREFIX6, _OUTCOME, _EXPECT; "
                    "its output goes in the result")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--emit-hex", metavar="FILE")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    try:
        cases = load_table(args.table)
        if args.emit_hex:
            emit_hex(cases, args.emit_hex, args.table)
            return 0
    except (CaseError, tomllib.TOMLDecodeError, OSError) as e:
        print("bgp_craft.py: %s: %s" % (args.table, e), file=sys.stderr)
        return 2
    if not args.peer:
        ap.error("--peer is needed")
    return run(args, cases)


if __name__ == "__main__":
    sys.exit(main())
