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
