import { LorafleetError } from '../../crypto/errors.js';

/** One problem in a scenario file, located. */
export interface ScenarioProblem {
  file: string;
  line: number;
  path: string;
  message: string;
}

/** A scenario that cannot be run; the message lists every problem as `file:line path: expected …, got …`. */
export class ScenarioError extends LorafleetError {
  constructor(readonly problems: ScenarioProblem[]) {
    super(
      'LORAFLEET_SCENARIO',
      problems.map((p) => `${p.file}:${p.line} ${p.path}: ${p.message}`).join('\n'),
    );
  }
}
