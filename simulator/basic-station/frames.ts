import { bytesToHex } from '../../crypto/types.js';
import type { Region } from '../region/types.js';
import { LnsMessageError } from './errors.js';
import { dashedEui } from './eui.js';
import type { JreqMsg, PropdfMsg, UpdfMsg, UpInfo } from './messages.js';

/**
 * Basics Station does not forward the PHYPayload of an uplink: it splits it into the LoRaWAN fields
 * (LoRaWAN 1.0.4 §4, §6.2.2) and the LNS puts it back together. Both directions live here, so that a
 * frame survives the round trip bit for bit.
 */

const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
/** A LoRaWAN little-endian 32-bit field as the protocol's signed int32. */
const i32le = (b: Uint8Array, at: number) =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).readInt32LE(at);

/** A received frame as a station reports it: jreq, updf or (anything else) propdf. */
export function uplinkMessage(
  phy: Uint8Array,
  radio: { DR: number; Freq: number; upinfo: UpInfo },
): JreqMsg | UpdfMsg | PropdfMsg {
  const mType = phy[0]! >> 5;
  if (mType === 0 && phy.length === 23) {
    // LoRaWAN 1.0.4 §6.2.2: MHDR | JoinEUI | DevEUI | DevNonce | MIC, EUIs little-endian.
    const eui = (at: number) => dashedEui(bytesToHex(phy.slice(at, at + 8).reverse()));
    return {
      msgtype: 'jreq',
      MHdr: phy[0]!,
      JoinEui: eui(1),
      DevEui: eui(9),
      DevNonce: phy[17]! | (phy[18]! << 8),
      MIC: i32le(phy, 19),
      ...radio,
    };
  }
  const fOptsLen = (phy[5] ?? 0) & 0x0f;
  if ((mType === 2 || mType === 4) && phy.length >= 12 + fOptsLen) {
    const portAt = 8 + fOptsLen;
    const hasPort = phy.length > portAt + 4;
    return {
      msgtype: 'updf',
      MHdr: phy[0]!,
      DevAddr: i32le(phy, 1),
      FCtrl: phy[5]!,
      FCnt: phy[6]! | (phy[7]! << 8),
      FOpts: bytesToHex(phy.slice(8, portAt)),
      FPort: hasPort ? phy[portAt]! : -1,
      FRMPayload: hasPort ? bytesToHex(phy.slice(portAt + 1, phy.length - 4)) : '',
      MIC: i32le(phy, phy.length - 4),
      ...radio,
    };
  }
  return { msgtype: 'propdf', FRMPayload: bytesToHex(phy), ...radio };
}

/** The PHYPayload a station's jreq, updf or propdf stands for. */
export function phyPayloadOf(m: JreqMsg | UpdfMsg | PropdfMsg): Uint8Array {
  if (m.msgtype === 'propdf') return bytes(m.FRMPayload);
  const mic = Buffer.alloc(4);
  mic.writeInt32LE(m.MIC);
  if (m.msgtype === 'jreq') {
    if (m.MHdr >> 5 !== 0) throw new LnsMessageError('MHdr', `${m.MHdr} is not a Join-request's`);
    const eui = (e: string) => bytes(e).reverse();
    const nonce = Uint8Array.of(m.DevNonce & 0xff, m.DevNonce >> 8);
    return Uint8Array.from([m.MHdr, ...eui(m.JoinEui), ...eui(m.DevEui), ...nonce, ...mic]);
  }
  const mType = m.MHdr >> 5;
  if (mType !== 2 && mType !== 4) throw new LnsMessageError('MHdr', `${m.MHdr} is not a data uplink's`);
  const fOpts = bytes(m.FOpts);
  const addr = Buffer.alloc(4);
  addr.writeInt32LE(m.DevAddr);
  // As TTS's LNS: FOptsLen is the length of FOpts (a station may leave it out of FCtrl), and a
  // payload under FPort -1 is read as FPort 0.
  const fPort = m.FPort < 0 && m.FRMPayload !== '' ? 0 : m.FPort;
  return Uint8Array.from([
    m.MHdr,
    ...addr,
    (m.FCtrl & 0xf0) | fOpts.length,
    m.FCnt & 0xff,
    m.FCnt >> 8,
    ...fOpts,
    ...(fPort < 0 ? [] : [fPort, ...bytes(m.FRMPayload)]),
    ...mic,
  ]);
}

/** `router_config.DRs` of a region: [SF, BW kHz, downlink only]; FSK is SF 0, an unused index SF -1. */
export function dataRateTable(region: Region): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < 16; i++) {
    const d = region.dataRates[i];
    if (d === undefined) out.push([-1, 0, 0]);
    else if (d.modulation === 'LORA') out.push([d.spreadingFactor, d.bandwidth / 1000, 0]);
    else out.push([0, 0, 0]);
  }
  return out;
}

/** The `router_config.region` name Basics Station knows a region by (its `s2conf` region table). */
export function stationRegion(region: Region): string {
  const name = region.name;
  if (name.startsWith('AS923'))
    return name.replace(/^AS923(?:-(\d))?.*$/, (_m, n: string | undefined) => `AS923-${n ?? '1'}`);
  return name.replace(/^([A-Z]{2}\d{3}).*$/, '$1');
}

/** xtime: a session number in bits 48–52 (here; the protocol reserves more), the µs clock below. */
export function xtimeOf(session: number, us: number): number {
  return (session & 0x1f) * 2 ** 48 + (Math.floor(us) % 2 ** 48);
}

export function xtimeSession(xtime: number): number {
  return Math.floor(xtime / 2 ** 48);
}

/**
 * A 32-bit concentrator timestamp put back onto the 48-bit µs clock xtime carries: the value nearest
 * to `clockUs`, the clock's last known reading (ahead or behind by less than half the 32-bit range).
 */
export function extendTmst(clockUs: number, tmst: number): number {
  const us = clockUs - (clockUs % 2 ** 32) + tmst;
  if (us - clockUs > 2 ** 31) return us - 2 ** 32;
  if (clockUs - us > 2 ** 31) return us + 2 ** 32;
  return us;
}

/** The 32-bit concentrator timestamp (Semtech `tmst`) inside an xtime. */
export function xtimeTmst(xtime: number): number {
  return xtime % 2 ** 32;
}

/** A concentrator channel plan as `router_config.sx1301_conf` writes it: two radios, IF offsets from them. */
export function sx1301Conf(
  uplinkFrequencies: readonly number[],
  loraStandard?: { frequency: number; bandwidthHz: number; spreadingFactor: number },
): Record<string, unknown> {
  const sorted = [...new Set(uplinkFrequencies)].sort((a, b) => a - b).slice(0, 8);
  const halves = [sorted.slice(0, 4), sorted.slice(4)].filter((h) => h.length > 0);
  // Each radio sits mid-way between its channels (an SX1301 radio covers ±~500 kHz).
  const centres = halves.map((h) => Math.round((h[0]! + h[h.length - 1]!) / 2 / 100_000) * 100_000);
  const conf: Record<string, unknown> = {};
  for (let r = 0; r < 2; r++)
    conf[`radio_${r}`] = { enable: centres[r] !== undefined, freq: centres[r] ?? 0 };
  sorted.forEach((f, i) => {
    const r = i < 4 ? 0 : 1;
    conf[`chan_multiSF_${i}`] = { enable: true, radio: r, if: f - centres[r]! };
  });
  if (loraStandard) {
    const r =
      Math.abs(loraStandard.frequency - centres[0]!) <=
      Math.abs(loraStandard.frequency - (centres[1] ?? Infinity))
        ? 0
        : 1;
    conf.chan_Lora_std = {
      enable: true,
      radio: r,
      if: loraStandard.frequency - centres[r]!,
      bandwidth: loraStandard.bandwidthHz,
      spread_factor: loraStandard.spreadingFactor,
    };
  }
  return conf;
}

/** The frequencies a concentrator configured by `sx1301_conf` listens on (Hz). */
export function listeningFrequencies(conf: Record<string, unknown>): Set<number> {
  const out = new Set<number>();
  const radio = (i: unknown) => {
    const r = conf[`radio_${typeof i === 'number' ? i : -1}`] as
      { enable?: unknown; freq?: unknown } | undefined;
    return r?.enable === true && typeof r.freq === 'number' ? r.freq : undefined;
  };
  for (const [k, v] of Object.entries(conf)) {
    if (!/^chan_(multiSF_\d|Lora_std|FSK)$/.test(k) || typeof v !== 'object' || v === null) continue;
    const c = v as { enable?: unknown; radio?: unknown; if?: unknown };
    const centre = radio(c.radio);
    if (c.enable === true && centre !== undefined && typeof c.if === 'number') out.add(centre + c.if);
  }
  return out;
}
