import type { Server } from 'node:net';

/**
 * Starts a TCP server (HTTP is one) on host:port and resolves with the address it got (port 0 picks
 * a free one); rejects with the listen error (EADDRINUSE, EACCES) instead of throwing it later.
 */
export function listen(
  server: Server,
  host: string,
  port: number,
): Promise<{ address: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(
        typeof a === 'object' && a !== null ? { address: a.address, port: a.port } : { address: host, port },
      );
    });
  });
}
