/**
 * lorafleet's embedded network, as a package: a TTS-shaped LoRaWAN network (gateway server for Semtech
 * UDP, Join, Network and Application servers, MQTT broker, HTTP API, events stream). Everything outside
 * network/ imports this file only; the network itself depends on crypto/ and the shared protocol
 * layers (simulator/lorawan, region, semtech-udp, time, io), never on the simulator.
 */
export { EmbeddedNetwork, type EmbeddedNetworkOptions, type NetworkAddresses } from './embedded-network.js';
export type { RateLimit } from './http-api.js';
export type { NetworkServerCounters } from './network-server.js';
export type { UdpFrontendCounters } from './udp-frontend.js';
export type { InProcessAccess } from './in-process.js';
export { NetworkThread, type NetworkThreadSnapshot } from './network-thread.js';
export type { NetworkError } from './errors.js';
export type { EntityIds } from './events.js';
