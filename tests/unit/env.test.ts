// The process environment is validated once at the edge: defaults for the embedded setup, clear errors otherwise.
import { describe, expect, it } from 'vitest';
import { readEnv } from '../../worker/env.ts';

describe('readEnv', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const env = readEnv({});
    expect(env).toMatchObject({ DATA_DIR: '.data', PORT: 3000, JOB_ENGINE: 'auto', TEMPORAL_NAMESPACE: 'default', SEED_DEMO: true });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('treats empty strings as unset', () => {
    expect(readEnv({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it('names every bad variable in one error', () => {
    expect(() => readEnv({ DATABASE_URL: 'mysql://x', PORT: 'eighty', JOB_ENGINE: 'cloud', BETTER_AUTH_SECRET: 'short' })).toThrowError(
      /DATABASE_URL[\s\S]*PORT[\s\S]*JOB_ENGINE[\s\S]*BETTER_AUTH_SECRET: must be at least 32 characters/,
    );
  });

  it('refuses a TLS certificate without its key', () => {
    expect(() => readEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/certs/client.pem' })).toThrowError(/TEMPORAL_TLS_CLIENT_KEY_PATH: set both/);
    expect(readEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/k.pem' }).TEMPORAL_TLS_CLIENT_KEY_PATH).toBe('/k.pem');
  });
});
