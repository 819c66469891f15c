// The one rule for an email address anyone types: contractors, tenants, agency settings, invitations and the
// sign-in, sign-up, verification and reset pages all use it, so no path stores or mails an address another refuses.
import { z } from 'zod';

/** No deliverable address is longer (RFC 5321's path limit); zod's email pattern alone does not say so. */
export const EMAIL_MAX = 254;

/** An email address: trimmed, lower-cased, at most 254 characters and shaped like an address. */
export const emailAddress = (message = 'Enter a valid email') =>
  // Both checks after the pipe: they then report together, and inside a union (optionalEmail) the field's own
  // message survives rather than zod's "invalid input".
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email(message).max(EMAIL_MAX, `Keep the email to ${EMAIL_MAX} characters`));

/** True when `value` is an address emailAddress accepts. */
export const isEmailAddress = (value: string) => emailAddress().safeParse(value).success;
