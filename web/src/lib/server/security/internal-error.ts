// Faults (bugs, database errors) are told to people as one plain sentence with a reference, never as the
// error's own message: a driver error carries the SQL statement and its parameters. The reference is logged
// with the full error, so a support request quoting it finds the cause.
import { randomBytes } from 'node:crypto';

/** Eight characters, easy to read out over the phone, unique enough to find one log line. */
const newErrorRef = (): string => randomBytes(6).toString('base64url').slice(0, 8).toUpperCase().replace(/[-_]/g, 'X');

export const internalErrorMessage = (ref: string): string => `Something went wrong on our side (ref ${ref})`;

/** Logs the error under a new reference and returns the sentence to show in its place. */
export function reportInternalError(
  error: unknown,
  where: string,
  log: (...args: unknown[]) => void = console.error,
): { ref: string; message: string } {
  const ref = newErrorRef();
  log(`[error ${ref}] ${where}:`, error);
  return { ref, message: internalErrorMessage(ref) };
}
