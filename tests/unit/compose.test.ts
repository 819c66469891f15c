// docker-compose.yml as `docker compose` reads it (no engine needed: `config` only parses and checks):
// valid, and wired so the app and workers start only after Temporal's setup has registered the very
// search attributes the workflows upsert. Skips, saying why, where the docker client has no compose;
// CI (COMPOSE_REQUIRED=1) fails instead.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JOB_SEARCH_ATTRIBUTES } from '#workflows/temporal/search-attributes.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const compose = (...args: string[]) => spawnSync('docker', ['compose', ...args], { cwd: ROOT, encoding: 'utf8' });
const available = compose('version').status === 0;
const required = process.env.COMPOSE_REQUIRED === '1';
if (!available && !required)
  console.warn('\n[compose] SKIPPED docker-compose.yml checks: `docker compose` is not available here\n');

interface Service {
  image?: string;
  profiles?: string[];
  environment?: Record<string, string>;
  ports?: { published?: string; host_ip?: string }[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: { source: string; target: string }[];
  entrypoint?: string[];
}

describe.runIf(available || required)('docker-compose.yml', () => {
  const read = () => {
    const result = compose('config', '--format', 'json');
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as { services: Record<string, Service> };
  };

  it('is valid for docker compose', () => {
    const result = compose('config', '--quiet');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('starts the app and workers only after Temporal’s one-shot setup has finished', () => {
    const { services } = read();
    for (const name of ['app', 'worker']) {
      expect(services[name]?.depends_on?.['temporal-setup']?.condition).toBe('service_completed_successfully');
    }
    expect(services.temporal?.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    expect(Object.values(services).some((s) => s.image?.includes('auto-setup'))).toBe(false);
  });

  it('adds a self-hosted postcodes.io only with the `postcodes` profile, and passes POSTCODES_IO_URL to the app', () => {
    const { services } = read();
    expect(Object.keys(services).filter((s) => s.startsWith('postcodes'))).toEqual([]);
    expect(services.app?.environment).toHaveProperty('POSTCODES_IO_URL', '');
    const withProfile = compose('--profile', 'postcodes', 'config', '--format', 'json');
    expect(withProfile.status).toBe(0);
    const all = (JSON.parse(withProfile.stdout) as { services: Record<string, Service> }).services;
    expect(all['postcodes-io']?.image).toMatch(/^idealpostcodes\/postcodes\.io:/);
    expect(all['postcodes-db']?.image).toMatch(/^idealpostcodes\/postcodes\.io\.db:/);
    expect(all['postcodes-io']?.depends_on?.['postcodes-db']?.condition).toBe('service_healthy');
    expect(all['postcodes-io']?.environment).toMatchObject({ POSTGRES_HOST: 'postcodes-db' });
    // The app never waits for it: the lookup falls back while it starts.
    expect(all.app?.depends_on).not.toHaveProperty('postcodes-io');
  });

  it('registers exactly the search attributes the workflows use, with their types', () => {
    const script = readFileSync(`${ROOT}deploy/temporal/setup.sh`, 'utf8');
    const listed = /for attr in ([^;]+); do/.exec(script)?.[1]?.trim().split(/\s+/) ?? [];
    const cliType = { KEYWORD: 'Keyword', DATETIME: 'Datetime', BOOL: 'Bool' } as Record<string, string>;
    expect(listed.sort()).toEqual(JOB_SEARCH_ATTRIBUTES.map((k) => `${k.name}:${cliType[k.type]}`).sort());
  });
});
