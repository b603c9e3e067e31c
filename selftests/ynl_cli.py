#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
The ynl CLI of Linux 6.12 (tools/net/ynl/cli.py), run unchanged, with three
things its library cannot do yet added to it:

* encode an indexed-array of nests (vpnrt's routes and tunnels): give a
  list of objects, element K (1-based) becomes a nest of type K;
* name an attribute inside an indexed-array in an extack's "bad-attr"
  (6.12 raises "Can't dive into ..." and loses the error message);
* --subscribe together with --do: 6.12 reads the events on the request's
  socket, and an event before the ack makes it crash (op is None); here
  events go to a socket of their own, read after the request.

    [VPNRT_YNL=<dir of cli.py>] ynl_cli.py --spec ... --do ... --json ...

VPNRT_YNL defaults to the one in the tree scripts/ynl-setup prints.
"""
import os
import socket
import struct
import subprocess
import sys

ynl_dir = os.environ.get('VPNRT_YNL')
if not ynl_dir:
    setup = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         '..', 'scripts', 'ynl-setup')
    tree = subprocess.check_output([setup, '--check'], text=True).strip()
    ynl_dir = os.path.join(tree, 'tools', 'net', 'ynl')
    if os.path.exists(os.path.join(ynl_dir, 'pyynl', 'cli.py')):
        ynl_dir = os.path.join(ynl_dir, 'pyynl')
sys.path.insert(0, ynl_dir)

import cli                                       # noqa: E402
from lib import YnlFamily, Netlink               # noqa: E402
from lib.ynl import NlAttrs, SpaceAttrs          # noqa: E402

_add_attr = YnlFamily._add_attr


def add_attr(self, space, name, value, search_attrs):
    attr = self.attr_sets[space].attrs.get(name)
    if attr is None or attr['type'] != 'indexed-array' or \
       attr.get('sub-type') != 'nest':
        return _add_attr(self, space, name, value, search_attrs)
    sub_space = attr['nested-attributes']
    payload = b''
    for idx, item in enumerate(value, 1):
        sub_attrs = SpaceAttrs(self.attr_sets[sub_space], item, search_attrs)
        inner = b''.join(self._add_attr(sub_space, k, v, sub_attrs)
                         for k, v in item.items())
        payload += struct.pack('HH', len(inner) + 4,
                               idx | Netlink.NLA_F_NESTED) + inner
    return struct.pack('HH', len(payload) + 4,
                       attr.value | Netlink.NLA_F_NESTED) + payload


def decode_extack_path(self, attrs, attr_set, offset, target):
    """6.12's walk to the attribute an extack points at, plus arrays"""
    for attr in attrs:
        spec = attr_set.attrs_by_val.get(attr.type)
        if spec is None:
            return None
        if offset == target:
            return '.' + spec.name
        if offset + attr.full_len <= target:
            offset += attr.full_len
            continue
        if spec['type'] == 'nest':
            sub = self._decode_extack_path(
                NlAttrs(attr.raw), self.attr_sets[spec['nested-attributes']],
                offset + 4, target)
            return None if sub is None else '.' + spec.name + sub
        if spec['type'] != 'indexed-array' or spec['sub-type'] != 'nest':
            return None
        offset += 4
        for elem in NlAttrs(attr.raw):
            where = f'.{spec.name}[{elem.type}]'
            if offset == target:
                return where
            if offset + elem.full_len > target:
                sub = self._decode_extack_path(
                    NlAttrs(elem.raw),
                    self.attr_sets[spec['nested-attributes']],
                    offset + 4, target)
                return None if sub is None else where + sub
            offset += elem.full_len
        return None
    return None


def ntf_subscribe(self, mcast_name):
    mcast_id = self.nlproto.get_mcast_id(mcast_name, self.mcast_groups)
    self.ntf_sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  self.nlproto.proto_num)
    self.ntf_sock.bind((0, 0))
    self.ntf_sock.setsockopt(Netlink.SOL_NETLINK,
                             Netlink.NETLINK_ADD_MEMBERSHIP, mcast_id)


_check_ntf = YnlFamily.check_ntf


def check_ntf(self):
    sock, self.sock = self.sock, getattr(self, 'ntf_sock', self.sock)
    try:
        _check_ntf(self)
    finally:
        self.sock = sock


YnlFamily._add_attr = add_attr
YnlFamily._decode_extack_path = decode_extack_path
YnlFamily.ntf_subscribe = ntf_subscribe
YnlFamily.check_ntf = check_ntf

if __name__ == '__main__':
    cli.main()
