import { dataRateTable, sx1301Conf } from '../../simulator/basic-station/frames.js';
import type { LnsChannel, LnsConnect } from '../../simulator/gateway/station-link.js';
import { EU868 } from '../../simulator/region/eu868.js';

/** The eight EU868 uplink channels of TTS's EU_863_870 plan, Hz. */
export const EU_CHANNELS = [868.1, 868.3, 868.5, 867.1, 867.3, 867.5, 867.7, 867.9].map((f) => f * 1e6);

/** A router_config as an LNS sends it for EU868 (no nocca/nodc/nodwell: the station's checks on). */
export const EU_ROUTER_CONFIG = {
  msgtype: 'router_config',
  region: 'EU863',
  hwspec: 'sx1301/1',
  freq_range: [863_000_000, 870_000_000],
  DRs: dataRateTable(EU868),
  sx1301_conf: [sx1301Conf(EU_CHANNELS)],
};

/**
 * An LNS scripted by the test: what the station sent (parsed), a way to answer as the LNS (`lns`), and
 * the `connect` to give the station link.
 */
export function scriptedLns(): {
  sent: Record<string, unknown>[];
  lns: (m: Record<string, unknown>) => void;
  connect: LnsConnect;
} {
  const sent: Record<string, unknown>[] = [];
  let toStation: (t: string) => void = () => {};
  const connect: LnsConnect = (_eui, onText) => {
    toStation = onText;
    const ch: LnsChannel = {
      send: (t) => sent.push(JSON.parse(t) as Record<string, unknown>),
      close: () => {},
    };
    return Promise.resolve(ch);
  };
  return { sent, lns: (m) => toStation(JSON.stringify(m)), connect };
}
