// The approve / query form actions on a contractor invoice. The finance overview and a job's finance tab
// both offer them; one copy keeps the two forms posting the same fields to the same procedures.
import { api } from '../api/caller.ts';
import { formAction, trimmed } from '../forms.ts';

export const invoiceReviewActions = {
  approve: formAction('approve', async (f, event) =>
    (await api(event)).finance.approveInvoice({ invoiceId: trimmed(f, 'invoiceId') }),
  ),
  query: formAction('query', async (f, event) =>
    (await api(event)).finance.queryInvoice({ invoiceId: trimmed(f, 'invoiceId'), reason: trimmed(f, 'reason') }),
  ),
};
