// Text-input pieces the directory and settings routers share, so search and blank-field handling agree.
import { z } from 'zod';
import { normalisePostcode } from '#lib/postcode.ts';
import { emailAddress } from '../email-address.ts';

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

/** An optional email address (the shared rule in email-address.ts), stored as null when blank. */
export const optionalEmail = z
  .union([z.literal(''), emailAddress()])
  .optional()
  .transform((v) => v || null);

/** Control characters no text field stores: C0 controls and DEL, except tab, line feed and carriage return,
 * which multi-line text (descriptions, notes, addresses) uses. PostgreSQL refuses NUL outright (it used to
 * surface as a 500), and the rest are invisible in every page and email that shows the text. */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** Single-line fields take no line breaks or tabs either. */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F]/;

export const controlCharacterMessage = (field: string) =>
  `The ${field} contains a control character (an invisible character such as NUL), which cannot be stored. Remove it and try again`;

/** A required single-line text field: trimmed, `min`–`max` characters, no control characters or line breaks. */
export const singleLineText = (field: string, min: number, max: number, tooShort?: string) =>
  z
    .string()
    .trim()
    .min(min, tooShort)
    .max(max)
    .refine((v) => !CONTROL_SINGLE_LINE.test(v), controlCharacterMessage(field));

/**
 * The path of the first string anywhere in a request's input that holds a control character text never
 * carries (line breaks and tabs are allowed here; single-line fields refuse them in their own schemas), or
 * null. Runs on the raw input of every API call, before any schema, so no such byte reaches the database.
 */
export function controlCharacterPath(
  input: unknown,
  path: (string | number)[] = [],
  depth = 0,
): (string | number)[] | null {
  if (typeof input === 'string') return CONTROL.test(input) ? path : null;
  if (depth > 20 || input === null || typeof input !== 'object') return null;
  for (const [key, value] of Array.isArray(input) ? input.entries() : Object.entries(input)) {
    const found = controlCharacterPath(value, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** A full UK postcode, normalised ("bs15lj" → "BS1 5LJ"); `blank` is what an empty field is told. */
export const ukPostcode = (blank: string) =>
  z
    .string()
    .trim()
    .min(1, blank)
    .max(10, 'That is too long for a UK postcode (e.g. BS1 5LJ)')
    .transform((v, ctx) => {
      const pc = normalisePostcode(v);
      if (!pc) {
        ctx.addIssue({ code: 'custom', message: `“${v}” is not a UK postcode (e.g. BS1 5LJ)` });
        return z.NEVER;
      }
      return pc;
    });
