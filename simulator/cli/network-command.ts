import { EmbeddedNetwork } from '../../network/index.js';
import { WallScheduler } from '../time/scheduler.js';
import { UsageError } from './errors.js';

export interface NetworkCommandOptions {
  host: string;
  udpPort: number;
  httpPort: number;
  mqttPort: number;
  apiKeyEnv?: string;
  state?: string;
  rx1Delay: number;
  rateLimit?: number;
}

/** `lorafleet network`: the embedded network on its own, until Ctrl-C. Resolves with the exit code. */
export async function runNetwork(o: NetworkCommandOptions, out: (line: string) => void): Promise<number> {
  const apiKey = o.apiKeyEnv ? process.env[o.apiKeyEnv] : undefined;
  if (o.apiKeyEnv && !apiKey)
    throw new UsageError(`--api-key-env: the environment variable ${o.apiKeyEnv} is not set`);
  if (o.rateLimit !== undefined && !(Number.isInteger(o.rateLimit) && o.rateLimit > 0))
    throw new UsageError(`--rate-limit: expected a whole number of requests per second, got ${o.rateLimit}`);
  if (!(Number.isInteger(o.rx1Delay) && o.rx1Delay >= 1 && o.rx1Delay <= 15))
    throw new UsageError(`--rx1-delay: expected 1 to 15 seconds (RxDelay), got ${o.rx1Delay}`);
  const scheduler = new WallScheduler();
  const net = new EmbeddedNetwork({
    scheduler,
    host: o.host,
    udpPort: o.udpPort,
    httpPort: o.httpPort,
    mqttPort: o.mqttPort,
    rx1DelayS: o.rx1Delay,
    ...(apiKey ? { apiKey } : {}),
    ...(o.state ? { stateFile: o.state } : {}),
    ...(o.rateLimit ? { rateLimit: { limit: o.rateLimit, windowSeconds: 1 } } : {}),
  });
  let a;
  try {
    a = await net.start();
  } catch (e) {
    await net.stop().catch(() => undefined);
    scheduler.stop();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES')
      throw new UsageError(
        `cannot listen: ${err.message} (choose other ports with --udp-port, --http-port, --mqtt-port)`,
      );
    throw e;
  }
  out(`lorafleet embedded network on ${o.host}`);
  out(`  gateways (Semtech UDP): udp://${a.udp.host}:${a.udp.port}`);
  out(`  HTTP API:               http://${a.http!.host}:${a.http!.port}/api/v3`);
  out(`  MQTT:                   mqtt://${a.mqtt!.host}:${a.mqtt!.port}`);
  // The key is printed once, at start, when it was generated; a key from the environment is never shown.
  out(apiKey ? `  API key:                from $${o.apiKeyEnv}` : `  API key (shown once):   ${a.apiKey}`);
  out('Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await net.stop();
  scheduler.stop();
  out('stopped.');
  return 0;
}
