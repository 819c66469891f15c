// Six-digit codes sent by email to prove an address (an agency sign-up, a tenant's repair report): stored only
// as a hash bound to the record they prove, compared in constant time.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/** A fresh code: six digits, leading zeros kept. */
export const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** The stored form of `code` for the record `id` (the same code for another record hashes differently). */
export const codeHash = (id: string, code: string) => createHash('sha256').update(`${id}:${code}`).digest('hex');

/** Whether `code` (spaces ignored) is the one `stored` hashes for `id`. */
export function codeMatches(id: string, code: string, stored: string): boolean {
  const given = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(given)) return false;
  const expected = Buffer.from(stored, 'hex');
  const actual = Buffer.from(codeHash(id, given), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
