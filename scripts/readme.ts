// Rewrites the README's generated tables from their one source: `npm run readme`.
import { readFileSync, writeFileSync } from 'node:fs';
import { metricsMarkdown } from '../simulator/metrics/registry.js';

/** The README with each `<!-- name -->…<!-- /name -->` block replaced by its generated text. */
export function readmeWithTables(text: string): string {
  return replaceBlock(text, 'metrics', metricsMarkdown());
}

function replaceBlock(text: string, name: string, body: string): string {
  const start = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md: no ${start} … ${end} block`);
  return `${text.slice(0, a + start.length)}\n\n${body}\n\n${text.slice(b)}`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const file = new URL('../README.md', import.meta.url);
  writeFileSync(file, readmeWithTables(readFileSync(file, 'utf8')));
}
