// Prints one plain closing line, `tests: N passed, N failed, N skipped`, that CI and people can read
// without knowing vitest's own summary format. A file that fails to load and an unhandled error each count as
// one failure: vitest fails the run on them, and a summary that showed 0 failed would be a lie.
import type { Reporter, SerializedError, TestModule } from 'vitest/node';
import { fastCheckSeed } from './fast-check.ts';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const count = { passed: 0, failed: unhandledErrors.length, skipped: 0 };
    for (const module of modules) {
      if (module.errors().length > 0) count.failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') count.passed++;
        else if (state === 'failed') count.failed++;
        else count.skipped++;
      }
    }
    const seed = fastCheckSeed();
    console.log(
      seed === undefined
        ? '\nproperty tests: fresh random seeds (CI=true or FC_SEED=<n> fixes one)'
        : `\nproperty tests: fast-check seed ${seed} (FC_SEED=${seed} replays it)`,
    );
    console.log(`tests: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
  }
}
