import lpModule from 'lora-packet';

type LoraPacketApi = typeof lpModule.default;

/**
 * lora-packet is CommonJS with its API on `exports.default`. Node's ESM loader hands us
 * `module.exports` (API under `.default`), vitest's interop hands us the API itself: accept both.
 */
export const LoraPacket: LoraPacketApi =
  (lpModule as unknown as { default?: LoraPacketApi }).default ?? (lpModule as unknown as LoraPacketApi);
