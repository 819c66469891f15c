// The process environment is validated once at the edge: defaults for the embedded setup, clear errors otherwise.
import { describe, expect, it } from 'vitest';
import { engineClock } from '#worker/engine-clock.ts';
import { readEnv } from '#worker/env.ts';

describe('readEnv', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const env = readEnv({});
    expect(env).toMatchObject({
      DATA_DIR: '.data',
      PORT: 3000,
      JOB_ENGINE: 'auto',
      TEMPORAL_NAMESPACE: 'default',
      SEED_DEMO: true,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('treats empty strings as unset', () => {
    expect(readEnv({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it('names every bad variable in one error', () => {
    expect(() =>
      readEnv({ DATABASE_URL: 'mysql://x', PORT: 'eighty', JOB_ENGINE: 'cloud', BETTER_AUTH_SECRET: 'short' }),
    ).toThrowError(/DATABASE_URL[\s\S]*PORT[\s\S]*JOB_ENGINE[\s\S]*BETTER_AUTH_SECRET: must be at least 32 characters/);
  });

  it('refuses a TLS certificate without its key', () => {
    expect(() => readEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/certs/client.pem' })).toThrowError(
      /TEMPORAL_TLS_CLIENT_KEY_PATH: set both/,
    );
    expect(
      readEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/k.pem' })
        .TEMPORAL_TLS_CLIENT_KEY_PATH,
    ).toBe('/k.pem');
  });
});

describe('POSTCODES_IO_URL', () => {
  it('is unset (no service) by default, and must be an http(s) URL when set', () => {
    expect(readEnv({}).POSTCODES_IO_URL).toBeUndefined();
    expect(readEnv({ POSTCODES_IO_URL: '' }).POSTCODES_IO_URL).toBeUndefined();
    expect(readEnv({ POSTCODES_IO_URL: 'https://api.postcodes.io' }).POSTCODES_IO_URL).toBe('https://api.postcodes.io');
    expect(() => readEnv({ POSTCODES_IO_URL: 'api.postcodes.io' })).toThrowError(/POSTCODES_IO_URL/);
    expect(() => readEnv({ POSTCODES_IO_URL: 'ftp://postcodes.example' })).toThrowError(/POSTCODES_IO_URL/);
  });
});

describe('ENGINE_CLOCK_OFFSET', () => {
  const H = 3_600_000;

  it('reads a signed span in days, hours, minutes and seconds as milliseconds', () => {
    expect(readEnv({ ENGINE_CLOCK_OFFSET: '+3d' }).ENGINE_CLOCK_OFFSET).toBe(72 * H);
    expect(readEnv({ ENGINE_CLOCK_OFFSET: '-2h' }).ENGINE_CLOCK_OFFSET).toBe(-2 * H);
    expect(readEnv({ ENGINE_CLOCK_OFFSET: '1d12h30m' }).ENGINE_CLOCK_OFFSET).toBe(36.5 * H);
    expect(readEnv({}).ENGINE_CLOCK_OFFSET).toBeUndefined();
  });

  it('refuses what it cannot read', () => {
    expect(() => readEnv({ ENGINE_CLOCK_OFFSET: 'next week' })).toThrowError(
      /ENGINE_CLOCK_OFFSET: a signed span such as \+3d/,
    );
    expect(() => readEnv({ ENGINE_CLOCK_OFFSET: '+3 days' })).toThrowError(/ENGINE_CLOCK_OFFSET/);
  });

  it('is refused in production, saying so', () => {
    expect(() => readEnv({ NODE_ENV: 'production', ENGINE_CLOCK_OFFSET: '+3d' })).toThrowError(
      /ENGINE_CLOCK_OFFSET: is for development only and is refused with NODE_ENV=production/,
    );
    expect(readEnv({ NODE_ENV: 'development', ENGINE_CLOCK_OFFSET: '+3d' }).ENGINE_CLOCK_OFFSET).toBe(72 * H);
  });

  it("moves the embedded engine's clock, announced loudly; Temporal ignores it, also loudly", () => {
    const said: string[] = [];
    const clock = engineClock(readEnv({ ENGINE_CLOCK_OFFSET: '+3d' }), 'embedded', (m) => said.push(m));
    expect(clock().getTime() - Date.now()).toBeGreaterThan(72 * H - 5000);
    expect(clock().getTime() - Date.now()).toBeLessThanOrEqual(72 * H);
    expect(said.join('\n')).toMatch(/ENGINE CLOCK OFFSET \+72 h \(dev only\)/);

    const temporal = engineClock(readEnv({ ENGINE_CLOCK_OFFSET: '+3d' }), 'temporal', (m) => said.push(m));
    expect(Math.abs(temporal().getTime() - Date.now())).toBeLessThan(5000);
    expect(said.at(-1)).toMatch(/ENGINE_CLOCK_OFFSET is ignored: Temporal keeps its own time/);

    const quiet: string[] = [];
    engineClock(readEnv({}), 'embedded', (m) => quiet.push(m));
    expect(quiet).toEqual([]);
  });
});
