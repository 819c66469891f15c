// Text-input pieces the directory and settings routers share, so search and blank-field handling agree.
import { z } from 'zod';

/** Escapes LIKE wildcards so a search for "50%" matches the text, not everything. */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** An optional text field: trimmed, at most `max` characters, stored as null when blank. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v || null);

/** An optional phone number (digits, spaces, brackets, - and a leading +), stored as null when blank: what
 * people see becomes a tel: link, so letters are refused. */
export const optionalPhone = z
  .string()
  .trim()
  .max(30)
  .regex(/^$|^[+\d][\d\s()-]{5,}$/, 'Enter a phone number of digits, spaces and +')
  .optional()
  .transform((v) => v || null);

/** An optional email address, trimmed and lower-cased, stored as null when blank. No address is longer than
 * 254 characters, and zod's email pattern alone does not say so. */
export const optionalEmail = z
  .union([z.literal(''), z.string().trim().toLowerCase().pipe(z.email('Enter a valid email').max(254, 'Keep the email to 254 characters'))])
  .optional()
  .transform((v) => v || null);
