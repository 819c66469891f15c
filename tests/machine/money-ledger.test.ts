// The finance ledger's arithmetic beside the machine: ledger metadata on events never changes what the
// machine does; statements' running balances close correctly; typed pounds become exact pence; the
// statement CSV is well-formed RFC 4180 whatever the text in it.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  buildStatement,
  csvField,
  poundsOf,
  safeText,
  statementCsv,
  type StatementEntry,
} from '#activities/finance/statement.ts';
import { parsePounds, poundsValue } from '#lib/components/finance/pounds.ts';
import type { JobEvent } from '#workflows/model.ts';
import { ev, hoursIn, reach, step } from './support.ts';

describe('ledger metadata on events', () => {
  test('runId, issuedOn, documentId, budgetPence and the client change nothing the machine keeps or does; paidOn is kept', () => {
    const meta = fc.record({
      day: fc.integer({ min: 0, max: 3000 }).map((d) => new Date(Date.UTC(2020, 0, 1 + d)).toISOString().slice(0, 10)),
      id: fc.uuid(),
      budget: fc.integer({ min: 0, max: 1_000_000_000 }),
    });
    fc.assert(
      fc.property(meta, ({ day, id, budget }) => {
        const completed = reach('completed').state;
        const submit = ev.submitInvoice(hoursIn(4.5));
        const withDoc = { ...submit, issuedOn: day, documentId: id } as JobEvent;
        expect(step(completed, withDoc)).toEqual(step(completed, submit));

        const closed = reach('closed').state;
        const raise = ev.raiseInvoice(hoursIn(6));
        const billed = { ...raise, budgetPence: budget, clientName: 'Dee Okafor', clientAddress: '4 Park Row' };
        expect(step(closed, billed as JobEvent)).toEqual(step(closed, raise));

        const invoiced = reach('closedInvoiced').state;
        const pay = ev.payment(hoursIn(7), 'contractor', 18000);
        expect(step(invoiced, { ...pay, runId: id } as JobEvent)).toEqual(step(invoiced, pay));
        // The day the money moved identifies the receipt (with leg, amount and reference): kept on the payment.
        const dated = step(invoiced, { ...pay, paidOn: day } as JobEvent).state;
        const plain = step(invoiced, pay).state;
        expect(dated.context.payments).toEqual(
          plain.context.payments.map((p, i, all) => (i === all.length - 1 ? { ...p, paidOn: day } : p)),
        );
        expect(dated.status).toBe(plain.status);
      }),
      { numRuns: 50 },
    );
  });
});

const entry = fc
  .record({
    date: fc.integer({ min: 0, max: 60 }).map((d) => new Date(Date.UTC(2026, 10, 1 + d)).toISOString().slice(0, 10)),
    type: fc.constantFrom('invoice' as const, 'payment' as const),
    number: fc.string({ maxLength: 12 }),
    jobReference: fc.string({ maxLength: 12 }),
    description: fc.string({ maxLength: 40 }),
    amount: fc.integer({ min: 1, max: 10_000_000 }),
  })
  .map(({ amount, ...e }): StatementEntry => ({
    ...e,
    invoicedPence: e.type === 'invoice' ? amount : 0,
    paidPence: e.type === 'payment' ? amount : 0,
  }));

describe('statements', () => {
  test('the closing balance is opening + invoiced − paid, and equals the last running balance', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.array(entry, { maxLength: 30 }),
        (opening, entries) => {
          const s = buildStatement('2026-11-01', '2026-12-31', opening, entries);
          const invoiced = entries.reduce((t, e) => t + e.invoicedPence, 0);
          const paid = entries.reduce((t, e) => t + e.paidPence, 0);
          expect(s.closingPence).toBe(opening + invoiced - paid);
          expect(s.lines.at(-1)?.balancePence ?? opening).toBe(s.closingPence);
          // Each line moves the balance by exactly its own amount.
          s.lines.forEach((l, i) =>
            expect(l.balancePence - (i === 0 ? opening : s.lines[i - 1]!.balancePence)).toBe(
              l.invoicedPence - l.paidPence,
            ),
          );
        },
      ),
    );
  });

  test('lines are in date order whatever order the entries came in', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        const a = buildStatement('2026-11-01', '2026-12-31', 0, entries).lines;
        const b = buildStatement('2026-11-01', '2026-12-31', 0, [...entries].reverse()).lines;
        expect(a.map((l) => l.date)).toEqual([...a.map((l) => l.date)].sort());
        expect(a.map((l) => l.balancePence).at(-1)).toEqual(b.map((l) => l.balancePence).at(-1));
      }),
    );
  });
});

/** A minimal RFC 4180 reader, written apart from the writer, to read back what it wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('statement CSV', () => {
  test('reads back to the same fields, one row per line plus header, opening and closing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.array(entry, { maxLength: 20 }), (opening, entries) => {
        const s = buildStatement('2026-11-01', '2026-12-31', opening, entries);
        const rows = parseCsv(statementCsv(s));
        expect(rows).toHaveLength(s.lines.length + 3);
        expect(rows[0]).toEqual(['Date', 'Type', 'Number', 'Job', 'Description', 'Invoiced', 'Paid', 'Balance']);
        rows.forEach((r) => expect(r).toHaveLength(8));
        s.lines.forEach((l, i) => {
          expect(rows[i + 2]!.slice(0, 5)).toEqual([
            l.date,
            l.type === 'invoice' ? 'Invoice' : 'Payment',
            safeText(l.number),
            safeText(l.jobReference),
            safeText(l.description),
          ]);
          expect(rows[i + 2]![7]).toBe(poundsOf(l.balancePence));
        });
        expect(rows.at(-1)![7]).toBe(poundsOf(s.closingPence));
      }),
    );
  });

  test('text a spreadsheet would run as a formula is defused; amounts keep their sign', () => {
    const s = buildStatement('2026-11-01', '2026-11-30', -500, [
      {
        date: '2026-11-02',
        type: 'invoice',
        number: '=HYPERLINK("http://x")',
        jobReference: '+JOB',
        description: '@sum',
        invoicedPence: 100,
        paidPence: 0,
      },
    ]);
    const [, opening, line] = parseCsv(statementCsv(s));
    expect(line!.slice(2, 5)).toEqual(['\'=HYPERLINK("http://x")', "'+JOB", "'@sum"]);
    expect(opening![7]).toBe('-5.00');
    expect(line![7]).toBe('-4.00');
  });

  test('quotes only what needs quoting', () => {
    expect([csvField('plain'), csvField('a,b'), csvField('say "hi"'), csvField('two\nlines')]).toEqual([
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
    ]);
  });
});

describe('pounds and pence', () => {
  test('pounds typed with two decimals round-trip to the same pence, never through floats', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99_999_999_999 }),
        (p) => parsePounds(poundsValue(p)) === p && parsePounds(poundsOf(p)) === p,
      ),
    );
  });

  test('accepts £ and thousands separators, refuses what is not an amount', () => {
    expect(['£1,234.5', '80', '0.07', '1,000,000'].map(parsePounds)).toEqual([123450, 8000, 7, 100000000]);
    expect(['', '-1', '1.234', 'abc', '1e3', '12,34'].map(parsePounds)).toEqual([null, null, null, null, null, null]);
  });
});
