import { GRPC, NetworkError } from '../errors.js';
import type { HttpApi, Ctx } from '../http-api.js';
import { getPath } from '../paths.js';
import { queryPaths, bodyPaths } from './common.js';
import type { Doc } from '../registry.js';
import type { Component } from '../device-registries.js';

/** End devices: the IS registry, then the JS, NS and AS parts. */
export function devicesRoutes(api: HttpApi): void {
  const net = api.net;
  // end devices: IS, then JS / NS / AS
  api.route('POST', '/applications/{app}/devices', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
    return net.devices.create(c.params[0]!, (c.body.end_device ?? {}) as Doc);
  });
  api.route('GET', '/applications/{app}/devices', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_READ');
    const limit = Math.min(1000, Number(c.query.get('limit') ?? 100) || 100);
    const { devices, total } = net.devices.list(
      c.params[0]!,
      queryPaths(c),
      limit,
      Number(c.query.get('page') ?? 1) || 1,
    );
    c.res.setHeader('X-Total-Count', String(total));
    return { end_devices: devices };
  });
  const batch = (comp: Component) => (c: Ctx) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
    net.devices.batchDelete(comp, c.params[0]!, c.query.getAll('device_ids'));
    return {};
  };
  api.route('DELETE', '/applications/{app}/devices/batch', batch('is'));
  // IS batch get: 1 to 20 ids; devices that do not exist are left out (tts-api.md 1.2).
  api.route('GET', '/applications/{app}/devices/batch', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_READ');
    const ids = c.query.getAll('device_ids');
    if (ids.length < 1 || ids.length > 20)
      throw new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/ttnpb',
        'validation',
        `invalid \`device_ids\`: expected 1 to 20 device IDs, got ${ids.length}`,
      );
    const found: Doc[] = [];
    for (const id of ids) {
      try {
        found.push(net.devices.get('is', c.params[0]!, id, queryPaths(c)) as Doc);
      } catch (e) {
        if (!(e instanceof NetworkError && e.grpcCode === GRPC.NOT_FOUND)) throw e;
      }
    }
    return { end_devices: found };
  });
  api.route('GET', '/applications/{app}/devices/{dev}', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_READ');
    return net.devices.get('is', c.params[0]!, c.params[1]!, queryPaths(c));
  });
  api.route('PUT', '/applications/{app}/devices/{dev}', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
    return net.devices.set('is', c.params[0]!, c.params[1]!, (c.body.end_device ?? {}) as Doc, bodyPaths(c));
  });
  api.route('DELETE', '/applications/{app}/devices/{dev}', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
    net.devices.delete('is', c.params[0]!, c.params[1]!);
    return {};
  });
  for (const comp of ['js', 'ns', 'as'] as const) {
    const set = (c: Ctx, devId: string) => {
      const keys = bodyPaths(c).some((p) => p.includes('keys'));
      api.requireApp(
        c,
        c.params[0]!,
        keys ? 'RIGHT_APPLICATION_DEVICES_WRITE_KEYS' : 'RIGHT_APPLICATION_DEVICES_WRITE',
      );
      return net.devices.set(comp, c.params[0]!, devId, (c.body.end_device ?? {}) as Doc, bodyPaths(c));
    };
    api.route('DELETE', `/${comp}/applications/{app}/devices/batch`, batch(comp));
    api.route('PUT', `/${comp}/applications/{app}/devices/{dev}`, (c) => set(c, c.params[1]!));
    api.route('POST', `/${comp}/applications/{app}/devices`, (c) =>
      set(c, String(getPath((c.body.end_device ?? {}) as Doc, 'ids.device_id') ?? '')),
    );
    api.route('GET', `/${comp}/applications/{app}/devices/{dev}`, (c) => {
      const keys = queryPaths(c).some((p) => p.includes('keys'));
      api.requireApp(
        c,
        c.params[0]!,
        keys ? 'RIGHT_APPLICATION_DEVICES_READ_KEYS' : 'RIGHT_APPLICATION_DEVICES_READ',
      );
      return net.devices.get(comp, c.params[0]!, c.params[1]!, queryPaths(c));
    });
    api.route('DELETE', `/${comp}/applications/{app}/devices/{dev}`, (c) => {
      api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
      net.devices.delete(comp, c.params[0]!, c.params[1]!);
      return {};
    });
  }
}
