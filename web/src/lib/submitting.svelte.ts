// Which form on a page is posting, so its button disables (and can say "Saving…") until the action answers. Every
// enhanced form goes through here: one page may post several forms (a row per record), each known by a name.
import type { ActionResult, SubmitFunction } from '$app/forms';

export interface SubmitOptions {
  /** Asked first (removals cannot be undone): Cancel sends nothing. */
  confirm?: string;
  /** Clear the form after a successful post (SvelteKit's default). False keeps what the person typed. */
  reset?: boolean;
  /** Runs as the post starts, e.g. to remember what the form was about. */
  before?: () => void;
  /** Runs once the page shows the action's answer (and the button is enabled again). */
  after?: (result: ActionResult) => unknown;
  /**
   * A post that never reached the server (no signal) calls this instead of showing an error page, so the form
   * keeps what was typed. The server's own errors carry a location; a failed fetch does not.
   */
  offline?: () => void;
}

export class Submitting {
  /** The name of the form posting now, or null. */
  name = $state<string | null>(null);

  /** Whether any form on the page is posting. */
  get busy(): boolean {
    return this.name !== null;
  }

  /** Whether the form called `name` is posting. */
  is(name: string): boolean {
    return this.name === name;
  }

  /** For `use:enhance`: marks `name` as posting until the page has updated with the action's answer. */
  form =
    (name: string, options: SubmitOptions = {}): SubmitFunction =>
    ({ cancel }) => {
      if (options.confirm !== undefined && !confirm(options.confirm)) return cancel();
      this.name = name;
      options.before?.();
      return async ({ result, update }) => {
        if (options.offline && result.type === 'error' && !result.location) {
          this.name = null;
          options.offline();
          return;
        }
        await update({ reset: options.reset ?? true });
        this.name = null;
        await options.after?.(result);
      };
    };
}
