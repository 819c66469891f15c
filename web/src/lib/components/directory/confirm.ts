// Removals cannot be undone: the browser asks first, and Cancel sends nothing.
import type { SubmitFunction } from '$app/forms';

/** Pass to `use:enhance` on a removal's form, around the page's own submit handler. */
export const confirmFirst =
  (question: string, then: SubmitFunction): SubmitFunction =>
  (input) => {
    if (!confirm(question)) return input.cancel();
    return then(input);
  };
