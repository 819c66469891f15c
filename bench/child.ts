// Entry point of a bench child process: `node bench/child.ts <engine|dispatcher|load|lifecycle>`. The parent drives it
// over IPC and reads its memory from /proc, so the figures are the engine's or dispatcher's own,
// not the bench harness's.
import type { ChildHandlers, ChildMessage } from './lib/proc.ts';

const task = process.argv[2];
const send = (m: ChildMessage) => process.send!(m);

process.on('uncaughtException', (e) => {
  send({ type: 'error', message: e.stack ?? String(e) });
  process.exit(1);
});

const handlers: ChildHandlers = {
  gc() {
    (globalThis as { gc?: () => void }).gc?.();
    return { type: 'gc-done' };
  },
};

if (task === 'engine') Object.assign(handlers, (await import('./engine-throughput.ts')).childHandlers());
else if (task === 'dispatcher') Object.assign(handlers, (await import('./timers.ts')).childHandlers());
else if (task === 'lifecycle') Object.assign(handlers, (await import('./lifecycle.ts')).childHandlers());
else if (task === 'load') Object.assign(handlers, (await import('./lib/http-load.ts')).loadHandlers());
else throw new Error(`unknown bench child task ${task}`);

async function answer(m: ChildMessage): Promise<void> {
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
}

// Every failure is caught and sent to the parent as an error message.
process.on('message', (m: ChildMessage) => void answer(m));
send({ type: 'ready', pid: process.pid });
