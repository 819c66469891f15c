// The database not answering (down, restarting, unreachable) is not the user's fault, nor signing out:
// it is told as 503 "temporarily unavailable, nothing was changed", with the session kept. No SvelteKit
// imports: the auth resolver and the tRPC middleware use it too.

export const UNAVAILABLE_MESSAGE =
  'The service is temporarily unavailable: nothing was changed. Please try again in a minute.';

/** A request could not be served because the database did not answer. */
export class DatabaseUnavailable extends Error {
  override readonly name = 'DatabaseUnavailable';
  constructor(cause?: unknown) {
    super(UNAVAILABLE_MESSAGE, { cause });
  }
}

/** Driver codes for a connection that could not be made or was lost (postgres.js and Node's net). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/**
 * Whether the error (or anything in its cause chain) says the database is unreachable: a connection
 * error, SQLSTATE class 08 (connection exception), or 57P01–57P03 (the server shutting down or starting).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    if (e instanceof DatabaseUnavailable) return true;
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (CONNECTION_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code)) return true;
  }
  // AggregateError (a connect to every resolved address refused) keeps its causes in `errors`.
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return false;
}
