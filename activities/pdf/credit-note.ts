// A credit note cancelling one of the agency's invoices to the client in full: an issued invoice is never edited,
// so a correction is this plus a new invoice. With the agency's VAT number it is a VAT credit note (VAT Notice
// 700, 18.2): the supplier's name, address and VAT number, its own sequential number and date, the customer, the
// credited invoice's number and date, the reason, and the net, rate, VAT and gross credited. Amounts are printed
// as positive sums headed as a credit (as they are stored; see docs/decisions.md, ADR 0064).
import { formatDay, ukDay } from '#workflows/time.ts';
import { formatVatNumber } from '#workflows/vat.ts';
import { addressLines, financeDocument, money, ratePercent } from '../finance/pdf-kit.ts';
import { FONT } from './fonts.ts';

interface CreditNoteData {
  number: string;
  issuedAt: Date;
  invoiceNumber: string;
  invoiceRaisedAt: Date;
  reason: string;
  /** The invoice issued in its place, when there is one. */
  replacedBy: string | null;
  agency: {
    name: string;
    email: string | null;
    phone: string | null;
    address: string | null;
    vatNumber: string | null;
    /** The agency's logo, drawn top right (activities/pdf/logo.ts); none: no logo. */
    logo?: Buffer | null;
  };
  clientName: string | null;
  clientAddress: string | null;
  job: { reference: string; title: string };
  netPence: number;
  vatRateBp: number;
  vatPence: number;
  grossPence: number;
  generatedAt: Date;
}

export function renderCreditNote(data: CreditNoteData): Promise<Buffer> {
  const { doc, done, heading, field, table, totals, title } = financeDocument({
    title: `Credit note ${data.number}`,
    author: data.agency.name,
    createdAt: data.generatedAt,
    logo: data.agency.logo,
  });
  const contact = [data.agency.phone, data.agency.email].filter(Boolean).join(' · ');
  title(`CREDIT NOTE ${data.number}`, [data.agency.name, contact].filter(Boolean).join(' · '));

  heading('From');
  doc.text([data.agency.name, ...addressLines(data.agency.address)].join('\n'));
  if (data.agency.vatNumber) field('VAT registration number', formatVatNumber(data.agency.vatNumber));

  heading(data.agency.vatNumber ? 'VAT credit note' : 'Credit note');
  field('Credit note number', data.number);
  field('Credit note date', formatDay(ukDay(data.issuedAt)));
  field('Credits invoice', `${data.invoiceNumber} dated ${formatDay(ukDay(data.invoiceRaisedAt))}`);
  field('Reason', data.reason);
  if (data.replacedBy) field('Replaced by invoice', data.replacedBy);
  field('Job reference', data.job.reference);

  heading('Credit to');
  doc.text(data.clientName ? [data.clientName, ...addressLines(data.clientAddress)].join('\n') : 'The client');

  heading('Amounts credited');
  table(
    [
      { header: 'Description', width: 5 },
      { header: 'Net', width: 1.5, align: 'right' },
      { header: `VAT (${ratePercent(data.vatRateBp)})`, width: 1.5, align: 'right' },
      { header: 'Total', width: 1.5, align: 'right' },
    ],
    [
      [
        `Credit for invoice ${data.invoiceNumber}: ${data.job.title} (${data.job.reference})`,
        money(data.netPence),
        money(data.vatPence),
        money(data.grossPence),
      ],
    ],
  );
  totals([
    ['Net credited', money(data.netPence)],
    [`VAT credited at ${ratePercent(data.vatRateBp)}`, money(data.vatPence)],
    ['Total credited', money(data.grossPence), true],
  ]);

  doc.moveDown(2).font(FONT.regular).fontSize(9).fillColor('#5b6776');
  doc.text(
    `This credit note cancels invoice ${data.invoiceNumber} in full: nothing is owed on it.` +
      (data.replacedBy ? ` Please pay invoice ${data.replacedBy} instead.` : '') +
      ` Questions: ${data.agency.email ?? data.agency.phone ?? data.agency.name}.`,
    48,
  );
  doc.end();
  return done;
}
