import { defineConfig } from 'vitest/config';

const withDb = ['tests/support/global-db.ts'];
// Fixed fast-check seed in CI (tests/support/fast-check.ts); FC_SEED replays one.
const setupFiles = ['tests/support/fast-check.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      // The pure machine: no I/O at all.
      { test: { name: 'machine', include: ['tests/machine/**/*.test.ts'], setupFiles } },
      // Other pure code: configuration, formatting.
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], setupFiles } },
      // Engine contract, activities and API against a real PostgreSQL.
      {
        test: {
          name: 'db',
          include: ['tests/{engine,api}/**/*.test.ts'],
          globalSetup: withDb,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      // Temporal: its own project in forks (the SDK's native bridge); skips with a reason when no server is reachable.
      {
        test: {
          name: 'temporal',
          include: ['tests/temporal/**/*.test.ts'],
          globalSetup: withDb,
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      // Crash safety: real processes (the app's back end, PostgreSQL) started as children and killed with SIGKILL.
      {
        test: {
          name: 'crash',
          include: ['tests/crash/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      // Browser end-to-end in headless Chromium against the built app.
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: withDb,
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
