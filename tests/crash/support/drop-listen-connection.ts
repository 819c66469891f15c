// Preloaded into the app (`node --import`) by tests/crash/sigterm.test.ts: a fault on the app's UNLISTEN as it
// stops. UNLISTEN_FAULT=close (the default): the connection that carries the LISTEN closes just as the UNLISTEN
// goes out, as when PostgreSQL ends the session or the network drops it then. Deterministic: the UNLISTEN is
// never written and its socket is destroyed instead, so postgres.js rejects it with CONNECTION_CLOSED.
// UNLISTEN_FAULT=refuse: PostgreSQL refuses the UNLISTEN (sent misspelt, so a syntax error), a real fault.
import { Socket } from 'node:net';

const fault = process.env.UNLISTEN_FAULT ?? 'close';
const { write } = Socket.prototype as unknown as { write: (this: Socket, ...args: unknown[]) => boolean };
Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
  const [chunk] = args;
  const at = Buffer.isBuffer(chunk) ? chunk.indexOf('unlisten "') : -1;
  if (Buffer.isBuffer(chunk) && at >= 0) {
    if (fault === 'close') {
      console.log('test: closing the LISTEN connection under its UNLISTEN');
      process.nextTick(() => this.destroy());
      return true;
    }
    console.log('test: sending the UNLISTEN misspelt');
    const misspelt = Buffer.from(chunk);
    misspelt.write('unlisteX', at);
    args[0] = misspelt;
  }
  return write.apply(this, args);
};
