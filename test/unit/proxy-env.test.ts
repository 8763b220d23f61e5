// The proxy decision (src/net/proxy-env.ts) against Go's http.ProxyFromEnvironment semantics,
// which kubectl uses: tables modelled on golang.org/x/net/http/httpproxy's own tests
// (proxyForURLTests, UseProxyTests with the same NO_PROXY list), then properties that hold for
// any address, domain or list. (test/integration/proxy-kubectl.test.ts checks the same rules
// against the real kubectl binary.)
import { BlockList } from 'node:net';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { checkProperty } from '../helpers/property.js';
import { parseIp, parseNoProxy, parseProxyUrl, proxyAddress, proxyFromEnvironment, splitHostPort, useProxy, type ProxyEnvironment } from '../../src/net/proxy-env.js';
import { UserError } from '../../src/cli/exit-codes.js';

/** The proxy chosen for `target` as an origin string, or 'direct'. */
function chosen(target: string, env: ProxyEnvironment): string {
  const r = proxyFromEnvironment(target, env);
  return r ? `${r.url.protocol}//${r.url.host} via ${r.source}` : 'direct';
}

describe('which variable, which scheme (httpproxy proxyForURLTests)', () => {
  test.each([
    // bare values are http:// proxies
    [{ HTTP_PROXY: '127.0.0.1:8080' }, 'http://example.com/', 'http://127.0.0.1:8080 via HTTP_PROXY'],
    [{ HTTP_PROXY: 'cache.corp.example.com:1234' }, 'http://example.com/', 'http://cache.corp.example.com:1234 via HTTP_PROXY'],
    [{ HTTP_PROXY: 'cache.corp.example.com' }, 'http://example.com/', 'http://cache.corp.example.com via HTTP_PROXY'],
    [{ HTTP_PROXY: 'localhost' }, 'http://example.com/', 'http://localhost via HTTP_PROXY'],
    [{ HTTP_PROXY: 'https://cache.corp.example.com' }, 'http://example.com/', 'https://cache.corp.example.com via HTTP_PROXY'],
    [{ HTTP_PROXY: 'http://127.0.0.1:8080' }, 'http://example.com/', 'http://127.0.0.1:8080 via HTTP_PROXY'],
    // the scheme of the target picks the variable
    [{ HTTP_PROXY: 'http.proxy.tld', HTTPS_PROXY: 'secure.proxy.tld' }, 'http://insecure.tld/', 'http://http.proxy.tld via HTTP_PROXY'],
    [{ HTTP_PROXY: 'http.proxy.tld', HTTPS_PROXY: 'secure.proxy.tld' }, 'https://secure.tld/', 'http://secure.proxy.tld via HTTPS_PROXY'],
    [{ HTTP_PROXY: 'http.proxy.tld', HTTPS_PROXY: 'https://secure.proxy.tld' }, 'https://secure.tld/', 'https://secure.proxy.tld via HTTPS_PROXY'],
    [{ HTTP_PROXY: 'http.proxy.tld', HTTPS_PROXY: 'https://secure.proxy.tld' }, 'ftp://insecure.tld/', 'direct'],
    [{ HTTP_PROXY: 'http.proxy.tld' }, 'https://secure.tld/', 'direct'],
    [{ HTTPS_PROXY: 'secure.proxy.tld' }, 'http://insecure.tld/', 'direct'],
    // CGI (httpoxy): HTTP_PROXY may come from a request header; HTTPS_PROXY still counts
    [{ HTTP_PROXY: 'http://10.1.2.3:8080', REQUEST_METHOD: 'GET' }, 'http://example.com/', 'direct'],
    [{ HTTPS_PROXY: 'https://secure.proxy.tld', REQUEST_METHOD: 'GET' }, 'https://secure.tld/', 'https://secure.proxy.tld via HTTPS_PROXY'],
    [{ HTTP_PROXY: 'http://10.1.2.3:8080', REQUEST_METHOD: '' }, 'http://example.com/', 'http://10.1.2.3:8080 via HTTP_PROXY'],
    [{}, 'https://example.com/', 'direct'],
    // Go reads the upper-case name first; an empty value counts as unset
    [{ HTTPS_PROXY: 'upper:3128', https_proxy: 'lower:3128' }, 'https://example.com/', 'http://upper:3128 via HTTPS_PROXY'],
    [{ HTTPS_PROXY: '', https_proxy: 'lower:3128' }, 'https://example.com/', 'http://lower:3128 via https_proxy'],
    [{ https_proxy: 'lower:3128' }, 'https://example.com/', 'http://lower:3128 via https_proxy'],
    [{ HTTP_PROXY: 'upper:3128', http_proxy: 'lower:3128' }, 'http://example.com/', 'http://upper:3128 via HTTP_PROXY'],
    [{ HTTPS_PROXY: 'p:1', NO_PROXY: 'other.com', no_proxy: 'example.com' }, 'https://example.com/', 'http://p:1 via HTTPS_PROXY'],
    [{ HTTPS_PROXY: 'p:1', NO_PROXY: '', no_proxy: 'example.com' }, 'https://example.com/', 'direct'],
    // NO_PROXY basics
    [{ HTTP_PROXY: 'proxy', NO_PROXY: 'example.com' }, 'http://example.com/', 'direct'],
    [{ HTTP_PROXY: 'proxy', NO_PROXY: '.example.com' }, 'http://example.com/', 'http://proxy via HTTP_PROXY'],
    [{ HTTP_PROXY: 'proxy', NO_PROXY: 'ample.com' }, 'http://example.com/', 'http://proxy via HTTP_PROXY'],
    [{ HTTP_PROXY: 'proxy', NO_PROXY: 'example.com' }, 'http://foo.example.com/', 'direct'],
    [{ HTTP_PROXY: 'proxy', NO_PROXY: '.foo.com' }, 'http://example.com/', 'http://proxy via HTTP_PROXY'],
  ] as Array<[ProxyEnvironment, string, string]>)('%j  %s  -> %s', (env, target, want) => {
    expect(chosen(target, env)).toBe(want);
  });
});

// httpproxy's TestUseProxy list, with the ports Go's test uses
const NO_PROXY_LIST =
  'foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64';

describe('NO_PROXY entries and the loopback rule (httpproxy UseProxyTests)', () => {
  test.each([
    // never proxy loopback
    ['localhost', false],
    ['127.0.0.1', false],
    ['127.0.0.2', false],
    ['[::1]', false],
    ['[::2]', true],
    ['[::ffff:127.0.0.1]', false],
    ['local.localhost', true],
    ['localhost.net', true],
    // IPs, IP:port, CIDR
    ['192.168.1.1', false],
    ['192.168.1.2', true], // entry is for port 81
    ['192.168.1.2:81', false],
    ['192.168.1.3', false], // port 80 is http's default
    ['192.168.1.3:8080', true],
    ['[::ffff:192.168.1.1]', false], // the same address written as IPv6
    ['10.0.0.2', false],
    ['10.0.0.4', true],
    ['[2001:db8::52:0:1]', false],
    ['[2001:db8::52:0:2]', true], // entry is for port 443
    ['[2001:db8::52:0:3]', false],
    ['[2001:db8::52:0:3]:8080', true],
    ['[2002:db8:a::123]', false],
    ['[fe80::424b:c8be:1643:a1b6]', true],
    // domains
    ['barbaz.net', true],
    ['www.barbaz.net', false],
    ['foobar.com', false],
    ['www.foobar.com', false],
    ['FOOBAR.COM', false],
    ['foofoobar.com', true],
    ['baz.com', true],
    ['barbarbaz.net', true],
    ['wildcard.io', true],
    ['nested.wildcard.io', false],
    ['awildcard.io', true],
  ])('http://%s -> proxied: %s', (host, proxied) => {
    expect(useProxy(new URL(`http://${host}/`), NO_PROXY_LIST)).toBe(proxied);
  });

  test.each([
    ['*', 'https://anything.example:6443', false],
    ['example.com, *', 'https://other.example:6443', false],
    [' Kube.Example.COM ', 'https://kube.example.com', false],
    ['kube.example.com:6443', 'https://kube.example.com:6443', false],
    ['kube.example.com:6443', 'https://kube.example.com', true],
    ['kube.example.com:443', 'https://kube.example.com', false], // https's default port
    ['kube.example.com:0443', 'https://kube.example.com', true], // ports compare as written (Go)
    ['.example.com:6443', 'https://kube.example.com:6443', false],
    ['*kube.example.com', 'https://kube.example.com', true], // '*' only as "*." or alone
    ['example.com:', 'https://example.com', false], // empty port: any
    [':6443', 'https://kube.example.com:6443', true], // no host: ignored
    ['10.0.0.0/8', 'https://kube.example.com', true], // ranges match IP literals only
    ['10.0.0.0/8', 'https://10.1.2.3:6443', false],
    ['10.1.2.3/8', 'https://10.200.0.1', false], // host bits are masked
    ['10.0.0.0/33', 'https://10.1.2.3', true], // not a range: a (useless) domain
    ['::ffff:10.0.0.0/104', 'https://10.1.2.3', true], // an IPv6 range never holds an IPv4 address (Go)
    ['0.0.0.0/0', 'https://8.8.8.8', false],
    ['::/0', 'https://8.8.8.8', true],
    ['::/0', 'https://[2001:db8::1]', false],
    ['3.4', 'https://1.2.3.4', false], // Go applies domain entries to IP text too
    ['1.2.3.04', 'https://1.2.3.4', true], // leading zeros: not an IP (Go 1.17+)
    ['bücher.example', 'https://xn--bcher-kva.example', false], // IDNA
    ['[::1]', 'https://[2001:db8::1]', true],
    [',,, ,', 'https://kube.example.com', true],
  ])('NO_PROXY=%j, %s -> proxied: %s', (noProxy, target, proxied) => {
    expect(useProxy(new URL(target), noProxy)).toBe(proxied);
  });
});

describe('proxy URLs', () => {
  test('a user and password are kept for Proxy-Authorization, and never shown', () => {
    const r = proxyFromEnvironment('https://kube.example.com', { HTTPS_PROXY: 'http://alice:s3cr%40t@proxy.corp:3128' })!;
    expect(decodeURIComponent(r.url.password)).toBe('s3cr@t');
    expect(proxyAddress(r)).toBe('proxy.corp:3128');
  });

  test.each([
    ['http://proxy.corp', 'proxy.corp:80'],
    ['https://proxy.corp', 'proxy.corp:443'],
    ['proxy.corp:3128', 'proxy.corp:3128'],
    ['http://[fd00::1]:3128', '[fd00::1]:3128'],
    [' http://proxy.corp:3128/ ', 'proxy.corp:3128'],
  ])('%j is at %s', (value, address) => {
    expect(proxyAddress(parseProxyUrl(value, 'HTTPS_PROXY', { allowSocks: false }))).toBe(address);
  });

  test.each([
    ['socks5://proxy.corp:1080', /HTTPS_PROXY uses the socks5:\/\/ scheme.*SOCKS proxies are supported only as a kubeconfig proxy-url/],
    ['ftp://proxy.corp', /HTTPS_PROXY uses the ftp:\/\/ scheme/],
    ['http://user:pw@', /HTTPS_PROXY is not a proxy URL/],
    ['http://exa mple:3128', /HTTPS_PROXY is not a proxy URL/],
  ])('%j is a usage error naming the variable, never its value', (value, message) => {
    const run = () => proxyFromEnvironment('https://kube.example.com', { HTTPS_PROXY: value });
    expect(run).toThrow(UserError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (e) {
      expect((e as Error).message).not.toContain('pw');
      expect((e as Error).message).not.toContain('proxy.corp');
    }
  });

  test('a kubeconfig proxy-url may be SOCKS (client-node connects it)', () => {
    expect(parseProxyUrl('socks5://127.0.0.1:1080', 'proxy-url of cluster "c"', { allowSocks: true }).protocol).toBe('socks5:');
  });

  test('a malformed variable that NO_PROXY or loopback bypasses does not matter', () => {
    expect(proxyFromEnvironment('https://127.0.0.1:6443', { HTTPS_PROXY: 'socks5://x' })).toBeUndefined();
    expect(proxyFromEnvironment('https://kube.example.com', { HTTPS_PROXY: 'socks5://x', NO_PROXY: 'example.com' })).toBeUndefined();
  });
});

describe('parsers', () => {
  test.each([
    ['host:80', { host: 'host', port: '80' }],
    ['[::1]:80', { host: '::1', port: '80' }],
    ['host:', { host: 'host', port: '' }],
    [':80', { host: '', port: '80' }],
    ['host', undefined],
    ['::1', undefined],
    ['[::1]', undefined],
    ['[::1]x:80', undefined],
  ])('splitHostPort(%j)', (s, want) => {
    expect(splitHostPort(s)).toEqual(want);
  });

  test.each(['1.2.3.4', '0.0.0.0', '255.255.255.255', '::', '::1', '1::', '1:2:3:4:5:6:7::', '::1.2.3.4', '0:0:0:0:0:ffff:1.2.3.4', 'fe80::424b:c8be:1643:a1b6'])('%s is an IP', (s) => {
    expect(parseIp(s)).toBeDefined();
  });

  test.each(['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-1', ':1', '1:::2', '1::2::3', '1.2.3.4::', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', 'example.com', ''])('%j is not an IP', (s) => {
    expect(parseIp(s)).toBeUndefined();
  });

  test('a bare * ends the list (Go stops parsing there)', () => {
    expect(parseNoProxy('a.com, *, 10.0.0.0/8')).toEqual([{ type: 'all' }]);
  });
});

describe('properties', () => {
  const blockListCheck = (net: string, prefix: number, addr: string, type: 'ipv4' | 'ipv6') => {
    const bl = new BlockList();
    bl.addSubnet(net, prefix, type);
    return bl.check(addr, type);
  };

  test('an IPv4 CIDR entry bypasses exactly the addresses node:net BlockList puts in it (loopback never proxied)', async () => {
    await checkProperty(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (addr, net, prefix) => {
        const inside = blockListCheck(net, prefix, addr, 'ipv4');
        const loopback = addr.startsWith('127.');
        expect(useProxy(new URL(`https://${addr}:6443`), `${net}/${prefix}`)).toBe(!(inside || loopback));
      }),
      { numRuns: 3000 },
    );
  });

  test('an IPv6 CIDR entry agrees with BlockList, and never holds an IPv4(-mapped) address', async () => {
    await checkProperty(
      fc.property(fc.ipV6(), fc.ipV6(), fc.integer({ min: 0, max: 128 }), (addr, net, prefix) => {
        const url = new URL(`https://[${addr}]:6443`);
        const bytes = parseIp(url.hostname.slice(1, -1))!;
        expect(bytes, addr).toBeDefined();
        const v4mapped = bytes.slice(0, 12).every((b, i) => b === (i >= 10 ? 0xff : 0));
        const loopback = v4mapped ? bytes[12] === 127 : bytes.every((b, i) => b === (i === 15 ? 1 : 0));
        const inside = !v4mapped && blockListCheck(net, prefix, addr, 'ipv6');
        expect(useProxy(url, `${net}/${prefix}`), `${addr} in ${net}/${prefix}`).toBe(!(inside || loopback));
      }),
      { numRuns: 3000 },
    );
  });

  // a letter first: WHATWG reads a numeric last label as IPv4; no "xn--": WHATWG decodes such
  // a label as punycode and refuses the URL when it is not valid punycode
  const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/).filter((l) => !l.startsWith('xn--'));
  const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));

  test('domain entries: "d" bypasses d and its subdomains, ".d" and "*.d" only subdomains, "d:port" only that port', async () => {
    await checkProperty(
      fc.property(domain, domain, fc.constantFrom('', '.', '*.'), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.integer({ min: 1, max: 65535 }), (d, h, prefix, entryPort, port) => {
        fc.pre(h !== 'localhost' && parseIp(h) === undefined && parseIp(d) === undefined);
        const entry = `${prefix}${d}${entryPort !== undefined ? `:${entryPort}` : ''}`;
        const sub = h.endsWith(`.${d}`);
        const nameMatches = prefix === '' ? h === d || sub : sub;
        const portMatches = entryPort === undefined || entryPort === port;
        expect(useProxy(new URL(`https://${h}:${port}`), entry), `${entry} vs ${h}:${port}`).toBe(!(nameMatches && portMatches));
      }),
      { numRuns: 3000 },
    );
  });

  const entry = fc.oneof(domain, fc.ipV4(), fc.ipV4().map((a) => `${a}/${a.length % 33}`), domain.map((d) => `.${d}`), domain.map((d) => `${d}:6443`));

  test('a NO_PROXY list bypasses a host iff one of its entries does; order, case and spaces do not matter; "*" bypasses all', async () => {
    await checkProperty(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.oneof(domain, fc.ipV4()), fc.boolean(), (entries, host, star) => {
        const target = new URL(`https://${host}:6443`);
        const each = entries.some((e) => !useProxy(target, e));
        const loop = host === 'localhost' || host.startsWith('127.');
        const list = star ? [...entries, '*'] : entries;
        const expected = !(each || loop || star);
        expect(useProxy(target, list.join(','))).toBe(expected);
        expect(useProxy(target, [...list].reverse().map((e) => `  ${e.toUpperCase()} `).join(' ,'))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  test('the address shown for a proxy never holds its user or password', async () => {
    await checkProperty(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ minLength: 1, maxLength: 20 }), domain, fc.integer({ min: 1, max: 65535 }), (user, pass, host, port) => {
        const raw = `http://${encodeURIComponent(user)}:${encodeURIComponent('pw!' + pass)}@${host}:${port}`;
        const route = proxyFromEnvironment('https://kube.example.com', { HTTPS_PROXY: raw })!;
        expect(decodeURIComponent(route.url.password)).toBe('pw!' + pass);
        const shown = proxyAddress(route);
        expect(shown).toBe(`${host}:${port}`);
        expect(shown).not.toContain('pw!');
      }),
      { numRuns: 1000 },
    );
  });
});
