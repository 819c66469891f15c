// A contractor's statement of account over a period: approved invoices, payments and the running balance.
import type { Statement } from '../finance/statement.ts';
import { formatDay } from '#workflows/time.ts';
import { financeDocument, money } from '../finance/pdf-kit.ts';

interface StatementData {
  agency: {
    name: string;
    /** The agency's logo, drawn top right (activities/pdf/logo.ts); none: no logo. */
    logo?: Buffer | null;
  };
  contractor: { name: string; company: string | null };
  statement: Statement;
  generatedAt: Date;
}

export function renderStatement(data: StatementData): Promise<Buffer> {
  const s = data.statement;
  const { doc, done, heading, field, table, totals, title } = financeDocument({
    title: `Statement ${s.from} to ${s.to}`,
    author: data.agency.name,
    createdAt: data.generatedAt,
    logo: data.agency.logo,
  });
  title(
    'Statement of account',
    `${data.agency.name} · ${data.contractor.name}${data.contractor.company ? `, ${data.contractor.company}` : ''}`,
  );

  heading('Period');
  field('From', formatDay(s.from));
  field('To', formatDay(s.to));
  field('Opening balance', money(s.openingPence));
  field('Closing balance', money(s.closingPence));

  heading('Invoices and payments');
  if (s.lines.length === 0) doc.text('No approved invoices or payments in this period.');
  else
    table(
      [
        { header: 'Date', width: 1.6 },
        { header: 'Type', width: 1.3 },
        { header: 'Number', width: 2 },
        { header: 'Job', width: 1.8 },
        { header: 'Invoiced', width: 1.5, align: 'right' },
        { header: 'Paid', width: 1.5, align: 'right' },
        { header: 'Balance', width: 1.5, align: 'right' },
      ],
      s.lines.map((l) => [
        formatDay(l.date),
        l.type === 'invoice' ? 'Invoice' : 'Payment',
        l.number,
        l.jobReference,
        l.invoicedPence ? money(l.invoicedPence) : '',
        l.paidPence ? money(l.paidPence) : '',
        money(l.balancePence),
      ]),
    );
  totals([
    ['Opening balance', money(s.openingPence)],
    ['Invoiced', money(s.invoicedPence)],
    ['Paid', money(s.paidPence)],
    ['Owed to you at close', money(s.closingPence), true],
  ]);
  doc.end();
  return done;
}
