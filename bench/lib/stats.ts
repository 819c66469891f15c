// Small numeric helpers: percentiles over recorded samples, and a fixed-duration load loop.

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile over an unsorted sample (copied and sorted once per call). */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  if (n === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return { count: n, p50: at(50)!, p95: at(95)!, p99: at(99)!, max: sorted[n - 1]!, mean: sum / n };
}

export const round = (x: number, digits = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);

export interface LoadResult {
  ops: number;
  seconds: number;
  perSecond: number;
  latencyMs: LatencySummary;
  errors: number;
  firstError: string | null;
}

/**
 * Runs `clients` concurrent loops of `op` for `warmupMs` (not recorded) and then `durationMs` (recorded).
 * Each loop awaits its previous op. Without `ratePerSecond` each sends again at once: a closed loop like a
 * pool of users who never pause, whose latency is mostly queueing once the server saturates. With it, the
 * loops share that rate (phases spread evenly) and each sends when its next request is due, like people who
 * click at their own pace; latency then counts from when a request was due, so a backlog behind a slow
 * response is measured in full (no coordinated omission). The hooks run at the edges of the recorded
 * window (for resource counters).
 */
export async function closedLoop(
  clients: number,
  op: (client: number, i: number) => Promise<unknown>,
  options: {
    warmupMs: number;
    durationMs: number;
    keepLatencies?: number[];
    ratePerSecond?: number;
    onRecordStart?: () => void | Promise<void>;
    onRecordEnd?: () => void | Promise<void>;
  },
): Promise<LoadResult> {
  const latencies = options.keepLatencies ?? [];
  const first = latencies.length;
  let errors = 0;
  let firstError: string | null = null;
  let recording = false;
  let stop = false;
  let recordedOps = 0;
  const interval = options.ratePerSecond ? (clients / options.ratePerSecond) * 1000 : 0;
  const origin = performance.now();
  const loops = Array.from({ length: clients }, async (_, client) => {
    let due = origin + (interval * client) / clients;
    for (let i = 0; !stop; i++, due += interval) {
      if (interval) {
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        if (stop) break;
      }
      const t0 = interval ? due : performance.now();
      const counted = recording;
      try {
        await op(client, i);
        if (counted && recording) {
          latencies.push(performance.now() - t0);
          recordedOps++;
        }
      } catch (e) {
        errors++;
        firstError ??= String(e);
        if (errors > 1000) throw e;
      }
    }
  });
  await sleep(options.warmupMs);
  await options.onRecordStart?.();
  recording = true;
  const t0 = performance.now();
  await sleep(options.durationMs);
  recording = false;
  const seconds = (performance.now() - t0) / 1000;
  await options.onRecordEnd?.();
  stop = true;
  await Promise.all(loops);
  return {
    ops: recordedOps,
    seconds,
    perSecond: recordedOps / seconds,
    latencyMs: summarize(latencies.slice(first)),
    errors,
    firstError,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
