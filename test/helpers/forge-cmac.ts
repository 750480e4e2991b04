import forge from 'node-forge';

/**
 * An independent AES-CMAC (RFC 4493 §2.4) on node-forge's pure-JavaScript AES, used only as a test
 * oracle: it shares no code with crypto/ (different AES, no cipher chaining trick).
 */
export function forgeCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const aes = (block: Uint8Array): Uint8Array => {
    const c = forge.cipher.createCipher(
      'AES-ECB',
      forge.util.createBuffer(Buffer.from(key).toString('binary')),
    );
    c.start(); // PKCS#7 padding adds a second block; only the first is AES(block).
    c.update(forge.util.createBuffer(Buffer.from(block).toString('binary')));
    c.finish();
    return Uint8Array.from(Buffer.from(c.output.getBytes(), 'binary').subarray(0, 16));
  };
  const dbl = (x: Uint8Array): Uint8Array => {
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) out[i] = ((x[i]! << 1) | (i < 15 ? x[i + 1]! >> 7 : 0)) & 0xff;
    if (x[0]! & 0x80) out[15]! ^= 0x87;
    return out;
  };
  const l = aes(new Uint8Array(16));
  const k1 = dbl(l);
  const k2 = dbl(k1);
  const n = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  let x: Uint8Array = new Uint8Array(16);
  for (let i = 0; i < n; i++) {
    const block = new Uint8Array(16);
    const part = message.subarray(i * 16, i * 16 + 16);
    block.set(part);
    if (i === n - 1) {
      if (!complete) block[part.length] = 0x80;
      const k = complete ? k1 : k2;
      for (let j = 0; j < 16; j++) block[j]! ^= k[j]!;
    }
    for (let j = 0; j < 16; j++) block[j]! ^= x[j]!;
    x = aes(block);
  }
  return x;
}
