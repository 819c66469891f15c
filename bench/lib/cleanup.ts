// What the bench has running outside its own process (a Temporal dev server, bench children, temporary
// directories), so that Ctrl-C or a crash stops and removes them rather than leave them behind.
// Each resource registers an orderly stop (awaited on Ctrl-C, newest first: a worker before its
// server) and a synchronous last resort for a plain `process.exit`.

interface Entry {
  stop: () => Promise<void>;
  atExit?: () => void;
  stopping?: Promise<void>;
}

const live = new Set<Entry>();

/** Registers a resource; the returned function unregisters it (call it once it is stopped). */
export function onCleanup(stop: () => Promise<void>, atExit?: () => void): () => void {
  const entry: Entry = { stop, atExit };
  live.add(entry);
  return () => void live.delete(entry);
}

/**
 * Stops everything still registered, newest first; never throws. An entry stays registered until its
 * stop has finished, so an exit in the middle still runs its last resort; calling this again (Ctrl-C
 * while the bench is already cleaning up) waits for the same stops.
 */
export async function runCleanups(): Promise<void> {
  for (const entry of [...live].reverse()) {
    entry.stopping ??= entry.stop().catch(() => {});
    await entry.stopping;
    live.delete(entry);
  }
}

process.on('exit', () => {
  for (const entry of live) {
    try {
      entry.atExit?.();
    } catch {
      /* exiting anyway */
    }
  }
});
