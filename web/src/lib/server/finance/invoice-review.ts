// The approve / query form actions on a contractor invoice. The finance overview and a job's finance tab
// both offer them; one copy keeps the two forms posting the same fields to the same procedures.
import type { RequestEvent } from '@sveltejs/kit';
import { api } from '../api/caller.ts';
import { attempt } from '../forms.ts';

const str = (f: FormData, k: string) => String(f.get(k) ?? '').trim();

export const invoiceReviewActions = {
  approve: async (event: RequestEvent) => {
    const f = await event.request.formData();
    return attempt('approve', async () =>
      (await api(event)).finance.approveInvoice({ invoiceId: str(f, 'invoiceId') }),
    );
  },
  query: async (event: RequestEvent) => {
    const f = await event.request.formData();
    return attempt('query', async () =>
      (await api(event)).finance.queryInvoice({ invoiceId: str(f, 'invoiceId'), reason: str(f, 'reason') }),
    );
  },
};
