// Validation failures in words a person can act on, for the API's answers and the forms alike. zod's default
// messages are for developers ("Too small: expected string to have >=1 characters", a regex for a bad
// email); a message a schema gives itself is meant for people and is kept.
import { z, type ZodError } from 'zod';

/** Names for the API's fields in a form's words, e.g. `{ number: 'invoice number' }`. */
export type FieldNames = Record<string, string>;

/** Each field's problems as sentences, by the field's key, as forms show them beside the field. */
export type FieldErrors = Record<string, string[] | undefined>;

/** Words for the API's fields whose own names would not read well to anyone ("line1", "lat"): every answer,
 * over HTTP and on forms alike, uses them unless a form names the field its own way. */
const NAMES: FieldNames = {
  line1: 'first line of the address',
  line2: 'second line of the address',
  lat: 'latitude',
  lng: 'longitude',
  baseLat: 'base latitude',
  baseLng: 'base longitude',
  vatRateBp: 'VAT rate',
  targetHours: 'SLA target',
  sortOrder: 'order',
};

type Issue = ZodError['issues'][number];
const english = z.locales.en().localeError;

/** Whether the message is zod's own wording. A wrong type always is: it names the value's type, which the
 * issue no longer carries. */
function zodsOwn(issue: Issue): boolean {
  if (issue.code === 'invalid_type') return true;
  const own = english(issue as Parameters<typeof english>[0]);
  return issue.message === (typeof own === 'string' ? own : own?.message);
}

/** "agentNetPence" → "agent net", "paidOn" → "paid on": the field as a person would name it. */
export const fieldOf = (key: string) =>
  key
    .replace(/(?<=.)(Pence|Bp|Html)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();

/** One sentence per problem: the schema's message, or a plain one naming the field in place of zod's. */
function sentence(issue: Issue, names: FieldNames): string {
  if (!zodsOwn(issue)) return issue.message;
  const key = issue.path.findLast((k): k is string => typeof k === 'string') ?? '';
  const field = names[key] ?? NAMES[key] ?? fieldOf(key);
  if (!field) return 'Check what you entered';
  const text = 'origin' in issue && issue.origin === 'string';
  switch (issue.code) {
    case 'invalid_type':
      // NaN is what a form sends for text typed where a number belongs; zod marks it `received`.
      if ('received' in issue && issue.received === 'NaN') return `Enter the ${field} as a number`;
      return issue.expected === 'int' ? `The ${field} must be a whole number` : `Enter the ${field}`;
    case 'too_small':
      return text
        ? Number(issue.minimum) <= 1
          ? `Enter the ${field}`
          : `The ${field} needs at least ${issue.minimum} characters`
        : `The ${field} is too small`;
    case 'too_big':
      return text ? `Keep the ${field} to ${issue.maximum} characters` : `The ${field} is too large`;
    case 'invalid_format':
      return `Enter a valid ${field}`;
    case 'invalid_value':
      return `Choose a ${field}`;
    default:
      return `Check the ${field}`;
  }
}

/** All of a failure's problems as sentences, each once: "Enter the reason. The agent net is too large". */
export function describeIssues(issues: readonly Issue[], names: FieldNames = {}): string {
  return [...new Set(issues.map((i) => sentence(i, names)))].join('. ');
}

/** The same sentences by field: each field's problems once, under its key; problems of the whole input under
 * `formErrors`. */
export function fieldErrorsOf(error: ZodError, names: FieldNames = {}) {
  const flat = z.flattenError(error, (issue) => sentence(issue, names));
  const once = (messages: string[] = []) => [...new Set(messages)];
  const fieldErrors: FieldErrors = Object.fromEntries(
    Object.entries(flat.fieldErrors as Record<string, string[] | undefined>).map(([k, v]) => [k, once(v)]),
  );
  return { formErrors: once(flat.formErrors), fieldErrors };
}
