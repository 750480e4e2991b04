/**
 * How Semtech UDP datagrams travel between a gateway and a network: over a real UDP socket, or, for a
 * network in the same process and on the same virtual clock, as scheduler events. The gateway and the
 * network speak the same bytes either way; only the carrier differs.
 */

/** A gateway's end of the carrier. */
export interface DatagramLink {
  /**
   * Sends one datagram to the network; `sent` runs once it has left (a socket sends when the event
   * loop gets to it, which is late when the loop is).
   */
  send(datagram: Buffer, sent?: () => void): void;
  /** Stops sending and receiving; nothing arrives after it resolves. */
  close(): Promise<void>;
  /** The local address the network sees, where the carrier is a socket. */
  address(): { address: string; port: number } | undefined;
  /**
   * A carrier that sends each received frame on its own (Basics Station) takes it here, as the radio
   * gave it, instead of in a PUSH_DATA: no JSON to write and read back.
   */
  forward?(f: ForwardedFrame): void;
  /**
   * A carrier with its own transmit rules (a Basics Station's duty cycle, listen before talk, dwell
   * time) is asked as each admitted frame (PULL_RESP `token`) is about to go on air: undefined lets it
   * go; otherwise it stays off the air, and `final` says the carrier has no later try for it.
   */
  transmitting?(token: number, tx: OutgoingFrame): { reason: string; final: boolean } | undefined;
}

/** A downlink at the moment it would go on air (scheduler µs, the concentrator's 32-bit clock). */
export interface OutgoingFrame {
  frequency: number;
  startUs: number;
  tmst: number;
  airtimeUs: number;
}

/** A frame the concentrator received, with its radio metadata. */
export interface ForwardedFrame {
  phyPayload: Uint8Array;
  /** Hz */
  frequency: number;
  datr: string | number;
  rssi: number;
  snr: number;
  /** The concentrator's 32-bit µs clock at the end of reception. */
  tmst: number;
  /** GPS ms and UTC ms of the reception, where the gateway has GPS. */
  gpsMs?: number;
  wallMs?: number;
}

/** What the gateway does with what arrives: each datagram, and carrier errors (never fatal). */
export interface DatagramHandlers {
  message(datagram: Buffer): void;
  error(e: Error): void;
}

/** Opens a gateway's link to its network. */
export type GatewayTransport = (handlers: DatagramHandlers) => Promise<DatagramLink>;

/** The network's view of where a datagram came from: a key for the gateway's downlink path, and the way back. */
export interface DatagramPeer {
  readonly key: string;
  send(datagram: Buffer): void;
}
