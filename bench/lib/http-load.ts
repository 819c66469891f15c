// The API load generator, run in its own process (bench/child.ts load) so that its CPU is not the app's:
// `connections` keep-alive HTTP/1.1 sockets, each a closed loop (send, read the whole body, send the
// next), like autocannon's default, or paced at a given total rate. node:http rather than fetch: it costs the generator less CPU per
// request, which matters when the generator, the app and PostgreSQL share two cores.
import { Agent, request } from 'node:http';
import type { ChildHandlers } from './proc.ts';
import { closedLoop, type LatencySummary } from './stats.ts';

export interface LoadScenario {
  name: string;
  /** Request paths (with query), used round-robin across all connections. */
  paths: string[];
  /** Overrides the run's connection count. */
  connections?: number;
  /** Paced: the connections together send this many requests a second (see `closedLoop`); else as fast as answered. */
  ratePerSecond?: number;
}

export interface LoadResult {
  name: string;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  errors: number;
  firstError: string | null;
  /** Mean response body size. */
  meanBytes: number;
  /** The generator's own CPU per request (user + system), to show it did not set the limit. */
  generatorCpuMsPerRequest: number;
}

function get(agent: Agent, base: URL, path: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        path,
        method: 'GET',
        headers: { cookie, accept: 'application/json' },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(bytes)
            : reject(new Error(`HTTP ${res.statusCode} for ${path.slice(0, 120)}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export function loadHandlers(): ChildHandlers {
  return {
    async run(m) {
      const base = new URL(m.base as string);
      const cookie = m.cookie as string;
      const connections = m.connections as number;
      const scenario = m.scenario as LoadScenario;
      const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
      let next = 0;
      let bytes = 0;
      let counted = 0;
      let cpuBefore = process.cpuUsage();
      const r = await closedLoop(
        connections,
        async () => {
          const n = await get(agent, base, scenario.paths[next++ % scenario.paths.length]!, cookie);
          bytes += n;
          counted++;
        },
        {
          warmupMs: m.warmupMs as number,
          durationMs: m.durationMs as number,
          ratePerSecond: scenario.ratePerSecond,
          onRecordStart: () => {
            cpuBefore = process.cpuUsage();
            bytes = 0;
            counted = 0;
          },
        },
      );
      const cpu = process.cpuUsage(cpuBefore);
      agent.destroy();
      const result: LoadResult = {
        name: scenario.name,
        requests: r.ops,
        seconds: r.seconds,
        requestsPerSecond: r.perSecond,
        latencyMs: r.latencyMs,
        errors: r.errors,
        firstError: r.firstError,
        meanBytes: counted ? bytes / counted : 0,
        generatorCpuMsPerRequest: r.ops ? (cpu.user + cpu.system) / 1000 / r.ops : 0,
      };
      return { type: 'run-done', result };
    },
  };
}
