import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import {
  decodeUdpPacket,
  encodeUdpPacket,
  type TxPk,
  type UdpPacket,
} from '../../simulator/semtech-udp/packets.js';

export type Mode = 'answer' | 'silent';

interface Received {
  packet: UdpPacket;
  from: RemoteInfo;
}

/**
 * A network server played by the test, on 127.0.0.1: it acknowledges PUSH_DATA and PULL_DATA (unless
 * silent), records everything, and sends PULL_RESP (or any raw bytes) to the address of the last
 * PULL_DATA, as a real network routes downlinks.
 */
export class ScriptedNetwork {
  readonly received: Received[] = [];
  mode: Mode = 'answer';
  private socket!: Socket;
  private downlinkPath: RemoteInfo | undefined;
  private waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  private token = 0x1000;

  async start(): Promise<number> {
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg, from) => this.onMessage(msg, from));
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r()));
    this.socket.setRecvBufferSize(4 * 1024 * 1024);
    return this.socket.address().port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.socket.close(() => r()));
  }

  private onMessage(msg: Buffer, from: RemoteInfo): void {
    const packet = decodeUdpPacket(msg);
    const rec = { packet, from };
    this.received.push(rec);
    if (packet.type === 'PULL_DATA') this.downlinkPath = from;
    if (this.mode === 'answer' && (packet.type === 'PUSH_DATA' || packet.type === 'PULL_DATA')) {
      const ack = packet.type === 'PUSH_DATA' ? 'PUSH_ACK' : 'PULL_ACK';
      this.socket.send(
        encodeUdpPacket({ type: ack, version: packet.version, token: packet.token }),
        from.port,
        from.address,
      );
    }
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(rec)) return true;
      w.resolve(rec);
      return false;
    });
  }

  /** The next datagram (already received after `since`, or to come) that matches `pred`. */
  nextWhere(pred: (p: UdpPacket) => boolean, since = 0, timeoutMs = 2000): Promise<UdpPacket> {
    const seen = this.received.slice(since).find((r) => pred(r.packet));
    if (seen) return Promise.resolve(seen.packet);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching datagram within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        pred: (r) => pred(r.packet),
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r.packet);
        },
      });
    });
  }

  next<T extends UdpPacket['type']>(
    type: T,
    since = 0,
    timeoutMs = 2000,
  ): Promise<Extract<UdpPacket, { type: T }>> {
    return this.nextWhere((p) => p.type === type, since, timeoutMs) as Promise<
      Extract<UdpPacket, { type: T }>
    >;
  }

  count(type: UdpPacket['type']): number {
    return this.received.filter((r) => r.packet.type === type).length;
  }

  /** Sends a PULL_RESP and resolves with the gateway's TX_ACK error ('NONE' when it has no JSON). */
  async pullResp(txpk: Partial<TxPk>): Promise<string> {
    const token = this.token++;
    const since = this.received.length;
    this.sendRaw(encodeUdpPacket({ type: 'PULL_RESP', version: 2, token, body: { txpk: txpk as TxPk } }));
    const ack = await this.nextWhere((p) => p.type === 'TX_ACK' && p.token === token, since);
    return (ack.type === 'TX_ACK' && ack.body?.txpk_ack?.error) || 'NONE';
  }

  sendRaw(bytes: Uint8Array): void {
    const path = this.downlinkPath;
    if (!path) throw new Error('no PULL_DATA received yet: no downlink path');
    this.socket.send(bytes, path.port, path.address);
  }
}

/** Lets real socket I/O happen (virtual time does not move meanwhile). */
export function io(ms = 20): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
