#!/usr/bin/python3
"""tests/matcher/tb-get.py PROTO URL... - the testbed's python3 client.

One URL: urllib.request.urlopen, as a script would download a file.
Several URLs (same host): http.client on one keep-alive connection.
PROTO: http, tls12 or tls13 (the TLS version offered, nothing else).
The bodies are read and discarded; the certificate is not checked (the
testbed's is self-signed)."""
import http.client, ssl, sys, urllib.parse, urllib.request

proto, urls = sys.argv[1], sys.argv[2:]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if proto == "tls12":
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
elif proto == "tls13":
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3

def drain(r):
    n = 0
    while True:
        b = r.read(1 << 20)
        if not b:
            return n
        n += len(b)

if len(urls) == 1:
    with urllib.request.urlopen(urls[0], context=ctx) as r:
        drain(r)
    sys.exit(0)
u0 = urllib.parse.urlsplit(urls[0])
if u0.scheme == "https":
    c = http.client.HTTPSConnection(u0.hostname, u0.port or 443, context=ctx)
else:
    c = http.client.HTTPConnection(u0.hostname, u0.port or 80)
for u in urls:
    c.request("GET", urllib.parse.urlsplit(u).path)
    r = c.getresponse()
    drain(r)
c.close()
