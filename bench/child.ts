// Entry point of a bench child process: `node bench/child.ts <engine|dispatcher|load|lifecycle>`. The parent drives it
// over IPC and reads its memory from /proc, so the figures are the engine's or dispatcher's own,
// not the bench harness's.
import type { ChildMessage } from './lib/proc.ts';

const task = process.argv[2];
const send = (m: ChildMessage) => process.send!(m);

process.on('uncaughtException', (e) => {
  send({ type: 'error', message: e.stack ?? String(e) });
  process.exit(1);
});

const handlers: Record<string, (m: ChildMessage) => Promise<ChildMessage | void>> = {
  async gc() {
    (globalThis as { gc?: () => void }).gc?.();
    return { type: 'gc-done' };
  },
};

if (task === 'engine') Object.assign(handlers, await (await import('./engine-throughput.ts')).childHandlers());
else if (task === 'dispatcher') Object.assign(handlers, await (await import('./timers.ts')).childHandlers());
else if (task === 'lifecycle') Object.assign(handlers, await (await import('./lifecycle.ts')).childHandlers());
else if (task === 'load') Object.assign(handlers, (await import('./lib/http-load.ts')).loadHandlers());
else throw new Error(`unknown bench child task ${task}`);

process.on('message', async (m: ChildMessage) => {
  try {
    if (m.type === 'exit') {
      await handlers.close?.(m);
      process.exit(0);
    }
    const handler = handlers[m.type];
    if (!handler) throw new Error(`no handler for ${m.type}`);
    const reply = await handler(m);
    if (reply) send(reply);
  } catch (e) {
    send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
send({ type: 'ready', pid: process.pid });
