// Agents that reach a target through an HTTP(S) proxy with CONNECT (hpagent, imported lazily:
// only `scan` with a proxy pays for it), and the one-line messages for a proxy that cannot be
// reached or refuses the tunnel. Both https:// and http:// targets are tunnelled: TLS runs end
// to end (the kubeconfig's CA, client certificate and insecure flag apply to the target, not to
// the proxy), and request headers (tokens, tenant headers) travel inside the tunnel; the proxy
// itself is sent nothing but `CONNECT host:port`, Host and Proxy-Authorization.
import type http from 'node:http';
import { fromEnvironment, proxyAddress, type ProxyRoute } from './proxy-env.js';

/** TLS options for the target (they pass through the tunnel), plus pooling. */
export interface ProxyAgentOptions {
  keepAlive?: boolean;
  maxSockets?: number;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/** Builds an agent for a route and a target protocol (`http:` / `https:`). */
export type ProxyAgentFactory = (route: ProxyRoute, targetProtocol: string, options: ProxyAgentOptions) => http.Agent;

/** Failed before the tunnel was open: the proxy could not be reached, or answered CONNECT with a non-200. */
export class ProxyConnectError extends Error {
  constructor(
    readonly route: ProxyRoute,
    /** host:port the tunnel was for. */
    readonly target: string,
    /** errno (ECONNREFUSED …) or PROXY_TIMEOUT / PROXY_STATUS. */
    readonly code: string,
    /** The proxy's answer to CONNECT, when it answered. */
    readonly status?: number,
  ) {
    super(`the proxy ${proxyAddress(route)} (${route.source}) ${status !== undefined ? `answered CONNECT ${target} with ${status}` : `failed before the tunnel to ${target} was open (${code})`}`);
    this.name = 'ProxyConnectError';
  }

  /** Another attempt may succeed (a reset, a timeout, a proxy that is overloaded). */
  get transient(): boolean {
    return ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'PROXY_TIMEOUT'].includes(this.code) || this.status === 503 || this.status === 504;
  }
}

let factory: Promise<ProxyAgentFactory> | undefined;

/** Load hpagent once and return a factory for proxy agents. */
export function loadProxyAgents(): Promise<ProxyAgentFactory> {
  factory ??= import('hpagent').then(({ HttpProxyAgent, HttpsProxyAgent }) => {
    // hpagent reports a refused CONNECT as `Error('Bad response: 407')` and passes socket errors
    // of the proxy connection through: tag both with the route, so messages name the proxy and
    // never mistake it for the target. (Errors after the tunnel is open — TLS with the target,
    // the target's own answers — do not come through this callback.)
    const tag = (route: ProxyRoute, options: { host?: string; port?: number | string }, err: Error): ProxyConnectError => {
      const target = `${options.host ?? ''}:${options.port ?? ''}`;
      const status = /^Bad response: (\d{3})$/.exec(err.message)?.[1];
      if (status) return new ProxyConnectError(route, target, 'PROXY_STATUS', Number(status));
      if (err.message === 'Proxy timeout') return new ProxyConnectError(route, target, 'PROXY_TIMEOUT');
      return new ProxyConnectError(route, target, (err as NodeJS.ErrnoException).code ?? 'EPROXY');
    };
    type Callback = (err: Error | null, socket?: unknown) => void;
    // http.Agent calls this.createConnection for every new socket: wrap the agent's own
    const tagged = (route: ProxyRoute, agent: http.Agent): http.Agent => {
      const a = agent as unknown as { createConnection(options: any, callback: Callback): unknown };
      const create = a.createConnection;
      a.createConnection = (options, callback) => create.call(agent, options, (err: Error | null, socket: unknown) => callback(err ? tag(route, options, err) : null, socket));
      return agent;
    };
    return (route: ProxyRoute, targetProtocol: string, options: ProxyAgentOptions): http.Agent => {
      const { keepAlive, maxSockets, ...tls } = options;
      const pool = { keepAlive: keepAlive ?? true, ...(maxSockets !== undefined ? { maxSockets } : {}) };
      // the TLS options are for the target: they pass through the tunnel
      if (targetProtocol === 'https:') return tagged(route, new HttpsProxyAgent({ proxy: route.url, ...pool, ...tls, rejectUnauthorized: tls.rejectUnauthorized !== false }));
      return tagged(route, new HttpProxyAgent({ proxy: route.url, ...pool }));
    };
  });
  return factory;
}

/** The ProxyConnectError behind an error, if any (through axios' `cause` and prometheus-query's `original`). */
export function findProxyError(e: unknown): ProxyConnectError | undefined {
  let cur: any = e;
  for (let depth = 0; cur && depth < 6; depth++) {
    if (cur instanceof ProxyConnectError) return cur;
    cur = cur.original ?? cur.cause;
  }
  return undefined;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'it refused the connection',
  ENOTFOUND: 'its host name does not resolve',
  EAI_AGAIN: 'DNS lookup of its host name failed',
  EHOSTUNREACH: 'there is no route to it',
  ENETUNREACH: 'the network to it is unreachable',
  ETIMEDOUT: 'connecting to it timed out',
  PROXY_TIMEOUT: 'it did not answer CONNECT in time',
  ECONNRESET: 'it closed the connection',
  EPIPE: 'it closed the connection',
};

/**
 * The parts of a one-line message: `proxy` names it (host:port and the setting it came from,
 * never its user or password), `reason` says what happened (with the target for refusals),
 * `fix` which setting to change.
 */
export function describeProxyFailure(e: ProxyConnectError, targetHost: string): { proxy: string; reason: string; fix: string } {
  const proxy = `the proxy ${proxyAddress(e.route)} (${e.route.source})`;
  const env = fromEnvironment(e.route);
  const setting = env ? e.route.source : e.route.source + ' in the kubeconfig';
  const hasUser = e.route.url.username !== '' || e.route.url.password !== '';
  const direct = env ? `, or add ${targetHost} to NO_PROXY to connect directly` : '';
  if (e.status !== undefined) {
    const code = `${e.status}${STATUS_TEXT[e.status] ? ` ${STATUS_TEXT[e.status]}` : ''}`;
    if (e.status === 407) {
      return hasUser
        ? { proxy, reason: `it rejected the user and password (${code})`, fix: `fix the user and password in ${setting}` }
        : { proxy, reason: `it requires a user and password (${code})`, fix: `put them in ${setting} as http://user:password@${proxyAddress(e.route)}` };
    }
    if (e.status === 403) return { proxy, reason: `it does not allow a tunnel to ${e.target} (${code})`, fix: `ask for CONNECT to ${e.target} to be allowed${direct}` };
    if (e.status >= 502 && e.status <= 504) return { proxy, reason: `it could not reach ${e.target} (${code})`, fix: `check the target address and ${setting}${direct}` };
    return { proxy, reason: `it refused the tunnel to ${e.target} (${code})`, fix: `check ${setting}${env ? ' and NO_PROXY' : ''}` };
  }
  const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(e.code);
  const reason = tls ? `TLS with the proxy failed (${e.code})` : `${ERRNO_TEXT[e.code] ?? 'the connection to it failed'} (${e.code})`;
  return { proxy, reason, fix: `check ${setting}${direct}` };
}
