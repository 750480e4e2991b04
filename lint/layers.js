// lorafleet's layers, and what each may import (CONTRIBUTING.md, "Layers"). Arrows point inward:
// cli → engine → report → device/gateway/network/tts → scenario → radio → region → lorawan → crypto,
// with the leaf utilities (random, time, io, state, metrics, semtech-udp) beside crypto, and the
// Basics Station LNS codec (basic-station) beside region. The embedded
// network (network/) is a package of its own: it uses only crypto/ and the shared protocol layers, and
// everything else reaches it through network/index.ts.

/** Layer → where its files are, and the layers it may import from. */
export const LAYERS = {
  crypto: { files: 'crypto', uses: [] },
  random: { files: 'simulator/random', uses: ['crypto'] },
  time: { files: 'simulator/time', uses: [] },
  io: { files: 'simulator/io', uses: [] },
  state: { files: 'simulator/state', uses: [] },
  metrics: { files: 'simulator/metrics', uses: [] },
  'semtech-udp': { files: 'simulator/semtech-udp', uses: ['crypto'] },
  'basic-station': { files: 'simulator/basic-station', uses: ['region', 'lorawan', 'crypto'] },
  lorawan: { files: 'simulator/lorawan', uses: ['crypto'] },
  region: { files: 'simulator/region', uses: ['lorawan', 'crypto'] },
  radio: { files: 'simulator/radio', uses: ['region', 'random', 'crypto'] },
  scenario: {
    files: 'simulator/scenario',
    uses: ['radio', 'region', 'random', 'lorawan', 'metrics', 'crypto'],
  },
  device: {
    files: 'simulator/device',
    uses: ['region', 'lorawan', 'random', 'time', 'state', 'crypto'],
  },
  gateway: {
    files: 'simulator/gateway',
    uses: ['semtech-udp', 'basic-station', 'lorawan', 'region', 'random', 'time', 'crypto'],
  },
  tts: {
    files: 'simulator/tts',
    uses: ['scenario', 'radio', 'semtech-udp', 'lorawan', 'region', 'state', 'io', 'metrics', 'crypto'],
  },
  network: {
    files: 'network',
    uses: ['lorawan', 'region', 'semtech-udp', 'basic-station', 'time', 'io', 'crypto'],
  },
  report: { files: 'simulator/report', uses: ['metrics', 'scenario', 'radio', 'lorawan', 'io', 'crypto'] },
  engine: {
    files: 'simulator/engine',
    uses: [
      'report',
      'network',
      'tts',
      'device',
      'gateway',
      'scenario',
      'radio',
      'region',
      'lorawan',
      'semtech-udp',
      'basic-station',
      'metrics',
      'state',
      'io',
      'time',
      'random',
      'crypto',
    ],
  },
  cli: { files: 'simulator/cli', uses: ['*'] },
};

const folderOf = (layer) => LAYERS[layer].files.split('/').pop();

/** The import patterns a layer's files must not use: every other layer's folder, in any relative form. */
function forbidden(layer) {
  const { uses } = LAYERS[layer];
  if (uses.includes('*')) return [];
  return Object.keys(LAYERS)
    .filter((other) => other !== layer && !uses.includes(other))
    .map((other) => ({
      group: [`**/${folderOf(other)}/**`],
      message: `${LAYERS[layer].files} may import only ${uses.join(', ') || 'nothing of ours'} (lint/layers.js).`,
    }));
}

/** Outside network/, the embedded network is its public API and nothing else. */
const networkApiOnly = {
  group: ['**/network/*', '!**/network/index.js'],
  message: 'the embedded network is reached through network/index.js only (lint/layers.js).',
};

/** ESLint config blocks: one per layer (tests and benches may reach inside anything). */
export function layerRules() {
  return Object.keys(LAYERS).map((layer) => ({
    files: [`${LAYERS[layer].files}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...forbidden(layer), ...(layer === 'network' ? [] : [networkApiOnly])] },
      ],
    },
  }));
}
