// Which form on a finance page is submitting, so its button disables until the action answers (the
// finance overview and a job's finance tab both post several enhanced forms per page).
export class FormBusy {
  name = $state<string | null>(null);

  /** For `use:enhance`: marks `name` busy until the page has updated with the action's result. */
  submitting = (name: string) => () => {
    this.name = name;
    return async ({ update }: { update: () => Promise<void> }) => {
      await update();
      this.name = null;
    };
  };
}
