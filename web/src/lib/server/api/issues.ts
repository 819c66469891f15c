// Validation failures in words a person can act on. zod's default messages are for developers ("Too small:
// expected string to have >=1 characters", a regex for a bad email); a message a schema gives itself is meant
// for people. `describeIssues` keeps the latter and rewords the former, naming the field each is about.
import { z, type ZodError } from 'zod';

type Issue = ZodError['issues'][number];
const english = z.locales.en().localeError;

/** Whether the message is zod's own default wording (a type error always is: it names the value's type). */
function zodsOwn(issue: Issue): boolean {
  if (issue.code === 'invalid_type') return true;
  const own = english(issue as Parameters<typeof english>[0]);
  return issue.message === (typeof own === 'string' ? own : own?.message);
}

/** "agentNetPence" → "Agent net", "paidOn" → "Paid on": the field a person sees, from the last key of the path. */
function fieldName(path: readonly PropertyKey[]): string | null {
  const key = [...path].reverse().find((p): p is string => typeof p === 'string');
  if (!key) return null;
  const words = key
    .replace(/(Pence|Bp|Ids?)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function reworded(issue: Issue): string {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'is required' : `needs at least ${issue.minimum} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return Number(issue.minimum) <= 1 ? 'needs at least one' : `needs at least ${issue.minimum}`;
      return 'is too small';
    case 'too_big':
      if (issue.origin === 'string') return `is too long (at most ${issue.maximum} characters)`;
      if (issue.origin === 'array' || issue.origin === 'set') return `has too many (at most ${issue.maximum})`;
      return 'is too large';
    case 'invalid_type':
      return issue.expected === 'int' ? 'must be a whole number' : 'is required';
    case 'invalid_format':
      if (issue.format === 'email') return 'is not a valid email address';
      if (issue.format === 'date') return 'is not a valid date';
      if (issue.format === 'uuid') return 'is not a valid reference';
      return 'is not in the expected format';
    case 'invalid_value':
      return 'is not one of the choices';
    default:
      return 'is not valid';
  }
}

/** One sentence for all of a failure's issues: "Reason is required; Agent net is too large". */
export function describeIssues(issues: readonly Issue[]): string {
  const parts = issues.map((issue) => {
    const field = fieldName(issue.path);
    if (!zodsOwn(issue) || !field) return issue.message;
    return `${field} ${reworded(issue)}`;
  });
  return [...new Set(parts)].join('; ');
}
