// What a settings section reads from the page's `form` prop (the last action's answer): whether its row was
// refused and why, what the person typed, and whether it saved. `form` is a getter so the answers stay current.
import { failureOf, succeeded, type FieldErrors } from '#lib/components/directory/form-state.ts';

export function settingsForm(form: () => unknown) {
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
