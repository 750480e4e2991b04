/** Colour where a person reads a terminal, and nowhere else: not in pipes, files, or with NO_COLOR set. */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false; // no-color.org
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const SGR = { PASS: '\x1b[1;32m', FAIL: '\x1b[1;31m', INCONCLUSIVE: '\x1b[1;33m' } as const;

/** The summary's `verdict:` line in green, red or yellow, when colour is wanted. */
export function colourVerdict(summary: string, colour: boolean): string {
  if (!colour) return summary;
  return summary.replace(
    /^verdict: (PASS|FAIL|INCONCLUSIVE)$/m,
    (_, v: keyof typeof SGR) => `verdict: ${SGR[v]}${v}\x1b[0m`,
  );
}
