// Remittance advice: what the agency paid a contractor in one payment run, invoice by invoice.
import { formatDay } from '#workflows/time.ts';
import { financeDocument, money } from '../finance/pdf-kit.ts';

interface RemittanceData {
  reference: string;
  paidOn: string;
  agency: {
    name: string;
    email: string | null;
    phone: string | null;
    /** The agency's logo, drawn top right (activities/pdf/logo.ts); none: no logo. */
    logo?: Buffer | null;
  };
  payee: { name: string; company: string | null; email: string } | null;
  lines: {
    jobReference: string;
    jobTitle: string;
    invoiceNumber: string | null;
    postcode: string | null;
    amountPence: number;
  }[];
  totalPence: number;
  generatedAt: Date;
}

export function renderRemittance(data: RemittanceData): Promise<Buffer> {
  const { doc, done, heading, field, table, totals, title } = financeDocument({
    title: `Remittance advice ${data.reference}`,
    author: data.agency.name,
    createdAt: data.generatedAt,
    logo: data.agency.logo,
  });
  title(
    'Remittance advice',
    `${data.agency.name}${data.agency.phone ? ` · ${data.agency.phone}` : ''}${data.agency.email ? ` · ${data.agency.email}` : ''}`,
  );

  heading('Payment');
  field('Payment reference', data.reference);
  field('Paid on', formatDay(data.paidOn));
  if (data.payee) field('Paid to', data.payee.name + (data.payee.company ? `, ${data.payee.company}` : ''));
  field('Amount paid', money(data.totalPence));

  heading('Invoices paid');
  table(
    [
      { header: 'Your invoice', width: 2 },
      { header: 'Job', width: 2 },
      { header: 'Work', width: 4 },
      { header: 'Amount', width: 1.6, align: 'right' },
    ],
    data.lines.map((l) => [
      l.invoiceNumber ?? '—',
      l.jobReference,
      `${l.jobTitle}${l.postcode ? ` (${l.postcode})` : ''}`,
      money(l.amountPence),
    ]),
  );
  totals([['Total paid', money(data.totalPence), true]]);
  doc.end();
  return done;
}
