// Boots the back end, then creates a job and stops dead halfway, for the test to kill -9:
//   MODE=after-row    the row has committed, the workflow's start never completes (the Temporal path);
//   MODE=in-transaction  the embedded start has been written inside the still-open transaction.
// Prints `READY <job title>` at that point.
import type { JobEngine } from '#worker/engines/port.ts';
import { createJob } from '#worker/jobs/create-job.ts';
import { bootRuntime } from '#worker/runtime.ts';
import { readEnv } from '#worker/env.ts';
import { createAgency } from '../../support/fixtures.ts';

const runtime = await bootRuntime(readEnv(), () => {});
const fx = await createAgency(runtime.db);
const title = `Half-created ${process.env.MODE}`;
const hang = (): Promise<never> => {
  console.log(`READY ${title}`);
  return new Promise(() => {});
};
const real = runtime.engine;
const engine: JobEngine =
  process.env.MODE === 'after-row'
    ? {
        kind: real.kind,
        start: hang,
        send: (jobId, command) => real.send(jobId, command),
        get: (jobId) => real.get(jobId),
        close: () => real.close(),
      }
    : {
        ...real,
        async startInTransaction(tx, input) {
          await real.startInTransaction!(tx, input);
          return hang();
        },
      };
await createJob(runtime.db, engine, {
  agencyId: fx.agency.id,
  title,
  descriptionHtml: '<p>Drips</p>',
  priorityCode: 'P2',
  propertyId: fx.property.id,
});
