// The process-wide runtime, shared with the SvelteKit server bundle through a global symbol
// (the bundle has its own copies of modules, so a module variable would not be shared).
// The bundle imports only this file: booting (embedded Postgres, Temporal worker) stays out of it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { bootRuntime, Runtime } from './runtime.ts';

const KEY = Symbol.for('fettle.runtime');
type Holder = { [KEY]?: Promise<Runtime> };

export function provideRuntime(runtime: Promise<Runtime>): void {
  (globalThis as Holder)[KEY] = runtime;
}

/** The process's runtime. Under `vite dev` nothing provided one, so boot it from source on first use. */
export function useRuntime(): Promise<Runtime> {
  const holder = globalThis as Holder;
  return (holder[KEY] ??= bootFromSource());
}

async function bootFromSource(): Promise<Runtime> {
  const entry = pathToFileURL(join(process.cwd(), 'worker/runtime.ts')).href;
  const runtime = (await import(/* @vite-ignore */ entry)) as { bootRuntime: typeof bootRuntime };
  return runtime.bootRuntime();
}
