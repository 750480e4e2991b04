import { build, type Histogram } from 'hdr-histogram-js';
import mqtt from 'mqtt';
import { LorafleetError } from '../../crypto/errors.js';
import type { RadioFate } from '../radio/air-frame.js';
import type { UplinkLossReason } from '../metrics/losses.js';

/** The application's MQTT broker could not be reached, refused the key, or refused a subscription. */
export class MqttConnectError extends LorafleetError {
  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('LORAFLEET_MQTT_CONNECT', message, options);
  }
}

export interface VerifierStats {
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  corrupted: number;
  unexpected: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number; count: number };
}

interface Expected {
  fCnt: number;
  /** Another uplink of the same device still pending (a device rarely has more than one). */
  next: Expected | undefined;
  /** The application bytes in base64, as TTS writes `frm_payload` (standard alphabet, padded). */
  bytes: string;
  sentAt: number;
  /** The device's fleet (or any group the caller counts by). */
  group?: string | undefined;
  /** The best the radio did for any transmission of it (see radio()). */
  radio?: RadioFate | undefined;
  /** A gateway heard it while the simulator ran late, the network on the same thread (see radio()). */
  late?: boolean | undefined;
}

/** What the radio made of an uplink's transmissions, worst to best. */
const RADIO_RANK: Record<RadioFate, number> = { 'out-of-range': 0, collided: 1, received: 2 };

/** The FCnts of a device's last 32 frames that arrived: the highest, and a bit for each below it. */
interface Arrived {
  top: number;
  mask: number;
}

/**
 * Checks that every uplink the simulator sent reached the application: matches MQTT `up` messages
 * with the simulator's record (device, FCnt, decrypted bytes), measures end-to-end latency from the
 * radio transmit time into an HDR histogram, and counts what was lost, duplicated or corrupted.
 */
export class UplinkVerifier {
  /**
   * Uplinks sent and not yet arrived: a run holds only what is in flight (and, at the end, what was
   * lost), not every uplink it ever sent.
   */
  private readonly pending = new Map<string, Expected>();
  private pendingCount = 0;
  private readonly arrived = new Map<string, Arrived>();
  /** Uplinks the network said it refused, by device. */
  private readonly refusals = new Map<string, number>();
  private sent = 0;
  private readonly latency: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000,
    numberOfSignificantValueDigits: 3,
  });
  private delivered = 0;
  private duplicated = 0;
  private corrupted = 0;
  private unexpected = 0;
  private client: mqtt.MqttClient | undefined;
  /**
   * One shard of a run (`--workers`): the devices it sent for. The application's topics carry every
   * shard's uplinks; the others' are not this verifier's to parse or count.
   */
  ours: ((deviceId: string) => boolean) | undefined;

  /**
   * `onDelivered` sees each delivery's latency as it is measured (for timelines and live exporters),
   * with the group its uplink was expected with.
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly onDelivered?: (latencyMs: number, group: string | undefined) => void,
  ) {}

  /**
   * Records an uplink the simulator sent: device, full FCnt, application bytes, radio transmit time
   * (ms), and the group (fleet) a delivery is counted in.
   */
  expect(deviceId: string, fCnt: number, bytes: Uint8Array, sentAtMs: number, group?: string): void {
    const b64 = Buffer.from(bytes).toString('base64');
    const known = this.find(deviceId, fCnt);
    if (known !== undefined) {
      // The same FCnt again: what was sent last is what must arrive, judged afresh.
      known.bytes = b64;
      known.sentAt = sentAtMs;
      known.group = group;
      known.radio = undefined;
      known.late = undefined;
      return;
    }
    this.sent++;
    this.pendingCount++;
    const e: Expected = { fCnt, next: this.pending.get(deviceId), bytes: b64, sentAt: sentAtMs };
    if (group !== undefined) e.group = group;
    this.pending.set(deviceId, e);
  }

  /**
   * The pending uplink of a device with this FCnt. Kept by device (the ID is the simulator's own
   * string, hashed once) in a short list, not by a "device/FCnt" string made for every lookup.
   */
  private find(deviceId: string, fCnt: number): Expected | undefined {
    for (let e = this.pending.get(deviceId); e !== undefined; e = e.next) if (e.fCnt === fCnt) return e;
    return undefined;
  }

  /** Takes a pending uplink off its device's list. */
  private take(deviceId: string, taken: Expected): void {
    const head = this.pending.get(deviceId)!;
    this.pendingCount--;
    if (head === taken) {
      if (taken.next === undefined) this.pending.delete(deviceId);
      else this.pending.set(deviceId, taken.next);
      return;
    }
    let e = head;
    while (e.next !== taken) e = e.next!;
    e.next = taken.next;
  }

  /**
   * What the radio made of one transmission of an expected uplink (the best of its attempts counts);
   * `late`: the simulator's loop was late then, and the network shares it (the embedded network in
   * wall time), so a loss of what was received is the simulator's.
   */
  radio(deviceId: string, fCnt: number, fate: RadioFate, late = false): void {
    const e = this.find(deviceId, fCnt);
    if (e === undefined) return;
    if (e.radio === undefined || RADIO_RANK[fate] > RADIO_RANK[e.radio]) e.radio = fate;
    if (late && fate === 'received') e.late = true;
  }

  /** The network said it refused an uplink of `deviceId` (ns.up.data.drop and the like). */
  refused(deviceId: string): void {
    this.refusals.set(deviceId, (this.refusals.get(deviceId) ?? 0) + 1);
  }

  /**
   * The uplinks still unmatched (lost, once the run is over), by why. A received one of a device the
   * network refused uplinks of is put down to a refusal, one refusal an uplink.
   */
  lossesByReason(): Record<UplinkLossReason, number> {
    const out: Record<UplinkLossReason, number> = {
      'out-of-range': 0,
      collided: 0,
      refused: 0,
      network: 0,
      'simulator-late': 0,
    };
    const refusals = new Map(this.refusals);
    for (const [device, head] of this.pending)
      for (let e: Expected | undefined = head; e !== undefined; e = e.next) {
        if (e.radio === 'out-of-range') out['out-of-range']++;
        else if (e.radio === 'collided') out.collided++;
        else {
          const left = refusals.get(device) ?? 0;
          if (left > 0) {
            refusals.set(device, left - 1);
            out.refused++;
          } else if (e.late) out['simulator-late']++;
          else out.network++;
        }
      }
    return out;
  }

  /** An `up` message as the AS published it (TTS ApplicationUp JSON). */
  receive(message: {
    end_device_ids?: { device_id?: string };
    uplink_message?: { f_cnt?: number; frm_payload?: string };
  }): void {
    const id = message.end_device_ids?.device_id;
    const up = message.uplink_message;
    if (id === undefined || up === undefined) return;
    // TTS leaves zero values out of its JSON: the first uplink of a session (FCnt 0) has no f_cnt.
    const fCnt = up.f_cnt ?? 0;
    const e = this.find(id, fCnt);
    if (e === undefined) {
      if (this.hasArrived(id, fCnt)) this.duplicated++;
      else this.unexpected++;
      return;
    }
    this.take(id, e);
    this.markArrived(id, fCnt);
    // Compared as written: one encoding of the bytes is canonical; anything else is not what was sent.
    if ((up.frm_payload ?? '') !== e.bytes && !sameBytes(up.frm_payload, e.bytes)) {
      this.corrupted++;
      return;
    }
    this.delivered++;
    const latencyMs = Math.max(1, Math.round(this.now() - e.sentAt));
    this.latency.recordValue(latencyMs);
    this.onDelivered?.(latencyMs, e.group);
  }

  private hasArrived(id: string, fCnt: number): boolean {
    const a = this.arrived.get(id);
    if (a === undefined || fCnt > a.top) return false;
    const d = a.top - fCnt;
    return d < 32 && ((a.mask >>> d) & 1) === 1;
  }

  private markArrived(id: string, fCnt: number): void {
    const a = this.arrived.get(id);
    if (a === undefined) this.arrived.set(id, { top: fCnt, mask: 1 });
    else if (fCnt > a.top) {
      const d = fCnt - a.top;
      a.mask = d >= 32 ? 1 : ((a.mask << d) | 1) >>> 0;
      a.top = fCnt;
    } else if (a.top - fCnt < 32) a.mask = (a.mask | (1 << (a.top - fCnt))) >>> 0;
  }

  /**
   * Subscribes to the application's up/join/down topics (username app id or app@tenant, password a
   * key). The first connection is not retried: an unreachable broker or a refused key fails here with
   * the URL and the cause, instead of hanging the run; later drops reconnect.
   */
  async connect(url: string, username: string, password: string, applicationUid: string): Promise<void> {
    const where = (() => {
      try {
        return new URL(url).host;
      } catch {
        return url;
      }
    })();
    try {
      this.client = await mqtt.connectAsync(
        url,
        { username, password, reconnectPeriod: 1000, connectTimeout: 10_000 },
        false,
      );
    } catch (e) {
      const err = e as { code?: string | number; message?: string };
      throw new MqttConnectError(
        url,
        `cannot connect to the MQTT broker at ${where}: ${typeof err.code === 'string' ? `${err.code} ` : ''}${err.message ?? String(e)}`,
        { cause: e },
      );
    }
    const topics = [
      `v3/${applicationUid}/devices/+/up`,
      `v3/${applicationUid}/devices/+/join`,
      `v3/${applicationUid}/devices/+/down/+`,
    ];
    // MQTT.js rejects a SUBACK 0x80 ("Unspecified error") rather than returning it: either way, refused.
    const granted = await this.client
      .subscribeAsync(topics)
      .catch(() => topics.map((topic) => ({ topic, qos: 128 })));
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0) {
      await this.client.endAsync(true);
      this.client = undefined;
      throw new MqttConnectError(
        url,
        `the MQTT broker at ${where} refused the subscription to ${refused.join(', ')}: the key needs RIGHT_APPLICATION_TRAFFIC_READ on ${applicationUid}`,
      );
    }
    this.client.on('message', (topic, payload) => this.receivePayload(topic, payload));
  }

  /** One MQTT message as it came, its payload still JSON text. */
  receivePayload(topic: string, payload: Buffer): void {
    if (!topic.endsWith('/up')) return;
    // A shard hears its application's every uplink: another shard's is left unparsed.
    if (this.ours !== undefined && !this.ours(deviceOfTopic(topic))) return;
    let message: unknown;
    try {
      message = JSON.parse(payload.toString());
    } catch {
      this.unexpected++;
      return;
    }
    this.receiveMessage(topic, message);
  }

  /** One message of the application's integration, by topic (only `…/up` carries uplinks). */
  receiveMessage(topic: string, message: unknown): void {
    if (!topic.endsWith('/up')) return;
    if (typeof message !== 'object' || message === null) {
      this.unexpected++;
      return;
    }
    this.receive(message as Parameters<UplinkVerifier['receive']>[0]);
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
    this.client = undefined;
  }

  /** Uplinks delivered so far (cheap: for pacing virtual time). */
  get deliveredCount(): number {
    return this.delivered;
  }

  /** Delivered count and latency percentiles without scanning every expected uplink (for live progress). */
  live(): { delivered: number; p50: number | null; p99: number | null } {
    const h = this.latency;
    return h.totalCount === 0
      ? { delivered: this.delivered, p50: null, p99: null }
      : { delivered: this.delivered, p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99) };
  }

  /** The latency histogram itself (ms), for reports that carry it whole; read it, don't record into it. */
  latencyHistogram(): Histogram {
    return this.latency;
  }

  stats(): VerifierStats {
    const lost = this.pendingCount;
    const h = this.latency;
    return {
      expected: this.sent,
      delivered: this.delivered,
      lost,
      duplicated: this.duplicated,
      corrupted: this.corrupted,
      unexpected: this.unexpected,
      latencyMs: {
        p50: h.getValueAtPercentile(50),
        p90: h.getValueAtPercentile(90),
        p99: h.getValueAtPercentile(99),
        max: h.maxValue,
        mean: h.totalCount === 0 ? 0 : h.mean,
        count: h.totalCount,
      },
    };
  }
}

/**
 * Whether a `frm_payload` that is not written as lorafleet writes base64 still holds the same bytes
 * (unpadded, or the URL-safe alphabet): a network that writes it so has not corrupted the uplink.
 */
function sameBytes(written: string | undefined, expected: string): boolean {
  if (written === undefined || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(written)) return false;
  return Buffer.from(written, 'base64').equals(Buffer.from(expected, 'base64'));
}

/** The device ID in `v3/{application}/devices/{device}/{message}` (TTS's MQTT topics). */
export function deviceOfTopic(topic: string): string {
  const at = topic.indexOf('/devices/');
  if (at < 0) return '';
  const from = at + 9;
  const to = topic.indexOf('/', from);
  return to < 0 ? topic.slice(from) : topic.slice(from, to);
}
