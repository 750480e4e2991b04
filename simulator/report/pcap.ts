import { BufferedFile } from './buffered-file.js';

/** LINKTYPE_LORATAP: the link-layer header type tcpdump.org assigns to LoRaTap. */
export const LINKTYPE_LORATAP = 270;

/** LoRaTap's sync word for LoRaWAN frames: Wireshark hands the payload to its LoRaWAN dissector. */
const LORAWAN_SYNC_WORD = 0x34;

/** What LoRaTap (version 0) says of a frame: its channel and how it was received. */
export interface LoRaTapFields {
  frequencyHz: number;
  bandwidthHz: number;
  spreadingFactor: number;
  /** dBm; absent for a frame as sent (a downlink), written as 255, "not available". */
  rssi?: number;
  /** dB */
  snr?: number;
}

/**
 * The 15-byte LoRaTap version 0 header, big-endian (LoRaTap's loratap.h, Erik de Jong): version,
 * padding, header length, frequency in Hz, bandwidth in 125 kHz steps, SF, packet RSSI (-139 + value
 * for SNR ≥ 0, else -139 + value/4; 255 when not known), max and current RSSI (-139 + value), SNR in
 * quarter dB (two's complement), sync word.
 */
export function loraTapHeader(f: LoRaTapFields): Buffer {
  const h = Buffer.alloc(15);
  h.writeUInt8(0, 0);
  h.writeUInt8(0, 1);
  h.writeUInt16BE(15, 2);
  h.writeUInt32BE(Math.round(f.frequencyHz), 4);
  h.writeUInt8(Math.max(1, Math.round(f.bandwidthHz / 125_000)), 8);
  h.writeUInt8(f.spreadingFactor, 9);
  const snr = f.snr ?? 0;
  const packetRssi = f.rssi === undefined ? 255 : snr >= 0 ? f.rssi + 139 : Math.round((f.rssi + 139) * 4);
  const rssi = Math.min(255, Math.max(0, Math.round(packetRssi)));
  h.writeUInt8(rssi, 10);
  // Max and current RSSI of the receiver: the packet's own where known (version 0 has no "unknown").
  const channelRssi = f.rssi === undefined ? 0 : Math.min(255, Math.max(0, Math.round(f.rssi + 139)));
  h.writeUInt8(channelRssi, 11);
  h.writeUInt8(channelRssi, 12);
  h.writeInt8(Math.max(-128, Math.min(127, Math.round(snr * 4))), 13);
  h.writeUInt8(LORAWAN_SYNC_WORD, 14);
  return h;
}

/**
 * A pcap capture (the classic format, microsecond timestamps) of LoRaWAN frames over LoRaTap, as
 * Wireshark and tshark read it: `lorafleet run --pcap FILE`.
 */
export class PcapWriter {
  private readonly out: BufferedFile;

  constructor(path: string) {
    this.out = new BufferedFile(path);
    const g = Buffer.alloc(24);
    g.writeUInt32LE(0xa1b2c3d4, 0); // magic, microsecond timestamps
    g.writeUInt16LE(2, 4);
    g.writeUInt16LE(4, 6);
    g.writeInt32LE(0, 8); // GMT
    g.writeUInt32LE(0, 12);
    g.writeUInt32LE(65_535, 16); // snap length
    g.writeUInt32LE(LINKTYPE_LORATAP, 20);
    this.out.write(g);
  }

  /** One frame at `atMs` (ms since 1970). */
  frame(atMs: number, fields: LoRaTapFields, phyPayload: Uint8Array): void {
    const header = loraTapHeader(fields);
    const len = header.length + phyPayload.length;
    const r = Buffer.alloc(16);
    const us = Math.round(atMs * 1000);
    r.writeUInt32LE(Math.floor(us / 1e6), 0);
    r.writeUInt32LE(us % 1e6, 4);
    r.writeUInt32LE(len, 8);
    r.writeUInt32LE(len, 12);
    this.out.write(r);
    this.out.write(header);
    this.out.write(Buffer.from(phyPayload));
  }

  close(): void {
    this.out.close();
  }
}
