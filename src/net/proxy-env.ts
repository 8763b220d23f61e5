// Which proxy a request goes through, decided the way kubectl decides it: Go's
// http.ProxyFromEnvironment (golang.org/x/net/http/httpproxy). Pure: the environment is a
// parameter, nothing is read or connected here.
//
// - HTTPS_PROXY for https:// targets, HTTP_PROXY for http:// targets; the upper-case name is
//   read first and the lower-case one when it is unset or empty (Go's order, not curl's).
// - With REQUEST_METHOD set (a CGI environment, where HTTP_PROXY may come from a request's
//   `Proxy:` header, "httpoxy"), HTTP_PROXY is ignored. Go refuses the request; a CLI goes direct.
// - `localhost` and loopback IP literals (127.0.0.0/8, ::1) are never proxied.
// - NO_PROXY / no_proxy: comma-separated; `*` (everything), IP addresses, CIDR ranges,
//   `host:port` / `[v6]:port`, and domains: `example.com` matches it and its subdomains,
//   `.example.com` and `*.example.com` only subdomains. A port in an entry must match too.
// - A value without a scheme (`proxy.corp:3128`) means http://.
//
// The kubeconfig's proxy-url, when a cluster has one, wins over all of this (see kube-config.ts).
import { domainToASCII } from 'node:url';
import { UserError } from '../cli/exit-codes.js';

/** A proxy to go through, and the setting that named it (for messages). */
export interface ProxyRoute {
  /** The proxy URL. It may carry a user and password: never print it, print proxyAddress(). */
  url: URL;
  /** `HTTPS_PROXY`, `https_proxy`, `HTTP_PROXY`, `http_proxy`, or `proxy-url of cluster "x"`. */
  source: string;
}

export type ProxyEnvironment = Record<string, string | undefined>;

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443', 'socks5:': '1080', 'socks5h:': '1080' };

/** The first non-empty variable among `names`, with its name (Go's getEnvAny). */
function firstSet(env: ProxyEnvironment, names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** The variable that names the proxy for a scheme, if any (before NO_PROXY and loopback rules). */
export function proxyVariable(protocol: string, env: ProxyEnvironment): { name: string; value: string } | undefined {
  if (protocol === 'https:') return firstSet(env, ['HTTPS_PROXY', 'https_proxy']);
  if (protocol === 'http:') {
    if (env.REQUEST_METHOD !== undefined && env.REQUEST_METHOD !== '') return undefined;
    return firstSet(env, ['HTTP_PROXY', 'http_proxy']);
  }
  return undefined;
}

/** The NO_PROXY value in effect ('' when unset). */
export function noProxyValue(env: ProxyEnvironment): string {
  return firstSet(env, ['NO_PROXY', 'no_proxy'])?.value ?? '';
}

/**
 * The proxy for a request to `target`, or undefined to connect directly. Throws a UserError
 * (exit 2) naming the variable, never its value, when the variable that applies is not a
 * proxy URL this tool can use.
 */
export function proxyFromEnvironment(target: string | URL, env: ProxyEnvironment): ProxyRoute | undefined {
  const url = typeof target === 'string' ? new URL(target) : target;
  const variable = proxyVariable(url.protocol, env);
  if (!variable) return undefined;
  if (!useProxy(url, noProxyValue(env))) return undefined;
  return { url: parseProxyUrl(variable.value, variable.name, { allowSocks: false }), source: variable.name };
}

/** False when the target is loopback or matches NO_PROXY (Go's useProxy). */
export function useProxy(target: URL, noProxy: string): boolean {
  const host = bare(target.hostname).toLowerCase();
  if (host === '') return true;
  const port = target.port || DEFAULT_PORT[target.protocol] || '';
  if (host === 'localhost') return false;
  const ip = parseIp(host);
  if (ip && isLoopback(ip)) return false;
  return !parseNoProxy(noProxy).some((rule) => ruleMatches(rule, host, port, ip));
}

// ---- NO_PROXY ------------------------------------------------------------------------------

export type NoProxyRule =
  | { type: 'all' }
  | { type: 'cidr'; network: Uint8Array; prefix: number }
  | { type: 'ip'; ip: Uint8Array; port: string }
  | { type: 'domain'; suffix: string; matchHost: boolean; port: string };

/** Parse a NO_PROXY value into rules (Go's httpproxy config.init). Malformed entries are skipped. */
export function parseNoProxy(value: string): NoProxyRule[] {
  const rules: NoProxyRule[] = [];
  for (const raw of value.split(',')) {
    const p = raw.trim().toLowerCase();
    if (p === '') continue;
    if (p === '*') return [{ type: 'all' }];
    const cidr = parseCidr(p);
    if (cidr) {
      rules.push({ type: 'cidr', ...cidr });
      continue;
    }
    let host = p;
    let port = '';
    const split = splitHostPort(p);
    if (split) {
      if (split.host === '') continue;
      host = split.host;
      port = split.port;
    }
    const ip = parseIp(host);
    if (ip) {
      rules.push({ type: 'ip', ip, port });
      continue;
    }
    if (host.startsWith('*.')) host = host.slice(1);
    const matchHost = !host.startsWith('.');
    if (matchHost) host = '.' + host;
    rules.push({ type: 'domain', suffix: toAscii(host), matchHost, port });
  }
  return rules;
}

function ruleMatches(rule: NoProxyRule, host: string, port: string, ip: Uint8Array | undefined): boolean {
  switch (rule.type) {
    case 'all':
      return true;
    case 'cidr':
      return ip !== undefined && cidrContains(rule.network, rule.prefix, ip);
    case 'ip':
      return ip !== undefined && sameIp(rule.ip, ip) && (rule.port === '' || rule.port === port);
    case 'domain':
      // (Go applies domain entries to IP targets too, as strings)
      return (host.endsWith(rule.suffix) || (rule.matchHost && host === rule.suffix.slice(1))) && (rule.port === '' || rule.port === port);
  }
}

/** Go's net.SplitHostPort: `host:port` or `[host]:port`; undefined when there is no port part. */
export function splitHostPort(s: string): { host: string; port: string } | undefined {
  const i = s.lastIndexOf(':');
  if (i < 0) return undefined;
  let host: string;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0 || end + 1 !== i) return undefined;
    host = s.slice(1, end);
  } else {
    host = s.slice(0, i);
    if (host.includes(':')) return undefined;
  }
  if (host.includes('[') || host.includes(']') || s.slice(i + 1).includes('[') || s.slice(i + 1).includes(']')) return undefined;
  return { host, port: s.slice(i + 1) };
}

function toAscii(dotted: string): string {
  // only non-ASCII names need IDNA; Go keeps the entry as written when conversion fails
  if (/^[\x00-\x7f]*$/.test(dotted)) return dotted;
  const ascii = domainToASCII(dotted.slice(1));
  return ascii ? '.' + ascii : dotted;
}

function bare(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

// ---- IP addresses (Go's net.ParseIP / ParseCIDR, as 16-byte values) ------------------------

const V4_IN_V6 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Parse an IPv4 or IPv6 literal (no zone, no brackets) into 16 bytes; IPv4 as ::ffff:a.b.c.d. */
export function parseIp(s: string): Uint8Array | undefined {
  const v4 = parseIpv4(s);
  if (v4) return Uint8Array.from([...V4_IN_V6, ...v4]);
  return parseIpv6(s);
}

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    // decimal only, no leading zeros (Go 1.17+ rejects them: they read as octal elsewhere)
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | undefined {
  if (!s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  // an embedded IPv4 is only allowed at the very end
  if (halves.length === 2 && halves[0].includes('.')) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    all = head;
  }
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

function isV4(ip: Uint8Array): boolean {
  return V4_IN_V6.every((b, i) => ip[i] === b);
}

function isLoopback(ip: Uint8Array): boolean {
  if (isV4(ip)) return ip[12] === 127;
  return ip.every((b, i) => b === (i === 15 ? 1 : 0));
}

function sameIp(a: Uint8Array, b: Uint8Array): boolean {
  return a.every((x, i) => x === b[i]);
}

function parseCidr(s: string): { network: Uint8Array; prefix: number } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return undefined;
  const v4 = parseIpv4(addr);
  const prefix = Number(bits);
  if (v4) {
    if (prefix > 32) return undefined;
    // stored in the v4-in-v6 form: the 96 fixed bits lead
    return { network: Uint8Array.from([...V4_IN_V6, ...v4]), prefix: prefix + 96 };
  }
  const v6 = parseIpv6(addr);
  if (!v6 || prefix > 128) return undefined;
  // Go keeps an IPv6 range IPv6: it never contains an IPv4 address (even ::ffff:0:0/96)
  return { network: v6, prefix: -prefix - 1 };
}

function cidrContains(network: Uint8Array, prefix: number, ip: Uint8Array): boolean {
  // prefix >= 96: an IPv4 range (in v4-in-v6 form); negative: an IPv6 range of -prefix-1 bits
  const v4Range = prefix >= 0;
  if (v4Range !== isV4(ip)) return false;
  const bits = v4Range ? prefix : -prefix - 1;
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((network[byte] & mask) !== (ip[byte] & mask)) return false;
  }
  return true;
}

// ---- proxy URLs ----------------------------------------------------------------------------

/**
 * Parse a proxy setting: `http://[user:pass@]host[:port]`, `https://…`, or a bare
 * `host:port` (http). SOCKS is accepted only where `allowSocks` says so (a kubeconfig
 * proxy-url, which @kubernetes/client-node connects). Errors name the setting, never its value.
 */
export function parseProxyUrl(raw: string, source: string, options: { allowSocks: boolean }): URL {
  const value = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  let url: URL;
  try {
    url = new URL(scheme ? value : `http://${value}`);
  } catch {
    throw new UserError(`${source} is not a proxy URL (expected http://host:port, with user:password@ before the host if the proxy needs them); fix or unset it`);
  }
  const supported = options.allowSocks ? ['http:', 'https:', 'socks5:', 'socks5h:', 'socks4:', 'socks4a:', 'socks:'] : ['http:', 'https:'];
  if (!supported.includes(url.protocol)) {
    const hint = url.protocol.startsWith('socks') ? 'SOCKS proxies are supported only as a kubeconfig proxy-url; use an HTTP proxy (CONNECT) here' : 'use http:// or https://';
    throw new UserError(`${source} uses the ${url.protocol.replace(/:$/, '')}:// scheme, which queue-doctor cannot use: ${hint}; fix or unset it`);
  }
  if (url.hostname === '') throw new UserError(`${source} names no proxy host (expected http://host:port); fix or unset it`);
  return url;
}

/** `host:port` of a proxy: what messages may show (never the user or password). */
export function proxyAddress(route: ProxyRoute | URL): string {
  const url = route instanceof URL ? route : route.url;
  return `${url.hostname}:${url.port || DEFAULT_PORT[url.protocol] || ''}`;
}

/** True for a SOCKS proxy (only a kubeconfig proxy-url can name one). */
export function isSocksProxy(route: ProxyRoute): boolean {
  return route.url.protocol.startsWith('socks');
}

/** True when the setting came from an environment variable (NO_PROXY can then bypass it). */
export function fromEnvironment(route: ProxyRoute): boolean {
  return /^(https?_proxy|HTTPS?_PROXY)$/.test(route.source);
}
