// Validation failures in words a person can act on. zod's default messages are for developers ("Too small:
// expected string to have >=1 characters", a regex for a bad email); the error map below rewords the
// defaults once for every schema (a message a schema gives itself still wins), and `describeIssues` names
// the field each one is about, so the API and the forms say the same sentence.
import { z } from 'zod';

z.config({
  customError(issue) {
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
        if (issue.input === undefined || issue.input === null) return 'is required';
        return issue.expected === 'int' ? 'must be a whole number' : 'is not valid';
      case 'invalid_format':
        if (issue.format === 'email') return 'is not a valid email address';
        if (issue.format === 'date') return 'is not a valid date';
        if (issue.format === 'uuid') return 'is not a valid reference';
        return 'is not in the expected format';
      case 'invalid_value':
        return 'is not one of the choices';
      default:
        return undefined;
    }
  },
});

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

/** One sentence for all of a failure's issues: "Reason is required; Agent net is too large". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.map((issue) => {
    const field = fieldName(issue.path);
    // A message written for its field reads on its own ("Give the job a short title"); a reworded default
    // starts lower-case and needs the field's name in front.
    const own = /^[A-Z]/.test(issue.message);
    return own || !field ? issue.message.charAt(0).toUpperCase() + issue.message.slice(1) : `${field} ${issue.message}`;
  });
  return [...new Set(parts)].join('; ');
}
