import { EmbeddedNetwork, type NetworkAddresses } from '../../network/index.js';
import { WallScheduler } from '../../simulator/time/scheduler.js';

/**
 * The embedded network as a long-lived deployment on loopback, for runs that reach it as a `type:
 * tts` target: on its own wall clock, with the RX1 delay runs use. `stop` ends both.
 */
export async function ttsStandIn(): Promise<{
  net: EmbeddedNetwork;
  addresses: NetworkAddresses;
  stop: () => Promise<void>;
}> {
  const sched = new WallScheduler();
  const net = new EmbeddedNetwork({ scheduler: sched, rx1DelayS: 1 });
  const addresses = await net.start();
  return {
    net,
    addresses,
    stop: async () => {
      await net.stop();
      sched.stop();
    },
  };
}
