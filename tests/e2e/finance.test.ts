// Financial close-out in the browser, against the built app on a fresh seeded database: Pat invoices a
// finished job from the portal (with the document), staff approve it, raise the agency invoice and
// generate its PDF, record payments (a double submit records once) and pay Pat in a payment run until
// the job is Payment Complete; Pat sees the balance change and the remittance, and downloads a statement.
import { one } from '#db/rows.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Browser, BrowserContext, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs, payments } from '#db/schema/index.ts';
import { formatDay, ukDay } from '#workflows/time.ts';
import { TINY_PDF } from '../support/files.ts';
import { launchBrowser, screenshot, signIn, startApp, type RunningApp } from './support/app.ts';

const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true };
const JOB_TITLE = 'Radiator valve weeping'; // seeded: completed by Pat at Harbour, not yet invoiced

let app: RunningApp;
let browser: Browser;
let staffCtx: BrowserContext;
let patCtx: BrowserContext;
let staff: Page;
let pat: Page;
let jobId: string;

const text = (p: Page, selector = 'main') => p.$eval(selector, (e) => (e as HTMLElement).innerText);

async function waitForText(p: Page, needle: string, selector = 'main') {
  try {
    await p.waitForFunction(
      (s, n) => document.querySelector<HTMLElement>(s)?.innerText.includes(n),
      { timeout: 15_000 },
      selector,
      needle,
    );
  } catch (e) {
    throw new Error(
      `"${needle}" did not appear in ${selector}; it shows:\n${await text(p, selector).catch(() => '(nothing)')}\n${app.output().slice(-2000)}`,
      { cause: e },
    );
  }
}

async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocument({ data: bytes, useSystemFonts: false, verbosity: 0 }).promise;
  let out = '';
  for (let n = 1; n <= pdf.numPages; n++)
    out += (await (await pdf.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ') + '\n';
  return out;
}

/** Fetches a download with the page's own session. */
async function download(p: Page, path: string): Promise<{ status: number; type: string; bytes: Uint8Array }> {
  const r = await p.evaluate(async (url) => {
    const res = await fetch(url);
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      bytes: Array.from(new Uint8Array(await res.arrayBuffer())),
    };
  }, path);
  return { ...r, bytes: new Uint8Array(r.bytes) };
}

async function submitForm(p: Page, action: string) {
  await p.locator(`form[action="${action}"] button`).click();
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  ({ id: jobId } = one(await app.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.title, JOB_TITLE))));
  staffCtx = await browser.createBrowserContext();
  patCtx = await browser.createBrowserContext();
  staff = await staffCtx.newPage();
  await staff.setViewport({ width: 1280, height: 900 });
  pat = await patCtx.newPage();
  await pat.setViewport(PHONE);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('financial close-out', () => {
  it('Pat submits an invoice with its document from the portal', async () => {
    await signIn(pat, app.url, 'pat@plumbfast.example');
    if (new URL(pat.url()).pathname === '/portal/accounts') {
      await Promise.all([
        pat.waitForNavigation({ waitUntil: 'networkidle0' }),
        pat.locator('button ::-p-text(Harbour Lettings)').click(),
      ]);
    }
    await pat.goto(`${app.url}/portal/account`, { waitUntil: 'networkidle0' });
    expect(await text(pat, '[data-testid="balance"]')).toBe('£0.00');

    await pat.goto(`${app.url}/portal/jobs/${jobId}/invoice`, { waitUntil: 'networkidle0' });
    await pat.locator('#number').fill('PF-1077');
    await pat.locator('#net').fill('120.00');
    await pat.locator('#vat').fill('24');
    await waitForText(pat, 'Total: £144.00', '[data-testid="invoice-total"]');
    const dir = mkdtempSync(join(tmpdir(), 'fettle-finance-'));
    const file = join(dir, 'PF-1077.pdf');
    writeFileSync(file, TINY_PDF);
    const input = await pat.$('#document');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(file);
    await screenshot(pat, 'finance', '01-portal-invoice-form');
    await pat.locator('main form button').click();
    await pat
      .waitForFunction(() => location.pathname === '/portal/invoices' || document.querySelector('[role="alert"]'), {
        timeout: 20_000,
      })
      .catch(() => null);
    const invalid = await pat.$$eval('main form :invalid', (els) =>
      els.map((e) => `${e.id}=${(e as HTMLInputElement).value}`).join(', '),
    );
    if (new URL(pat.url()).pathname !== '/portal/invoices')
      throw new Error(
        `the invoice was not accepted (invalid: ${invalid}): ${await text(pat).catch(() => '')}\n${app.output().slice(-3000)}`,
      );
    await waitForText(pat, 'PF-1077');
    expect(await text(pat)).toContain('Awaiting approval');
  });

  it('staff approve the invoice and close the job; Pat is owed £144.00', async () => {
    await signIn(staff, app.url, 'admin@harbour.example');
    await staff.goto(`${app.url}/finance`, { waitUntil: 'networkidle0' });
    await waitForText(staff, 'PF-1077');
    await staff.goto(`${app.url}/jobs/${jobId}/finance`, { waitUntil: 'networkidle0' });
    expect(await text(staff, '[data-testid="contractor-total"]')).toBe('£144.00');
    await submitForm(staff, '?/approve');
    await waitForText(staff, 'Approved');

    await staff.goto(`${app.url}/jobs/${jobId}`, { waitUntil: 'networkidle0' });
    await submitForm(staff, '?/close');
    await waitForText(staff, 'Closed', '[data-testid="job-status"]');

    await pat.goto(`${app.url}/portal/account`, { waitUntil: 'networkidle0' });
    expect(await text(pat, '[data-testid="balance"]')).toBe('£144.00');
  });

  it('staff raise the agency invoice with VAT at the agency rate and generate its PDF', async () => {
    await staff.goto(`${app.url}/jobs/${jobId}/finance`, { waitUntil: 'networkidle0' });
    // A price below Pat's cost is flagged while it is typed, before anything is raised.
    await staff.locator('#agentNet').fill('100');
    await waitForText(staff, 'the agency would lose £20.00', '[data-testid="invoice-warning"]');
    await staff.locator('#agentNet').fill('180');
    await staff.waitForSelector('[data-testid="invoice-warning"]', { hidden: true });
    await waitForText(staff, 'VAT at 20%: £36.00 · total to client £216.00', '[data-testid="vat-preview"]');
    expect(await staff.$eval('#contractorTotal', (i) => (i as HTMLInputElement).value)).toBe('144.00');
    await staff.locator('#budget').fill('250');
    await staff.locator('#clientName').fill('Dee Okafor');
    await staff.locator('#clientAddress').fill('4 Park Row, Bristol BS1 5LJ');
    await submitForm(staff, '?/raise');
    await waitForText(staff, '£216.00', '[data-testid="agency-invoice"]');
    const figures = await text(staff, '[data-testid="agency-invoice"]');
    for (const t of ['£180.00', '£36.00', '£144.00', '£60.00', '£250.00']) expect(figures).toContain(t);
    await screenshot(staff, 'finance', '02-agency-invoice');

    const href = await staff.$eval('[data-testid="invoice-pdf"]', (a) =>
      (a as HTMLAnchorElement).getAttribute('href')!,
    );
    const pdf = await download(staff, href);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    const body = await pdfText(pdf.bytes);
    for (const t of [
      'Invoice INV-',
      'Radiator valve weeping',
      '£180.00',
      'VAT (20%)',
      '£36.00',
      '£216.00',
      'Total due',
      'Harbour Lettings',
      // A VAT invoice: the supplier's address and VAT number, the tax point, the customer and their address.
      '12 Queen Square',
      'VAT registration number',
      'GB 123 4567 82',
      'Tax point',
      'Dee Okafor',
      '4 Park Row',
    ])
      expect(body).toContain(t);
    expect(body).not.toContain('The landlord');
    // Pat's session cannot fetch the agency's invoice.
    expect([403, 404]).toContain((await download(pat, href)).status);

    // Until the client pays, the job header and the finance desk say what is owed, and by whom.
    expect(await text(staff, '[data-testid="client-money-marker"]')).toBe('Client owes £216.00');
    await staff.goto(`${app.url}/finance?client=unpaid`, { waitUntil: 'networkidle0' });
    const owed = await text(staff, '[data-testid="client-money"]');
    for (const t of ['Dee Okafor', '£216.00', 'Unpaid']) expect(owed).toContain(t);
    await staff.goto(`${app.url}/jobs/${jobId}/finance`, { waitUntil: 'networkidle0' });
  });

  it('staff re-raise the invoice with a reason: the old one is credited by a credit note they can download', async () => {
    const before = await text(staff, '[data-testid="agency-invoice"]');
    const issued = /INV-[\w-]+/.exec(before)?.[0];
    expect(issued).toBeDefined();
    // The form suggests a new number: an issued invoice is never edited, and its number is never reused.
    const suggested = await staff.$eval('#number', (i) => (i as HTMLInputElement).value);
    expect(suggested).not.toBe(issued);
    expect(await text(staff, 'form[action="?/raise"]')).toContain(`${issued} is credited in full by a credit note`);
    await staff.locator('#clientAddress').fill('Flat 2, 4 Park Row, Bristol BS1 5LJ');
    await staff.locator('#creditReason').fill('Billing address corrected');
    await submitForm(staff, '?/raise');
    await waitForText(staff, issued!, '[data-testid="credit-notes"]');
    await waitForText(staff, suggested, '[data-testid="agency-invoice"]');
    const notes = await text(staff, '[data-testid="credit-notes"]');
    for (const t of ['Billing address corrected', '£216.00']) expect(notes).toContain(t);
    const creditNote = /CN-\d{6}/.exec(notes)?.[0];
    expect(creditNote).toBeDefined();
    // The client still owes one invoice's worth: the new one.
    expect(await text(staff, '[data-testid="client-money-marker"]')).toBe('Client owes £216.00');
    await screenshot(staff, 'finance', '02b-credit-note');

    const href = await staff.$eval('[data-testid="credit-note-pdf"]', (a) =>
      (a as HTMLAnchorElement).getAttribute('href')!,
    );
    const pdf = await download(staff, href);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    const body = await pdfText(pdf.bytes);
    for (const t of [
      'CREDIT NOTE',
      creditNote!,
      issued!,
      suggested,
      'Billing address corrected',
      '£180.00',
      '£36.00',
      '£216.00',
      'Harbour Lettings',
      'GB 123 4567 82',
    ])
      expect(body).toContain(t);
    expect([403, 404]).toContain((await download(pat, href)).status);
    // The credited invoice stays downloadable as it was issued.
    const credited = await staff.$eval('[data-testid="credit-notes"] a[href*="invoice.pdf?number="]', (a) =>
      a.getAttribute('href')!,
    );
    const old = await pdfText((await download(staff, credited)).bytes);
    for (const t of [`Invoice ${issued!}`, '4 Park Row', `Credited in full by credit note ${creditNote!}`])
      expect(old).toContain(t);
    // It cannot be mistaken for one to pay.
    expect(old).toContain('Nothing is due on this invoice');
    expect(old).not.toContain('Total due');
    expect(old).not.toContain('Flat 2');

    // The finance desk lists it too.
    await staff.goto(`${app.url}/finance?client=all`, { waitUntil: 'networkidle0' });
    const desk = await text(staff, '[data-testid="desk-credit-notes"]');
    for (const t of [creditNote!, issued!, suggested, 'Billing address corrected']) expect(desk).toContain(t);
    await staff.goto(`${app.url}/jobs/${jobId}/finance`, { waitUntil: 'networkidle0' });
  });

  it('records the client payment once however often it is submitted, and shows part-paid commission', async () => {
    await staff.select('#leg', 'client');
    await staff.locator('#amount').fill('216.00');
    await staff.locator('#reference').fill('Landlord BACS 5531');
    // Two submits of the same form (same idempotency key) before the page reloads.
    await staff.$eval('form[action="?/pay"]', (f) => {
      f.requestSubmit();
      f.requestSubmit();
    });
    await waitForText(staff, 'Settled', '[data-testid="leg-client"]');
    await staff.waitForNetworkIdle();
    const client = await app.db
      .select()
      .from(payments)
      .where(and(eq(payments.jobId, jobId), eq(payments.leg, 'client')));
    expect(client).toHaveLength(1);

    await staff.select('#leg', 'commission');
    await staff.locator('#amount').fill('20');
    await staff.locator('#reference').fill('Commission part 1');
    await submitForm(staff, '?/pay');
    await waitForText(staff, 'Part paid', '[data-testid="leg-commission"]');
    // The same bank line entered again (a second person, a second look) is caught, not stored...
    await staff.select('#leg', 'commission');
    await staff.locator('#amount').fill('20');
    await staff.locator('#reference').fill('commission part 1');
    await submitForm(staff, '?/pay');
    await waitForText(staff, 'is already recorded', '[role="alert"]');
    expect(await text(staff, '[data-testid="leg-commission"] td:nth-of-type(2)')).toBe('£20.00');
    // ...until staff confirm it really is a second payment of the same amount.
    await staff.locator('[data-testid="separate-payment"] input').click();
    await submitForm(staff, '?/pay');
    await waitForText(staff, 'Payment recorded.', '[role="status"]');
    expect(await text(staff, '[data-testid="leg-commission"] td:nth-of-type(2)')).toBe('£40.00');
    await staff.select('#leg', 'commission');
    await staff.locator('#amount').fill('20');
    await staff.locator('#reference').fill('Commission part 2');
    await submitForm(staff, '?/pay');
    await waitForText(staff, 'Settled', '[data-testid="leg-commission"]');
    expect(await text(staff, '[data-testid="leg-contractor"]')).toContain('Unpaid');
    await screenshot(staff, 'finance', '03-reconciliation');
  });

  it('pays Pat in a payment run, which completes the job', async () => {
    await staff.goto(`${app.url}/finance`, { waitUntil: 'networkidle0' });
    const run = await staff.$$eval('[data-testid="payment-run"]', (forms) =>
      forms.findIndex((f) => (f as HTMLElement).innerText.includes('PF-1077')),
    );
    expect(run).toBeGreaterThanOrEqual(0);
    const form = (await staff.$$('[data-testid="payment-run"]'))[run];
    await (await form!.$('input[name="reference"]'))!.type('RUN-E2E-001');
    await (await form!.$('button'))!.click();
    await waitForText(staff, 'Payment run recorded');
    await waitForText(staff, 'RUN-E2E-001');
    // The run's day reads as the rest of the desk's days do ("5 Dec 2026"), not as an ISO date.
    const runRow = await staff.$$eval('tr', (rows) =>
      rows.map((r) => (r as HTMLElement).innerText).find((t) => t.includes('RUN-E2E-001')),
    );
    expect(runRow).toContain(formatDay(ukDay(new Date())));
    expect(runRow).not.toMatch(/\d{4}-\d{2}-\d{2}/);

    await staff.goto(`${app.url}/jobs/${jobId}/finance`, { waitUntil: 'networkidle0' });
    await waitForText(staff, 'Payment Complete', '[data-testid="job-status"]');
    for (const leg of ['client', 'contractor', 'commission'])
      expect(await text(staff, `[data-testid="leg-${leg}"]`)).toContain('Settled');
    await screenshot(staff, 'finance', '04-payment-complete');
  });

  it('Pat sees the balance fall to nothing, the remittance advice, and a statement as PDF and CSV', async () => {
    await pat.goto(`${app.url}/portal/account`, { waitUntil: 'networkidle0' });
    expect(await text(pat, '[data-testid="balance"]')).toBe('£0.00');
    const remittances = await text(pat);
    expect(remittances).toContain('RUN-E2E-001');
    await screenshot(pat, 'finance', '05-portal-account');
    const links = await pat.$$eval('[data-testid="remittance"]', (li) =>
      li.map((l) => ({ text: (l as HTMLElement).innerText, href: l.querySelector('a')!.getAttribute('href')! })),
    );
    const mine = links.find((l) => l.text.includes('RUN-E2E-001'))!;
    const advice = await pdfText((await download(pat, mine.href)).bytes);
    for (const t of ['Remittance advice', 'RUN-E2E-001', 'PF-1077', '£144.00']) expect(advice).toContain(t);

    await pat.goto(`${app.url}/portal/statements`, { waitUntil: 'networkidle0' });
    await waitForText(pat, 'PF-1077');
    expect(await text(pat, '[data-testid="closing"]')).toBe('£0.00');
    const csvHref = await pat.$eval('[data-testid="statement-csv"]', (a) => a.getAttribute('href')!);
    const csv = new TextDecoder().decode((await download(pat, csvHref)).bytes).split('\r\n');
    expect(csv[0]).toBe('Date,Type,Number,Job,Description,Invoiced,Paid,Balance');
    expect(csv.some((l) => l.includes(',Invoice,PF-1077,') && l.includes(',144.00,'))).toBe(true);
    expect(csv.some((l) => l.includes(',Payment,RUN-E2E-001,') && l.includes(',144.00,'))).toBe(true);
    await screenshot(pat, 'finance', '06-portal-statement');
  });
});
