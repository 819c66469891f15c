// The agency's invoice to the client (landlord) for a job: the printable document staff send.
import { formatDay } from '#workflows/time.ts';
import { financeDocument, money } from '../finance/pdf-kit.ts';
import { FONT } from './fonts.ts';

interface InvoiceData {
  number: string;
  raisedAt: Date;
  agency: { name: string; email: string | null; phone: string | null };
  /** The property the work was done at (the client is its landlord). */
  property: string[];
  job: { reference: string; title: string; completedAt: Date | null };
  agentNetPence: number;
  vatRateBp: number;
  vatPence: number;
  grossPence: number;
  generatedAt: Date;
}

/** "20%" or "17.5%" from basis points. */
const ratePercent = (bp: number) => `${bp / 100}%`;

export function renderInvoice(data: InvoiceData): Promise<Buffer> {
  const { doc, done, heading, field, table, totals, title } = financeDocument({
    title: `Invoice ${data.number}`,
    author: data.agency.name,
    createdAt: data.generatedAt,
  });
  title(
    `Invoice ${data.number}`,
    `${data.agency.name}${data.agency.phone ? ` · ${data.agency.phone}` : ''}${data.agency.email ? ` · ${data.agency.email}` : ''}`,
  );

  heading('Invoice');
  field('Invoice number', data.number);
  field('Invoice date', formatDay(data.raisedAt));
  field('Job reference', data.job.reference);
  if (data.job.completedAt) field('Work completed', formatDay(data.job.completedAt));

  heading('Bill to');
  doc.text(['The landlord', ...data.property].join('\n'));

  heading('Charges');
  table(
    [
      { header: 'Description', width: 5 },
      { header: 'Net', width: 1.5, align: 'right' },
      { header: `VAT (${ratePercent(data.vatRateBp)})`, width: 1.5, align: 'right' },
      { header: 'Total', width: 1.5, align: 'right' },
    ],
    [
      [
        `${data.job.title} (${data.job.reference})`,
        money(data.agentNetPence),
        money(data.vatPence),
        money(data.grossPence),
      ],
    ],
  );
  totals([
    ['Subtotal (net)', money(data.agentNetPence)],
    [`VAT at ${ratePercent(data.vatRateBp)}`, money(data.vatPence)],
    ['Total due', money(data.grossPence), true],
  ]);

  doc.moveDown(2).font(FONT.regular).fontSize(9).fillColor('#5b6776');
  doc.text(
    `Please quote ${data.number} with your payment. Questions about this invoice: ${data.agency.email ?? data.agency.phone ?? data.agency.name}.`,
    48,
  );
  doc.end();
  return done;
}
