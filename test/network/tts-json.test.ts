import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ttsCopy, ttsJson } from '../../network/tts-json.js';

// What a message looks like: JSON values, with the zeros, non-finite numbers and undefined fields
// that the writer must drop or turn into null.
const leaf = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(0, -0, false, '', null, undefined, Number.NaN, Number.POSITIVE_INFINITY, [] as unknown[]),
);
const message = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), tie('object')),
  object: fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constant('__proto__')), tie('value'), {
    maxKeys: 6,
  }),
})).object;

describe('ttsCopy: a message as a TTS client reads it, without writing it out', () => {
  it('is what writing it as TTS does and reading it back gives', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(ttsCopy(m)).toStrictEqual(JSON.parse(ttsJson(m)));
      }),
      { numRuns: 500 },
    );
  });

  it('drops zero-valued fields and keeps list elements whatever they are', () => {
    expect(
      ttsCopy({ f_cnt: 0, ok: false, s: '', n: null, l: [], keep: [0, false, ''], o: {} }),
    ).toStrictEqual({
      keep: [0, false, ''],
      o: {},
    });
  });

  it('shares nothing with the original: a later change does not reach the copy', () => {
    const m = { uplink_message: { rx_metadata: [{ rssi: -80 }] } };
    const c = ttsCopy(m) as typeof m;
    m.uplink_message.rx_metadata[0]!.rssi = -120;
    expect(c.uplink_message.rx_metadata[0]!.rssi).toBe(-80);
  });

  it('keeps a `__proto__` field as a field, never as the prototype', () => {
    const c = ttsCopy(JSON.parse('{"__proto__":{"polluted":1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(Object.hasOwn(c, '__proto__')).toBe(true);
    expect((c as { polluted?: number }).polluted).toBeUndefined();
  });

  it('writes a Date and a Buffer as JSON does', () => {
    const m = { at: new Date(Date.UTC(2026, 0, 1)), raw: Buffer.from([1, 0]) };
    expect(ttsCopy(m)).toStrictEqual(JSON.parse(ttsJson(m)));
  });
});
