import { GRPC, NetworkError, notFound } from '../errors.js';
import type { HttpApi } from '../http-api.js';
import { decodeMacCommands } from '../../simulator/lorawan/mac/table.js';

/** The AS downlink queue, and lorafleet's own route to queue NS MAC requests. */
export function downlinksRoutes(api: HttpApi): void {
  const net = api.net;
  const reg = net.registry;
  // downlink queue
  for (const op of ['push', 'replace'] as const) {
    api.route('POST', `/as/applications/{app}/devices/{dev}/down/${op}`, (c) => {
      api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE');
      net.as.enqueue(c.params[0]!, c.params[1]!, op, c.body);
      return {};
    });
  }
  api.route('GET', '/as/applications/{app}/devices/{dev}/down', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_TRAFFIC_READ');
    const d = reg.device(c.params[0]!, c.params[1]!);
    if (!d?.as) throw notFound('pkg/applicationserver', 'device_not_found', `device \`${c.params[1]}\``);
    return { downlinks: d.queue };
  });

  // lorafleet's own: make the NS send MAC requests (hex of CID + payload) in the next downlink.
  api.route('POST', '/ns/applications/{app}/devices/{dev}/lorafleet/mac', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
    const hex = String(c.body.commands ?? '');
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex))
      throw new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/ttnpb',
        'validation',
        'invalid `commands`: hex of MAC commands',
      );
    let cmds;
    try {
      cmds = decodeMacCommands(Uint8Array.from(Buffer.from(hex, 'hex')), 'downlink');
    } catch (e) {
      throw new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/ttnpb',
        'validation',
        `invalid \`commands\`: ${(e as Error).message}`,
      );
    }
    net.queueMacRequests(c.params[0]!, c.params[1]!, cmds);
    return { queued: cmds.map((x) => x.name) };
  });
}
