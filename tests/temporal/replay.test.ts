// Determinism guard: every history recorded in tests/fixtures/histories (by scripts/record-histories.ts,
// from a real server) must replay against today's workflow code. Needs no server, only fixtures:
// once they exist, a change that breaks determinism fails here, in CI.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { withoutServer } from './environment.ts';
import { workflowBundle } from './harness.ts';

const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories', import.meta.url));
const files = readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const reason =
  'no recorded histories in tests/fixtures/histories (record them with `npm run record-histories` against a Temporal server)';
if (files.length === 0) withoutServer('workflow replay', reason);

if (files.length > 0)
  describe(`workflow replay (${files.length} recorded histories)`, () => {
    it('replays every recorded history without a determinism error', async () => {
      const histories = files.map((file) => {
        const { workflowId, historyProtoBase64 } = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as {
          workflowId: string;
          historyProtoBase64: string;
        };
        return {
          workflowId,
          history: proto.temporal.api.history.v1.History.decode(Buffer.from(historyProtoBase64, 'base64')),
        };
      });
      const failures: string[] = [];
      let replayed = 0;
      for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
        replayed++;
        if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
      }
      expect(failures).toEqual([]);
      expect(replayed).toBe(files.length);
    });
  });
