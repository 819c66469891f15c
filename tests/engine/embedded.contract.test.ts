// The embedded engine against the shared contract, driven by a manual clock and the real dispatcher.
import { createActivities } from '#activities/index.ts';
import { createDispatcher } from '#worker/embedded/dispatcher.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase } from '../support/db.ts';
import { manualClock } from '../support/fixtures.ts';
import { engineContract, type EngineHarness } from './contract.ts';

engineContract('embedded (Postgres)', async (): Promise<EngineHarness> => {
  const database = await createTestDatabase({ max: 20 });
  const clock = manualClock();
  const activities = createActivities({ db: database.db });
  const build = () => {
    const engine = createEmbeddedEngine({ db: database.db, clock });
    return { engine, dispatcher: createDispatcher({ sql: database.sql, engine, activities, clock }) };
  };
  let current = build();
  const harness: EngineHarness = {
    get engine() {
      return current.engine;
    },
    db: database.db,
    now: clock,
    async advanceTo(instant) {
      clock.set(instant);
      await current.dispatcher.drain();
    },
    settle: async () => void (await current.dispatcher.drain()),
    restart() {
      current = build();
      return Promise.resolve();
    },
    close: database.close,
  };
  return harness;
});
