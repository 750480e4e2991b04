import { LnsMessageError } from './errors.js';

/**
 * The ways LoRa Basics Station writes a 64-bit EUI (its LNS protocol, "Glossary"): dashed bytes
 * (`00-11-22-33-44-55-66-77`), ID6 (four 16-bit groups, `0:11:2233:4455` with `::` for zero groups,
 * as IPv6), 16 hex digits, or an integer. All are read to 16 upper-case hex digits.
 */
export function parseEui(v: unknown, field: string): string {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new LnsMessageError(field, `not an EUI: ${v}`);
    return v.toString(16).toUpperCase().padStart(16, '0');
  }
  if (typeof v !== 'string' || v.length > 40)
    throw new LnsMessageError(field, `not an EUI: ${JSON.stringify(v)}`);
  const s = v.trim();
  if (/^[0-9a-fA-F]{2}(-[0-9a-fA-F]{2}){7}$/.test(s)) return s.replace(/-/g, '').toUpperCase();
  if (/^[0-9a-fA-F]{16}$/.test(s)) return s.toUpperCase();
  if (/^[0-9a-fA-F:]+$/.test(s) && s.includes(':')) return id6(s, field);
  throw new LnsMessageError(field, `not an EUI: ${JSON.stringify(v)}`);
}

function id6(s: string, field: string): string {
  const halves = s.split('::');
  if (halves.length > 2) throw new LnsMessageError(field, `not an ID6: ${s}`);
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 4 - head.length - tail.length;
  if (
    (halves.length === 1 && fill !== 0) ||
    fill < 0 ||
    [...head, ...tail].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))
  )
    throw new LnsMessageError(field, `not an ID6: ${s}`);
  return [...head, ...Array<string>(fill).fill('0'), ...tail]
    .map((g) => g.padStart(4, '0'))
    .join('')
    .toUpperCase();
}

/** The dashed form Basics Station writes: `00-11-22-33-44-55-66-77`. */
export function dashedEui(hex16: string): string {
  return hex16.toUpperCase().match(/../g)!.join('-');
}

/** The ID6 form (`::0` compression of the first longest run of zero groups). */
export function id6Eui(hex16: string): string {
  const g = hex16.match(/..../g)!.map((x) => parseInt(x, 16).toString(16));
  let best = -1;
  let len = 0;
  for (let i = 0; i < 4; i++) {
    let j = i;
    while (j < 4 && g[j] === '0') j++;
    if (j - i > len) [best, len] = [i, j - i];
  }
  if (len < 2) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + len).join(':')}`;
}
