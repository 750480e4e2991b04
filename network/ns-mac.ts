import { devAddrHex } from '../crypto/types.js';
import type { MacCommand } from '../simulator/lorawan/mac/fields.js';
import { dataRate, dataRateIndex } from '../simulator/region/channels.js';
import { loraDemodulationFloor } from '../simulator/region/demodulation.js';
import { gpsTimeMs } from '../simulator/semtech-udp/packets.js';
import type { Scheduler } from '../simulator/time/scheduler.js';
import { adrAnswer, adrUplink } from './adr.js';
import type { EntityIds, EventBus } from './events.js';
import { setPath } from './paths.js';
import { frequencyPlanOf, type DeviceEntry } from './registry.js';
import type { GatewayUplink } from './udp-frontend.js';

/*
 * The NS's side of the MAC commands in a device's uplinks (one case per command, as TTS's
 * pkg/networkserver/mac does per file), and the ADR decision an uplink with the ADR bit asks for.
 */

/** What the MAC handlers use of the NS. */
export interface NsContext {
  events: EventBus;
  scheduler: Scheduler;
}

/** A device's identifiers in the events it is named in. */
export function ids(d: DeviceEntry): EntityIds[] {
  const dev: Record<string, unknown> = {
    device_id: d.deviceId,
    application_ids: { application_id: d.applicationId },
  };
  if (d.session) dev.dev_addr = devAddrHex(d.session.devAddr);
  return [{ device_ids: dev as never }];
}

export function uplinkMac(
  ns: NsContext,
  d: DeviceEntry,
  cmds: MacCommand[],
  best: GatewayUplink,
  copies: GatewayUplink[],
): void {
  const s = d.session!;
  for (const c of cmds) {
    switch (c.name) {
      case 'LinkCheckReq': {
        const dr = dataRate(
          frequencyPlanOf(d).region,
          dataRateIndex(frequencyPlanOf(d).region, best.datr) ?? 0,
        );
        const floor = dr.modulation === 'LORA' ? loraDemodulationFloor(dr.spreadingFactor) : 0;
        s.macOut = [
          ...s.macOut,
          {
            name: 'LinkCheckAns',
            margin: Math.max(0, Math.min(254, Math.round(best.snr - floor))),
            gwCnt: copies.length,
          },
        ];
        break;
      }
      case 'DeviceTimeReq': {
        const gps = gpsTimeMs(ns.scheduler.wallClockMs(best.receivedAtUs));
        s.macOut = [
          ...s.macOut,
          {
            name: 'DeviceTimeAns',
            gpsEpochSeconds: Math.floor(gps / 1000) >>> 0,
            fractionalSecondUnits: Math.floor(((gps % 1000) * 256) / 1000),
          },
        ];
        break;
      }
      case 'RekeyInd':
        s.macOut = [...s.macOut, { name: 'RekeyConf', minorVersion: 1 }];
        break;
      case 'PingSlotInfoReq':
        // LoRaWAN 1.0.4 §12.1.1: the device's ping-slot periodicity, acknowledged.
        s.pingSlotPeriodicity = c.periodicity;
        s.macOut = [...s.macOut, { name: 'PingSlotInfoAns' }];
        break;
      case 'ResetInd':
        s.macOut = [...s.macOut, { name: 'ResetConf', minorVersion: 1 }];
        break;
      case 'LinkADRAns': {
        const verdict = s.adr ? adrAnswer(s.adr, c) : 'unsolicited';
        if (verdict !== 'unsolicited')
          ns.events.publish(
            `ns.mac.link_adr.answer.${verdict === 'accepted' ? 'accept' : 'reject'}`,
            ids(d),
            {
              ...c,
            },
          );
        break;
      }
      case 'DevStatusAns':
        setPath(
          d.ns!,
          'battery_percentage',
          c.battery === 255 || c.battery === 0 ? undefined : c.battery / 254,
        );
        setPath(d.ns!, 'downlink_margin', c.margin);
        ns.events.publish('ns.mac.dev_status.answer', ids(d), { battery: c.battery, margin: c.margin });
        break;
      default:
        ns.events.publish(`ns.mac.${snake(c.name)}`, ids(d), { ...c });
    }
  }
}

/** An uplink with the ADR bit: the link judged over its recent SNR, and a LinkADRReq when it should change. */
export function adr(ns: NsContext, d: DeviceEntry, best: GatewayUplink, copies: GatewayUplink[]): void {
  const s = d.session!;
  const region = frequencyPlanOf(d).region;
  const dr = dataRateIndex(region, best.datr);
  if (dr === undefined) return;
  s.adr ??= { snr: [], dataRate: dr, txPowerIndex: 0 };
  const req = adrUplink(region, s.adr, {
    dataRate: dr,
    snr: Math.max(...copies.map((c) => c.snr)),
    channels: s.channels.length,
  });
  if (req === undefined) return;
  s.macOut = [...s.macOut, req];
  ns.events.publish('ns.mac.link_adr.request', ids(d), { ...req });
}

function snake(name: string): string {
  return name
    .replace(
      /(Req|Ans|Ind|Conf)$/,
      (m) =>
        `.${m === 'Req' ? 'request' : m === 'Ans' ? 'answer' : m === 'Ind' ? 'indication' : 'confirmation'}`,
    )
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
