#!/usr/bin/env python3
"""mkurlcases.py - write tests/crawler/url-whatwg.txt from the WHATWG URL
test corpus (urltestdata.json of web-platform-tests, url/resources/; the
same file ships in servo/rust-url as url/tests/urltestdata.json).

Only the http and https cases are taken: those whose result is an http(s)
URL, and the failures whose input is an http(s) URL.  The expected URL is
rewritten for what docs/crawler.md says the crawler normalises on purpose:
no fragment, no user info, no empty query, percent-escapes in uppercase.
Everything else is WHATWG's.  Inputs holding U+0000 are left out: the
crawler's URLs are C strings (libxml2 hands attributes over as such).

usage: mkurlcases.py urltestdata.json > tests/crawler/url-whatwg.txt
"""
import json
import re
import sys


def esc(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch == '\\':
            out.append('\\\\')
        elif o < 0x20 or o == 0x7f:
            out.append('\\x%02x' % o)
        else:
            out.append(ch)
    return ''.join(out)


def ours(c):
    """The reference result, as flowgrab means to normalise it."""
    href = c['protocol'] + '//' + c['host'] + c['pathname']
    if c['search'] not in ('', '?'):
        href += c['search']
    return re.sub(r'%[0-9a-fA-F]{2}', lambda m: m.group(0).upper(), href)


def main():
    data = json.load(open(sys.argv[1], encoding='utf-8'))
    print('# url-whatwg.txt - WHATWG URL test corpus cases (urltestdata.json,')
    print('# web-platform-tests url/resources/), http and https only, for')
    print('# tests/crawler/t-url.c.  Written by tests/crawler/mkurlcases.py;')
    print('# expected URLs without fragment, user info or empty query, hex of')
    print('# escapes in uppercase, as')
    print('# docs/crawler.md says the crawler normalises.')
    print('# Fields, tab-separated: base ("-" for none), input, expected URL or')
    print('# FAIL.  Escapes: \\\\ and \\xHH (controls).  Lines with "#" first')
    print('# are comments.')
    n = 0
    for c in data:
        if not isinstance(c, dict):
            continue
        base = c.get('base')
        inp = c['input']
        if '\x00' in inp:
            continue
        if 'failure' in c:
            if not re.match(r'^[\x00-\x20]*https?:', inp, re.I):
                continue
            want = 'FAIL'
        else:
            if c.get('protocol') not in ('http:', 'https:'):
                continue
            want = ours(c)
        print('%s\t%s\t%s' % ('-' if base is None else esc(base), esc(inp),
                              esc(want)))
        n += 1
    print('# %d cases' % n)


main()
