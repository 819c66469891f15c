// Which errors mean "the database is not answering" (503, session kept) rather than a fault (500).
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailable, isDatabaseUnavailable } from '#lib/server/security/unavailable.ts';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises lost and refused connections, wrapped or not', () => {
    expect(isDatabaseUnavailable(coded('ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(coded('CONNECTION_CLOSED'))).toBe(true);
    expect(isDatabaseUnavailable(coded('CONNECT_TIMEOUT'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Failed query', { cause: coded('CONNECTION_ENDED') }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]))).toBe(true);
    expect(isDatabaseUnavailable(new DatabaseUnavailable())).toBe(true);
  });

  it('recognises PostgreSQL shutting down, starting, or a connection exception', () => {
    expect(isDatabaseUnavailable(coded('57P01'))).toBe(true); // admin_shutdown
    expect(isDatabaseUnavailable(coded('57P03'))).toBe(true); // cannot_connect_now
    expect(isDatabaseUnavailable(coded('08006'))).toBe(true); // connection_failure
  });

  it('leaves real faults alone: constraint and syntax errors, bugs', () => {
    expect(isDatabaseUnavailable(coded('23505'))).toBe(false);
    expect(isDatabaseUnavailable(coded('42P01'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable('not an error')).toBe(false);
  });
});
