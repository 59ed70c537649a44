#!/usr/bin/env python3
"""flood.py - send a bounded flood of datagrams to a collector on loopback,
most of them malformed, and say how many valid records were in it.

    flood.py PORT COUNT SEED

Kinds, in a seeded random order (so a run can be repeated):
  valid     IPFIX, observation domain 1: the template and a data set of
            1..8 records (v4 5-tuple, octets, packets, start/end ms)
  random    random bytes, 0..300 of them (first byte never 0: never a
            known version by accident)
  short     a valid datagram cut inside its header
  bomb      IPFIX templates with random ids (256..65535) in a random
            domain other than 1, as many as fit
  setlen    a valid datagram whose data set length runs past the end
  varlen    a template with a variable-length field and a record whose
            length byte runs past its set
Prints "valid_records N datagrams N" and the count of each kind.
"""
import random
import socket
import struct
import sys
import time

port, count, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
now = int(time.time())


def ipfix(domain, sets):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), now, 1, domain) + body


def set_(sid, body):
    return struct.pack("!HH", sid, 4 + len(body)) + body


TMPL = set_(2, struct.pack("!HH", 256, 9) + struct.pack(
    "!18H", 8, 4, 12, 4, 7, 2, 11, 2, 4, 1, 1, 8, 2, 8, 152, 8, 153, 8))


def record(i):
    return (struct.pack("!BBBB", 10, 1, (i >> 8) & 255, i & 255) +
            struct.pack("!BBBB", 192, 0, 2, 1) +
            struct.pack("!HHB", 1024 + i % 60000, 443, 6) +
            struct.pack("!QQQQ", 1000 + i, 1 + i % 100,
                        now * 1000 - 5000, now * 1000))


def valid(n, first):
    return ipfix(1, [TMPL, set_(256, b"".join(record(first + k)
                                              for k in range(n)))])


kinds = {"valid": 0, "random": 0, "short": 0, "bomb": 0, "setlen": 0,
         "varlen": 0}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
dest = ("127.0.0.1", port)
nrec = 0
for i in range(count):
    r = rnd.random()
    if r < 2 / 7:
        n = rnd.randint(1, 8)
        d = valid(n, nrec)
        nrec += n
        k = "valid"
    elif r < 3 / 7:
        d = bytes([rnd.randint(1, 255)]) + bytes(
            rnd.getrandbits(8) for _ in range(rnd.randint(0, 299)))
        k = "random"
    elif r < 4 / 7:
        d = valid(2, 0)[:rnd.randint(0, 15)]
        k = "short"
    elif r < 5 / 7:
        domain = rnd.randint(2, 2**32 - 1)
        recs = b"".join(struct.pack("!HH", rnd.randint(256, 65535), 2) +
                        struct.pack("!4H", rnd.randint(1, 400),
                                    rnd.randint(1, 16), 8, 4)
                        for _ in range(rnd.randint(1, 100)))
        d = ipfix(domain, [set_(2, recs)])
        k = "bomb"
    elif r < 6 / 7:
        d = bytearray(valid(3, 0))
        at = 16 + len(TMPL) + 2       # the data set's length field
        struct.pack_into("!H", d, at, rnd.randint(len(d), 65535))
        d = bytes(d)
        k = "setlen"
    else:
        t = set_(2, struct.pack("!HH", 300, 3) +
                 struct.pack("!6H", 8, 4, 82, 65535, 12, 4))
        rec = struct.pack("!BBBB", 10, 2, 0, 1) + bytes([200]) + b"eth0" + \
            struct.pack("!BBBB", 192, 0, 2, 1)
        d = ipfix(rnd.randint(2, 2**32 - 1), [t, set_(300, rec)])
        k = "varlen"
    kinds[k] += 1
    s.sendto(d, dest)
    if i % 256 == 255:
        time.sleep(0.001)   # a burst at a time: loopback, not a benchmark
print("valid_records %d datagrams %d %s" % (
    nrec, count, " ".join("%s %d" % kv for kv in sorted(kinds.items()))))
