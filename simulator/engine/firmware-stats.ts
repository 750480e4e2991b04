import type { DeviceEvent, DeviceTransmission } from '../device/types.js';
import type { FirmwareReport } from '../report/types.js';
import type { Region } from '../region/types.js';
import { dataRateIndex } from '../region/channels.js';
import type { ViolationKind } from '../lorawan/violations.js';
import type { FirmwareDevice } from './firmware-fleet.js';

const bump = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);

/** A count in an interval's slot of a series, the series grown as far as needed. */
function bumpAt(series: Record<string, number[]>, k: string, i: number): void {
  const a = (series[k] ??= []);
  while (a.length <= i) a.push(0);
  a[i]!++;
}

/** The refusals a device reports as violations, by the request it refused. */
const REFUSED_REQUEST: Partial<Record<ViolationKind, string>> = {
  'link-adr-refused': 'LinkADRReq',
  'rx-param-setup-refused': 'RXParamSetupReq',
  'new-channel-refused': 'NewChannelReq',
  'dl-channel-refused': 'DlChannelReq',
};

/** At most this many intervals in the ADR timeline, each a whole number of 10 s. */
const ADR_INTERVALS = 30;

/**
 * What the firmware devices did, for the report's `firmware` block: MAC commands each way by name
 * (refusals and sticky repeats too), the data rates and powers their data frames used per fleet and
 * over time (ADR at work), confirmed uplinks, receive windows, and how many Join-requests a device
 * needed.
 */
export class FirmwareStats {
  private readonly fromNetwork: Record<string, number> = {};
  private readonly fromDevices: Record<string, number> = {};
  private readonly dataRates: Record<string, Record<string, number>> = {};
  private readonly txPowerDbm: Record<string, Record<string, number>> = {};
  private readonly downlinksByWindow: Record<string, number> = {};
  private readonly overTime: FirmwareReport['adrOverTime']['fleets'] = {};
  private startUs = 0;
  private intervalS = 10;

  constructor(private readonly region: Region) {}

  /** Traffic starts: the ADR timeline counts from here, in intervals fit for the run's duration. */
  start(atUs: number, durationMs: number): void {
    this.startUs = atUs;
    this.intervalS = Math.max(10, Math.ceil(durationMs / 1000 / ADR_INTERVALS / 10) * 10);
  }

  transmitted(fleet: string, tx: DeviceTransmission): void {
    if (tx.kind !== 'data') return;
    const index = dataRateIndex(this.region, tx.datr);
    const dr = index === undefined ? String(tx.datr) : `DR${index}`;
    bump((this.dataRates[fleet] ??= {}), dr);
    bump((this.txPowerDbm[fleet] ??= {}), String(tx.eirp));
    const i = Math.max(0, Math.floor((tx.startUs - this.startUs) / 1e6 / this.intervalS));
    const t = (this.overTime[fleet] ??= { dataRates: {}, txPowerDbm: {} });
    bumpAt(t.dataRates, dr, i);
    bumpAt(t.txPowerDbm, String(tx.eirp), i);
  }

  event(e: DeviceEvent): void {
    if (e.type === 'downlink') bump(this.downlinksByWindow, e.window);
    if (e.type !== 'mac') return;
    const into = e.dir === 'down' ? this.fromNetwork : this.fromDevices;
    for (const name of e.commands) bump(into, name);
  }

  /** The ADR timeline with every series as long as the longest: one slot per interval of traffic. */
  private timeline(): FirmwareReport['adrOverTime']['fleets'] {
    const out = structuredClone(this.overTime);
    const all = Object.values(out).flatMap((t) => [
      ...Object.values(t.dataRates),
      ...Object.values(t.txPowerDbm),
    ]);
    const n = Math.max(0, ...all.map((a) => a.length));
    for (const a of all) while (a.length < n) a.push(0);
    return out;
  }

  report(devices: ReadonlyMap<string, FirmwareDevice>): FirmwareReport {
    const joins = { devices: 0, total: 0, max: 0, perDevice: {} as Record<string, number> };
    const confirmed = { acked: 0, unacked: 0, retransmissions: 0 };
    const refused: Record<string, number> = {};
    let stickyRepeats = 0;
    const pendingAtEnd: Record<string, number> = {};
    let classC = 0;
    for (const { dev, plan } of devices.values()) {
      const c = dev.counters;
      confirmed.acked += c.confirmedAcked;
      confirmed.unacked += c.confirmedUnacked;
      confirmed.retransmissions += c.retransmissions;
      stickyRepeats += c.stickyRepeats;
      for (const a of [...dev.stickyAnswers, ...dev.pendingAnswers]) bump(pendingAtEnd, a.command.name);
      if (plan.fleet.class === 'C') classC++;
      for (const [kind, n] of Object.entries(dev.violations) as [ViolationKind, number][]) {
        const request = REFUSED_REQUEST[kind];
        if (request !== undefined) bump(refused, request, n);
      }
      if (plan.spec.activation !== 'otaa') continue;
      joins.devices++;
      joins.total += c.joinRequests;
      joins.max = Math.max(joins.max, c.joinRequests);
      bump(joins.perDevice, String(c.joinRequests));
    }
    return {
      mac: {
        fromNetwork: { ...this.fromNetwork },
        fromDevices: { ...this.fromDevices },
        refused,
        stickyRepeats,
        pendingAtEnd,
      },
      dataRates: structuredClone(this.dataRates),
      txPowerDbm: structuredClone(this.txPowerDbm),
      adrOverTime: { intervalS: this.intervalS, fleets: this.timeline() },
      confirmed,
      downlinksByWindow: { ...this.downlinksByWindow },
      classCDevices: classC,
      joinRequests: joins,
    };
  }
}
