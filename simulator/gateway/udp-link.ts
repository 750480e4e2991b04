import { createSocket } from 'node:dgram';
import type { DatagramLink, GatewayTransport } from '../semtech-udp/transport.js';

/**
 * A gateway's link over a real UDP socket, bound to `bindAddress` (loopback by default), sending to
 * the network server's address. PULL_RESP carries no EUI: the network routes downlinks by the source
 * address of PULL_DATA, so a gateway keeps one socket for both directions.
 */
export function udpTransport(
  server: { host: string; port: number },
  bindAddress = '127.0.0.1',
): GatewayTransport {
  return async (handlers) => {
    const socket = createSocket('udp4');
    socket.on('message', (msg) => handlers.message(msg));
    socket.on('error', (e) => handlers.error(e));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, bindAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    let open = true;
    const link: DatagramLink = {
      send: (b, sent) => {
        if (!open) return;
        socket.send(b, server.port, server.host, (e) => {
          if (e) handlers.error(e);
          else sent?.();
        });
      },
      close: () => {
        if (!open) return Promise.resolve();
        open = false;
        return new Promise<void>((resolve) => socket.close(() => resolve()));
      },
      address: () => (open ? socket.address() : undefined),
    };
    return link;
  };
}
