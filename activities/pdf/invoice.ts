// The agency's invoice to the client (landlord) for a job: the printable document staff send. With the agency's
// VAT registration number it is a full UK VAT invoice (VAT Notice 700, 16.3): the supplier's name, address and
// VAT number, a unique sequential number, the invoice date and the tax point, the customer's name and billing
// address, the description, and net, rate, VAT and gross.
import { formatDay, ukDay } from '#workflows/time.ts';
import { formatVatNumber, taxPoint } from '#workflows/vat.ts';
import { addressLines, financeDocument, money, ratePercent } from '../finance/pdf-kit.ts';
import { FONT } from './fonts.ts';

interface InvoiceData {
  number: string;
  raisedAt: Date;
  agency: {
    name: string;
    email: string | null;
    phone: string | null;
    address: string | null;
    vatNumber: string | null;
    /** The agency's logo, drawn top right (activities/pdf/logo.ts); none: no logo. */
    logo?: Buffer | null;
  };
  /** Who the invoice is to and their billing address (null on invoices raised before they were asked for). */
  clientName: string | null;
  clientAddress: string | null;
  /** The property the work was done at. */
  property: string[];
  job: { reference: string; title: string; completedAt: Date | null };
  agentNetPence: number;
  vatRateBp: number;
  vatPence: number;
  grossPence: number;
  /** Set once the invoice is credited in full (ADR 0064): the copy says so, and that nothing is due on it. */
  creditedAt?: Date | null;
  creditNoteNumber?: string | null;
  generatedAt: Date;
}

export function renderInvoice(data: InvoiceData): Promise<Buffer> {
  const { doc, done, heading, field, table, totals, title } = financeDocument({
    title: `Invoice ${data.number}`,
    author: data.agency.name,
    createdAt: data.generatedAt,
    logo: data.agency.logo,
  });
  const contact = [data.agency.phone, data.agency.email].filter(Boolean).join(' · ');
  title(`Invoice ${data.number}`, [data.agency.name, contact].filter(Boolean).join(' · '));
  // A credited invoice is reprinted as issued, and says plainly that it was cancelled.
  const credited = data.creditedAt
    ? `Credited in full by credit note ${data.creditNoteNumber ?? ''} on ${formatDay(ukDay(data.creditedAt))}.`
    : null;

  heading('From');
  doc.text([data.agency.name, ...addressLines(data.agency.address)].join('\n'));
  if (data.agency.vatNumber) field('VAT registration number', formatVatNumber(data.agency.vatNumber));

  heading(data.agency.vatNumber ? 'VAT invoice' : 'Invoice');
  const invoicedOn = ukDay(data.raisedAt);
  const completedOn = data.job.completedAt ? ukDay(data.job.completedAt) : null;
  field('Invoice number', data.number);
  if (credited) field('Status', credited);
  field('Invoice date', formatDay(invoicedOn));
  if (data.agency.vatNumber) field('Tax point', formatDay(taxPoint(completedOn, invoicedOn)));
  field('Job reference', data.job.reference);
  if (completedOn) field('Work completed', formatDay(completedOn));

  heading('Bill to');
  doc.text(
    data.clientName
      ? [data.clientName, ...addressLines(data.clientAddress)].join('\n')
      : 'No client was recorded on this invoice: re-raise it with the client’s name and billing address.',
  );
  if (data.property.length) field('Work at', data.property.join(', '));

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
    [credited ? 'Total (credited in full)' : 'Total due', money(data.grossPence), true],
  ]);

  doc.moveDown(2).font(FONT.regular).fontSize(9).fillColor('#5b6776');
  const questions = data.agency.email ?? data.agency.phone ?? data.agency.name;
  doc.text(
    credited
      ? `${credited} Nothing is due on this invoice: do not pay it. Questions: ${questions}.`
      : `Please quote ${data.number} with your payment. Questions about this invoice: ${questions}.`,
    48,
  );
  doc.end();
  return done;
}
