import { type Json } from '../lorawan/describe.js';

/** The human-readable form: one field a line, nested objects flattened with dots. */
export function formatPacket(d: Json): string {
  const lines: string[] = [];
  const show = (key: string, v: unknown): string => {
    if (key === 'micValid')
      return v === true ? 'valid' : v === false ? 'INVALID' : 'not checked (keys not given)';
    if (v === null) return '(none)';
    if (v === '') return '(empty)';
    return String(v);
  };
  const walk = (prefix: string, v: unknown): void => {
    if (Array.isArray(v)) {
      if (v.length === 0) lines.push(`${prefix}: (none)`);
      v.forEach((item, i) => walk(`${prefix}[${i}]`, item));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x);
    } else {
      lines.push(`${prefix}: ${show(prefix, v)}`);
    }
  };
  walk('', d);
  return lines.join('\n');
}
