import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends every run with one plain line, `tests: N passed, N failed, N skipped`, that tools reading the
 * output (CI included) understand without knowing vitest's own summary format.
 */
export default class SummaryReporter implements Reporter {
  private line = '';

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load has no tests to count, but it is a failure.
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
    }
    this.line = `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
  }

  // Printed at exit, after vitest's own summary, so that it is the closing line (stdout to a pipe or
  // file is synchronous on Linux, so the write completes inside the exit handler).
  onInit(): void {
    process.once('exit', () => {
      if (this.line !== '') process.stdout.write(`${this.line}\n`);
    });
  }
}
