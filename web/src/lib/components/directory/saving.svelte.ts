// A directory form's submit state: the button says "Saving…" while the action runs, and a refused form
// keeps what the person typed (SvelteKit resets the form after a submit unless told not to).
import type { SubmitFunction } from '$app/forms';

export class Saving {
  busy = $state(false);

  /** Pass to `use:enhance`. */
  submit: SubmitFunction = () => {
    this.busy = true;
    return async ({ update }) => {
      await update({ reset: false });
      this.busy = false;
    };
  };
}
