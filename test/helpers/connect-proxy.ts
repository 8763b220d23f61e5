// A tiny forward proxy for tests: answers HTTP CONNECT by opening a TCP connection to the
// target and piping bytes both ways (so TLS runs end to end, client to target), and records
// every tunnel it was asked for with the Proxy-Authorization it carried. It can demand a
// user and password (407 without them, as Squid does), refuse every tunnel with a status
// (403, 502 …), and resolve host names itself (`hosts`), as a corporate proxy resolves names
// the client cannot. A plain absolute-form request (GET http://host/path, what a client sends
// when it forwards instead of tunnelling) is recorded and refused with 501, so a test can tell
// the two apart.
//
// Node built-ins only.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxyTunnel {
  /** host:port from the CONNECT request line. */
  target: string;
  /** The Proxy-Authorization header as received (undefined when absent). */
  authorization?: string;
  /** Status the proxy answered the CONNECT with. */
  status: number;
  /** Every header name the CONNECT request carried (lower case). */
  headerNames: string[];
}

export interface ForwardedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface ConnectProxyOptions {
  /** Require these credentials (Basic); without or with wrong ones the answer is 407. */
  auth?: { user: string; password: string };
  /** Answer every CONNECT with this status instead of tunnelling (403, 502 …). */
  refuse?: number;
  /** Names the proxy resolves itself: `kube.example.invalid` -> `127.0.0.1`. */
  hosts?: Record<string, string>;
}

export interface ConnectProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** The proxy URL with user and password in it. */
  urlWithAuth(user: string, password: string): string;
  tunnels: ProxyTunnel[];
  /** Absolute-form requests (refused with 501). */
  forwarded: ForwardedRequest[];
  close(): Promise<void>;
}

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const tunnels: ProxyTunnel[] = [];
  const forwarded: ForwardedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')}` : undefined;

  const server = http.createServer((req, res) => {
    forwarded.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.writeHead(501, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end('this test proxy only tunnels (CONNECT)\n');
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const target = req.url ?? '';
    const record: ProxyTunnel = {
      target,
      status: 0,
      headerNames: Object.keys(req.headers),
      ...(req.headers['proxy-authorization'] !== undefined ? { authorization: String(req.headers['proxy-authorization']) } : {}),
    };
    tunnels.push(record);
    const answer = (status: number, reason: string, extra = '') => {
      record.status = status;
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (expected !== undefined && req.headers['proxy-authorization'] !== expected) {
      answer(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="qd-test-proxy"\r\n');
      return;
    }
    if (options.refuse !== undefined) {
      answer(options.refuse, http.STATUS_CODES[options.refuse] ?? 'Refused');
      return;
    }
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
    if (!m) {
      answer(400, 'Bad Request');
      return;
    }
    const name = m[1].replace(/^\[|\]$/g, '');
    const upstream = net.connect(Number(m[2]), options.hosts?.[name] ?? name);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.once('error', () => {
      if (record.status === 0) answer(502, 'Bad Gateway');
      else client.destroy();
    });
    upstream.once('connect', () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    urlWithAuth: (user, password) => `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    tunnels,
    forwarded,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
