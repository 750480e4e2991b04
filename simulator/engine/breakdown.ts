import type { VirtualGateway } from '../gateway/gateway.js';
import type { RadioFate } from '../radio/air-frame.js';
import type { ProgressBreakdown } from '../report/types.js';
import type { CompactFleetRun } from './compact-fleets.js';
import type { FirmwareDevice } from './firmware-fleet.js';
import { GATEWAY_PATH } from './refusals.js';

type FleetFigures = ProgressBreakdown['fleets'][string];

/**
 * The run's live figures by fleet, gateway and reason: what the exporters label their series with
 * and the dashboard tabulates. Counts that arrive as events (uplinks sent and delivered, frames the
 * radio lost) are kept here; the rest is read from the devices and gateways when asked.
 */
export class Breakdown {
  private readonly sentBy = new Map<string, number>();
  private readonly deliveredBy = new Map<string, number>();
  private readonly lost: ProgressBreakdown['transmissionsLost'] = { 'out-of-range': 0, collided: 0 };

  sent(fleet: string): void {
    this.sentBy.set(fleet, (this.sentBy.get(fleet) ?? 0) + 1);
  }

  delivered(fleet: string | undefined): void {
    if (fleet !== undefined) this.deliveredBy.set(fleet, (this.deliveredBy.get(fleet) ?? 0) + 1);
  }

  /** One transmission (a join, an uplink, a retransmission) ended with what the radio made of it. */
  transmission(fate: RadioFate): void {
    if (fate !== 'received') this.lost[fate]++;
  }

  /** Transmissions the radio lost so far, by why. */
  transmissionsLost(): ProgressBreakdown['transmissionsLost'] {
    return { ...this.lost };
  }

  figures(o: {
    devices: ReadonlyMap<string, FirmwareDevice>;
    compact: readonly CompactFleetRun[];
    gateways: ReadonlyMap<string, VirtualGateway>;
    reasons: Record<string, number>;
  }): ProgressBreakdown {
    const fleets: Record<string, FleetFigures> = {};
    const fleet = (name: string): FleetFigures =>
      (fleets[name] ??= {
        devices: 0,
        joined: 0,
        uplinksSent: this.sentBy.get(name) ?? 0,
        uplinksDelivered: this.deliveredBy.get(name) ?? 0,
      });
    const downlinkLosses: ProgressBreakdown['downlinkLosses'] = {
      'gateway-refused': 0,
      'device-busy': 0,
      'outside-window': 0,
      'not-scheduled': 0,
      'too-weak': 0,
    };
    for (const { dev, plan } of o.devices.values()) {
      const f = fleet(plan.fleet.name);
      f.devices++;
      if (dev.joined) f.joined++;
      const c = dev.counters;
      downlinkLosses['gateway-refused'] += c.downlinksRefusedByGateway;
      downlinkLosses['not-scheduled'] += c.downlinksNotScheduled;
      downlinkLosses['too-weak'] += c.downlinksTooWeak;
      downlinkLosses['device-busy'] += c.downlinksLostBusy;
      downlinkLosses['outside-window'] += c.downlinksMissed;
    }
    for (const c of o.compact) {
      const f = fleet(c.name);
      f.devices += c.plans.length;
      f.joined += c.plans.length;
      downlinkLosses['outside-window'] += c.fleet.counters.downlinksMissed;
    }
    const gateways: ProgressBreakdown['gateways'] = {};
    for (const [id, g] of o.gateways) {
      const c = g.counters;
      let txAckErrors = 0;
      for (const [k, n] of Object.entries(c.txAck)) if (k !== 'NONE') txAckErrors += n;
      gateways[id] = {
        received: c.rxReceived,
        forwarded: c.rxForwarded,
        transmitted: c.transmitted,
        txAckErrors,
      };
    }
    const reasons: Record<string, number> = {};
    for (const [k, n] of Object.entries(o.reasons)) if (!k.startsWith(GATEWAY_PATH)) reasons[k] = n;
    return { fleets, gateways, transmissionsLost: this.transmissionsLost(), downlinkLosses, reasons };
  }
}
