import { createServer, type AddressInfo } from 'node:net';

/** A loopback port nothing listens on (bound, then released): for "cannot connect" tests. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}
