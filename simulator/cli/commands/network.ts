import type { Argv } from 'yargs';
import { runNetwork } from '../network-command.js';
import type { CommandIo } from './io.js';

/** `lorafleet network`: the embedded network on its own. */
export function networkCommands<T>(y: Argv<T>, o: CommandIo): Argv<T> {
  return y.command(
    'network',
    'Run the embedded LoRaWAN network (Semtech UDP, TTS HTTP API subset, TTS MQTT integration) until Ctrl-C',
    (y) =>
      y
        .option('host', {
          type: 'string',
          default: '127.0.0.1',
          describe: 'Address to listen on (loopback unless you say otherwise)',
        })
        .option('udp-port', { type: 'number', default: 1700, describe: 'Semtech UDP port for gateways' })
        .option('http-port', { type: 'number', default: 1885, describe: 'HTTP API port' })
        .option('mqtt-port', { type: 'number', default: 1883, describe: 'MQTT port' })
        .option('api-key-env', {
          type: 'string',
          describe: 'Take the API key from this environment variable instead of generating one',
        })
        .option('state', {
          type: 'string',
          describe: 'Keep registries and DevNonce history in this file across restarts',
        })
        .option('rx1-delay', { type: 'number', default: 5, describe: 'RX1 delay given to OTAA devices, s' })
        .option('rate-limit', {
          type: 'number',
          describe: 'Requests per second per API key on the HTTP API (429 beyond)',
        }),
    async (a) => {
      o.exit(
        await runNetwork(
          {
            host: a.host,
            udpPort: a['udp-port'],
            httpPort: a['http-port'],
            mqttPort: a['mqtt-port'],
            rx1Delay: a['rx1-delay'],
            ...(a['api-key-env'] ? { apiKeyEnv: a['api-key-env'] } : {}),
            ...(a.state ? { state: a.state } : {}),
            ...(a['rate-limit'] !== undefined ? { rateLimit: a['rate-limit'] } : {}),
          },
          o.print,
        ),
      );
    },
  );
}
