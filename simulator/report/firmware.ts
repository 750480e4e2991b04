import type { FirmwareReport } from './types.js';

/** A firmware block with nothing in it. */
export const emptyFirmware = (): FirmwareReport => ({
  mac: { fromNetwork: {}, fromDevices: {}, refused: {}, stickyRepeats: 0, pendingAtEnd: {} },
  dataRates: {},
  txPowerDbm: {},
  adrOverTime: { intervalS: 10, fleets: {} },
  confirmed: { acked: 0, unacked: 0, retransmissions: 0 },
  downlinksByWindow: {},
  classCDevices: 0,
  joinRequests: { devices: 0, total: 0, max: 0, perDevice: {} },
});

/**
 * A report's firmware block with every field present: a report written by an earlier lorafleet (read
 * back by `report merge`) may lack the newer ones, which then read as empty.
 */
export function firmwareOf(f: Partial<FirmwareReport> | undefined): FirmwareReport {
  const e = emptyFirmware();
  if (f === undefined) return e;
  return {
    mac: { ...e.mac, ...f.mac },
    dataRates: f.dataRates ?? e.dataRates,
    txPowerDbm: f.txPowerDbm ?? e.txPowerDbm,
    adrOverTime: f.adrOverTime ?? e.adrOverTime,
    confirmed: { ...e.confirmed, ...f.confirmed },
    downlinksByWindow: f.downlinksByWindow ?? e.downlinksByWindow,
    classCDevices: f.classCDevices ?? 0,
    joinRequests: { ...e.joinRequests, ...f.joinRequests },
  };
}
