// Network bits shared by fault tests.
import { createServer, type AddressInfo } from 'node:net';

/** A local TCP port nothing listens on (bound once, then released): connecting is refused. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
