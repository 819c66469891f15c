// A page's form action called in-process, as SvelteKit calls it on a POST: over the test database and the
// embedded engine, with the signed-in user on `locals`. Tests what a form says, short of a browser.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '#db/client.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { readEnv } from '#worker/env.ts';
import { provideRuntime } from '#worker/runtime-registry.ts';
import type { Runtime } from '#worker/runtime.ts';

/** Loads and actions reach the database through the process's runtime: this one is the test database's,
 * with files (if any) in a directory of its own. */
export function provideTestRuntime(db: Database, dataDir = mkdtempSync(join(tmpdir(), 'fettle-actions-'))) {
  const runtime = {
    db,
    engine: createEmbeddedEngine({ db }),
    env: readEnv({ DATA_DIR: dataDir }),
    temporalUiUrl: null,
  };
  provideRuntime(Promise.resolve(runtime as unknown as Runtime));
}

type Action = (event: unknown) => Promise<unknown>;

/** The form actions of a page under web/src/routes, e.g. `(console)/jobs/[id=uuid]`. Imported by a computed path:
 * the page's generated `./$types` resolve for svelte-check (web/.svelte-kit), not for the root tsconfig. */
export async function pageActions(route: string): Promise<Record<string, Action>> {
  const file = new URL(`../../web/src/routes/${route}/+page.server.ts`, import.meta.url).pathname;
  return ((await import(/* @vite-ignore */ file)) as { actions: Record<string, Action> }).actions;
}

/** Posts `fields` to `action` for the page with these route params, as `user`; what the action returns. */
export function post(
  action: Action,
  params: Record<string, string>,
  user: SessionUser,
  fields: Record<string, string>,
) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  const request = new Request('http://localhost/form', { method: 'POST', body });
  return action({ request, params, locals: { user } });
}
