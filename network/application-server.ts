import { devAddrHex } from '../crypto/types.js';
import { GRPC, NetworkError, notFound } from './errors.js';
import type { EventBus } from './events.js';
import type { MqttBroker } from './mqtt-broker.js';
import { getPath } from './paths.js';
import type { DeviceEntry, QueuedDownlink, Registry } from './registry.js';

export interface UplinkMetadata {
  fPort: number;
  fCnt: number;
  frmPayload: Uint8Array;
  confirmed: boolean;
  rxMetadata: Record<string, unknown>[];
  settings: Record<string, unknown>;
  receivedAt: string;
  consumedAirtime: string;
}

/** The Application Server: TTS-format messages on MQTT and the events bus, and the downlink queue. */
export class ApplicationServer {
  mqtt: MqttBroker | undefined;
  /** In-process subscribers (network/in-process.ts): each message the MQTT integration publishes. */
  readonly subscribers = new Set<(topic: string, message: Record<string, unknown>) => void>();
  /** Called when a class C device gets a downlink queued: the NS may send it at once. */
  onQueued: ((d: DeviceEntry) => void) | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly events: EventBus,
  ) {}

  endDeviceIds(d: DeviceEntry): Record<string, unknown> {
    const ids: Record<string, unknown> = {
      device_id: d.deviceId,
      application_ids: { application_id: d.applicationId },
    };
    const src = d.is ?? d.ns ?? d.js ?? {};
    const devEui = getPath(src, 'ids.dev_eui');
    const joinEui = getPath(src, 'ids.join_eui');
    if (devEui) ids.dev_eui = devEui;
    if (joinEui) ids.join_eui = joinEui;
    if (d.session) ids.dev_addr = devAddrHex(d.session.devAddr);
    return ids;
  }

  private send(d: DeviceEntry, topicSuffix: string, event: string, body: Record<string, unknown>): void {
    const ids = this.endDeviceIds(d);
    const msg = {
      end_device_ids: ids,
      correlation_ids: [`as:${event}`],
      received_at: this.events.nowIso(),
      ...body,
    };
    const topic = `v3/${d.applicationId}/devices/${d.deviceId}/${topicSuffix}`;
    this.mqtt?.publish(topic, msg);
    for (const s of this.subscribers) s(topic, msg);
    this.events.publish(`as.${event}`, [{ device_ids: ids as never }], () => ({
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ApplicationUp',
      ...msg,
    }));
  }

  joined(d: DeviceEntry): void {
    this.send(d, 'join', 'up.join.forward', {
      join_accept: { session_key_id: d.session!.sessionKeyId, received_at: this.events.nowIso() },
    });
  }

  uplink(d: DeviceEntry, m: UplinkMetadata): void {
    this.send(d, 'up', 'up.data.forward', {
      uplink_message: {
        session_key_id: d.session!.sessionKeyId,
        f_port: m.fPort,
        f_cnt: m.fCnt,
        frm_payload: Buffer.from(m.frmPayload).toString('base64'),
        confirmed: m.confirmed,
        rx_metadata: m.rxMetadata,
        settings: m.settings,
        received_at: m.receivedAt,
        consumed_airtime: m.consumedAirtime,
      },
    });
  }

  downlinkEvent(
    d: DeviceEntry,
    kind: 'queued' | 'sent' | 'ack' | 'nack' | 'failed',
    item: QueuedDownlink,
    error?: string,
  ): void {
    const downlink = {
      f_port: item.f_port,
      frm_payload: item.frm_payload,
      confirmed: item.confirmed,
      priority: item.priority,
      correlation_ids: item.correlation_ids,
    };
    const body =
      kind === 'failed'
        ? { downlink_failed: { downlink, error: { message: error } } }
        : { [`downlink_${kind}`]: downlink };
    this.send(d, `down/${kind}`, `down.data.${kind}.forward`, body);
  }

  /** Validates and queues (push) or replaces the queue (replace), as `POST …/down/push|replace`. */
  enqueue(
    applicationId: string,
    deviceId: string,
    op: 'push' | 'replace',
    body: unknown,
  ): readonly QueuedDownlink[] {
    const d = this.registry.device(applicationId, deviceId);
    if (d === undefined || d.as === undefined) {
      throw notFound('pkg/applicationserver', 'device_not_found', `device \`${deviceId}\``, {
        device_uid: `${applicationId}.${deviceId}`,
      });
    }
    const list = (body as { downlinks?: unknown })?.downlinks;
    if (!Array.isArray(list))
      throw new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/applicationserver',
        'invalid_body',
        '`downlinks` must be a list',
      );
    const items = list.map((x, i) => validateDownlink(x, i));
    if (items.length > 0 && d.session === undefined) {
      throw new NetworkError(
        GRPC.FAILED_PRECONDITION,
        'pkg/applicationserver',
        'no_device_session',
        'no device session; check device activation',
      );
    }
    d.queue = op === 'replace' ? items : [...d.queue, ...items];
    for (const item of items) this.downlinkEvent(d, 'queued', item);
    if (items.length > 0) this.onQueued?.(d);
    return d.queue;
  }
}

function validateDownlink(x: unknown, i: number): QueuedDownlink {
  const bad = (msg: string) =>
    new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/ttnpb', 'validation', `invalid \`downlinks[${i}]\`: ${msg}`);
  if (typeof x !== 'object' || x === null) throw bad('not an object');
  const o = x as Record<string, unknown>;
  const fPort = o.f_port ?? o.fPort;
  if (typeof fPort !== 'number' || !Number.isInteger(fPort) || fPort < 1 || fPort > 223) {
    throw new NetworkError(
      GRPC.INVALID_ARGUMENT,
      'pkg/applicationserver',
      'no_f_port',
      `invalid \`downlinks[${i}].f_port\`: ${JSON.stringify(fPort)}`,
    );
  }
  const payload = o.frm_payload ?? o.frmPayload ?? '';
  if (
    typeof payload !== 'string' ||
    !/^[A-Za-z0-9+/]*={0,2}$/.test(payload) ||
    Buffer.from(payload, 'base64').length > 255
  ) {
    throw bad('frm_payload must be base64 of at most 255 bytes');
  }
  const ids = o.correlation_ids;
  return {
    f_port: fPort,
    frm_payload: payload,
    confirmed: o.confirmed === true,
    priority: typeof o.priority === 'string' ? o.priority : 'LOWEST',
    correlation_ids: Array.isArray(ids) ? ids.map(String) : [],
  };
}
