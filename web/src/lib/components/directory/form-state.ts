// What a form action answered, as the pages read it: safe in the browser (no server imports).

export type FieldErrors = Record<string, string[] | undefined>;

/** What a failed form action returns; pages show `error` at the top and `fieldErrors` by each field. */
export interface FormFailure {
  action: string;
  /** The record the form was about (a row's id), so the message lands on the right row. */
  key: string | null;
  error: string;
  fieldErrors: FieldErrors;
  values: Record<string, string>;
}

/** The page's `form` prop as a FormFailure for this action (and row), or null. ActionData widens every field to optional; this narrows it back. */
export function failureOf(form: unknown, action: string, key: string | null = null): FormFailure | null {
  if (!form || typeof form !== 'object' || !('fieldErrors' in form)) return null;
  const f = form as FormFailure;
  return f.action === action && f.key === key ? f : null;
}

/** Whether the page's `form` prop is the success of this action (and row). */
export function succeeded(form: unknown, action: string, key: string | null = null): boolean {
  if (!form || typeof form !== 'object' || !('ok' in form)) return false;
  const f = form as { ok: boolean; action: string; key: string | null };
  return f.ok && f.action === action && f.key === key;
}

/**
 * What a page's forms read from its `form` prop (the last action's answer), for one row or record: whether it
 * was refused and why, what the person typed, whether it saved or was removed. `form` is a getter, so a
 * component given the prop reads the current answer.
 */
export function formAnswers(form: () => unknown) {
  const failed = (action: string, key: string | null) => failureOf(form(), action, key);
  return {
    failed,
    errs: (action: string, key: string | null): FieldErrors => failed(action, key)?.fieldErrors ?? {},
    /** After a refused submit without JavaScript, show what the person typed rather than the stored value. */
    val: (action: string, key: string | null, name: string, stored: string | number | null | undefined) =>
      failed(action, key)?.values[name] ?? stored ?? '',
    saved: (action: string, key: string | null) => succeeded(form(), action, key),
    /** The record is gone from the page once removed, so the confirmation sits above its list. */
    removed: (action: string) => {
      const f = form();
      return !!f && typeof f === 'object' && 'ok' in f && f.ok === true && 'action' in f && f.action === action;
    },
  };
}
