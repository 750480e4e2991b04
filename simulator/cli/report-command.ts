import { readFileSync } from 'node:fs';
import type { RunReport } from '../report/types.js';
import { writeHtmlReport } from '../report/html.js';
import { mergeReports } from '../report/merge.js';
import { summaryText, writeJsonReport } from '../report/summary.js';
import { exitCodeOf, UsageError } from './errors.js';

function readReport(file: string): RunReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  try {
    return JSON.parse(text) as RunReport;
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
}

/**
 * `lorafleet report merge`: one verdict from shard reports (or a re-render of one report). Exit
 * code as `run`: 0 when every threshold passes on the merged figures, 1 when one fails, 2 when
 * inconclusive.
 */
export function reportMergeCommand(
  o: { files: string[]; report?: string; html?: string },
  out: (s: string) => void,
): number {
  const merged = mergeReports(o.files.map(readReport), o.files);
  out(summaryText(merged));
  if (o.report) writeJsonReport(o.report, merged);
  if (o.html) writeHtmlReport(o.html, merged);
  return exitCodeOf(merged);
}
