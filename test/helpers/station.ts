import { dataRateTable, sx1301Conf } from '../../simulator/basic-station/frames.js';
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
