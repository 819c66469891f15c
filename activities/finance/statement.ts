// A contractor's statement over a period: pure arithmetic and the CSV form, kept apart from the queries
// so the running balance and the export can be tested on their own.

export interface StatementEntry {
  /** ISO date (YYYY-MM-DD). */
  date: string;
  type: 'invoice' | 'payment';
  /** The contractor's invoice number, or the payment's bank reference. */
  number: string;
  jobReference: string;
  description: string;
  invoicedPence: number;
  paidPence: number;
}

interface StatementLine extends StatementEntry {
  /** What the agency owes the contractor after this line. */
  balancePence: number;
}

export interface Statement {
  from: string;
  to: string;
  openingPence: number;
  lines: StatementLine[];
  invoicedPence: number;
  paidPence: number;
  closingPence: number;
}

/** Same day: invoices before payments, then by number, so the order never depends on the database's. */
function compareEntries(a: StatementEntry, b: StatementEntry): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.type !== b.type) return a.type === 'invoice' ? -1 : 1;
  return a.number < b.number
    ? -1
    : a.number > b.number
      ? 1
      : a.jobReference < b.jobReference
        ? -1
        : a.jobReference > b.jobReference
          ? 1
          : 0;
}

export function buildStatement(
  from: string,
  to: string,
  openingPence: number,
  entries: readonly StatementEntry[],
): Statement {
  let balance = openingPence;
  const lines = [...entries].sort(compareEntries).map((e) => {
    balance += e.invoicedPence - e.paidPence;
    return { ...e, balancePence: balance };
  });
  const invoicedPence = lines.reduce((s, l) => s + l.invoicedPence, 0);
  const paidPence = lines.reduce((s, l) => s + l.paidPence, 0);
  return {
    from,
    to,
    openingPence,
    lines,
    invoicedPence,
    paidPence,
    closingPence: openingPence + invoicedPence - paidPence,
  };
}

/** Pence as pounds with two decimals, no symbol or separators, as accounting imports expect: 123456 → "1234.56". */
export function poundsOf(pence: number): string {
  if (!Number.isSafeInteger(pence)) throw new RangeError(`Not whole pence: ${pence}`);
  const sign = pence < 0 ? '-' : '';
  const abs = Math.abs(pence);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Free text (numbers, references, job titles) that a spreadsheet would run as a formula gets a leading
 * apostrophe, the usual guard against CSV injection. Amounts are never text, so they are left alone.
 */
export function safeText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const STATEMENT_CSV_COLUMNS = ['Date', 'Type', 'Number', 'Job', 'Description', 'Invoiced', 'Paid', 'Balance'] as const;

/**
 * The statement as CSV (RFC 4180: CRLF line ends, header row). The opening and closing balances are
 * rows of type "Opening balance"/"Closing balance" so an import sees the same figures as the PDF.
 */
export function statementCsv(s: Statement): string {
  const rows: string[][] = [[...STATEMENT_CSV_COLUMNS]];
  rows.push([s.from, 'Opening balance', '', '', '', '', '', poundsOf(s.openingPence)]);
  for (const l of s.lines) {
    rows.push([
      l.date,
      l.type === 'invoice' ? 'Invoice' : l.paidPence < 0 ? 'Refund' : 'Payment',
      safeText(l.number),
      safeText(l.jobReference),
      safeText(l.description),
      l.invoicedPence ? poundsOf(l.invoicedPence) : '',
      l.paidPence ? poundsOf(l.paidPence) : '',
      poundsOf(l.balancePence),
    ]);
  }
  rows.push([
    s.to,
    'Closing balance',
    '',
    '',
    '',
    poundsOf(s.invoicedPence),
    poundsOf(s.paidPence),
    poundsOf(s.closingPence),
  ]);
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
