import { GRPC, NetworkError } from '../errors.js';
import type { HttpApi } from '../http-api.js';
import { applicationOf, compileNames, EventNamesError, type EntityIds } from '../events.js';
import { ttsJson } from '../tts-json.js';

/** The events stream (`POST /events`). */
export function eventsRoutes(api: HttpApi): void {
  const net = api.net;
  // events stream: {"result": event} objects, "\n\n"-separated for text/event-stream
  api.route('POST', '/events', (c) => {
    const idents = c.body.identifiers;
    if (!Array.isArray(idents) || idents.length === 0) {
      throw new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/events/grpc', 'no_identifiers', 'no identifiers');
    }
    if (idents.length > 1000 || !idents.every(isEntityIds))
      throw new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/events/grpc',
        'invalid_identifiers',
        'invalid `identifiers`: each one of application_ids, device_ids or gateway_ids, with string IDs',
      );
    for (const i of idents as EntityIds[]) {
      const app = applicationOf(i);
      if (app !== undefined) api.requireApp(c, app, 'RIGHT_APPLICATION_TRAFFIC_READ');
      else api.requireAdmin(c);
    }
    const sep = (c.req.headers.accept ?? '').includes('text/event-stream') ? '\n\n' : '\n';
    const rawNames = c.body.names ?? [];
    if (!Array.isArray(rawNames))
      throw new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/events/grpc', 'invalid_names', 'invalid `names`');
    // Compiled here, once: a bad pattern is the client's 400, never a failure while publishing.
    try {
      compileNames(rawNames);
    } catch (e) {
      if (!(e instanceof EventNamesError)) throw e;
      throw new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/events/grpc', 'invalid_names', e.message);
    }
    const names = rawNames as string[];
    c.res.writeHead(200, { 'content-type': sep === '\n\n' ? 'text/event-stream' : 'application/json' });
    const write = (result: unknown) => c.res.write(`${ttsJson({ result })}${sep}`);
    write({
      name: 'events.stream.start',
      time: new Date().toISOString(),
      identifiers: idents,
      correlation_ids: [],
    });
    const unsubscribe = net.events.subscribe({ identifiers: idents as EntityIds[], names, send: write });
    c.req.on('close', unsubscribe);
    return undefined;
  });
}

const isIdString = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 36;

/** An events-stream identifier in one of the three shapes lorafleet's network publishes. */
function isEntityIds(i: unknown): boolean {
  if (typeof i !== 'object' || i === null || Array.isArray(i)) return false;
  const o = i as Record<string, Record<string, unknown> | undefined>;
  const keys = Object.keys(o);
  if (keys.length !== 1) return false;
  if (keys[0] === 'application_ids') return isIdString(o.application_ids?.application_id);
  if (keys[0] === 'gateway_ids') return isIdString(o.gateway_ids?.gateway_id);
  if (keys[0] === 'device_ids') {
    const d = o.device_ids;
    const app = d?.application_ids as Record<string, unknown> | undefined;
    return isIdString(d?.device_id) && isIdString(app?.application_id);
  }
  return false;
}
