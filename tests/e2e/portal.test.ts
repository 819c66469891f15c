// The contractor portal on a phone (390×844), end to end in headless Chromium against the built app:
// a contractor creates their account with the emailed code, picks one of their two agencies, accepts
// the job offered to them, starts it, adds a note with a photo, downloads the Job Sheet (a real PDF
// with the job's details), and marks it complete. Another contractor can neither see nor act on it.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Browser, HTTPRequest, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencies, attachments, contractors, jobs, notifications } from '#db/schema/index.ts';
import { PNG_1PX, pngOf, TINY_PDF } from '../support/files.ts';
import { launchBrowser, screenshot, signIn, startApp, type RunningApp } from './support/app.ts';

const EMAIL = 'eve@brightsparks.example';
const PASSWORD = 'e2e-portal-password-7';
const JOB_TITLE = 'Bathroom extractor fan dead';
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true };

let app: RunningApp;
let browser: Browser;
let page: Page;
let work: string;
let jobId: string;
let reference: string;

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  work = mkdtempSync(join(tmpdir(), 'fettle-portal-e2e-'));
  // Eve (seeded at Harbour with an offer waiting) also works for Northgate, so she must pick an agency.
  const [northgate] = await app.db.select().from(agencies).where(eq(agencies.slug, 'northgate'));
  await app.db.insert(contractors).values({
    agencyId: northgate!.id,
    name: 'Eve Electric',
    company: 'Bright Sparks',
    email: EMAIL,
    trades: ['electrical'],
    coverage: ['M4'],
  });
  const [job] = await app.db.select().from(jobs).where(eq(jobs.title, JOB_TITLE));
  jobId = job!.id;
  reference = job!.reference;
  page = await browser.newPage();
  await page.setViewport(PHONE);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const text = (selector = 'main') => page.$eval(selector, (e) => (e as HTMLElement).innerText);
/** Waits for the text to show; on timeout, fails with what the page said instead. */
async function waitForText(needle: string, selector = 'main') {
  try {
    await page.waitForFunction(
      (s, n) => document.querySelector<HTMLElement>(s)?.innerText.includes(n),
      { timeout: 15_000 },
      selector,
      needle,
    );
  } catch (e) {
    const shown = await text(selector).catch(() => '(nothing)');
    throw new Error(`"${needle}" did not appear in ${selector}; it shows:\n${shown}\n${app.output().slice(-2000)}`, {
      cause: e,
    });
  }
}

/** The confirmation after an action, and the job's status. */
const OUTCOME = ['main [role="status"]', '.head .badge'];
/** Whether each of `selectors` is wholly on screen: below the top, above the fixed bottom bar. */
const inView = (selectors: string[]) => {
  const above = document.querySelector('nav.bottom-nav')?.getBoundingClientRect().top ?? window.innerHeight;
  return selectors.every((s) => {
    const r = document.querySelector(s)?.getBoundingClientRect();
    return !!r && r.top >= 0 && r.bottom <= Math.min(above, window.innerHeight);
  });
};
/** Scrolls to the end of the page at once, as a contractor reading down to the buttons would. */
const scrollToBottom = () =>
  page.evaluate(() => window.scrollTo({ top: document.documentElement.scrollHeight, behavior: 'instant' }));

async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocument({ data: bytes, useSystemFonts: false, verbosity: 0 }).promise;
  let out = '';
  for (let n = 1; n <= pdf.numPages; n++)
    out += (await (await pdf.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ') + '\n';
  return out;
}

/** Resolves once the engine's notify effect has told the agency about this kind of event on the job. */
async function agencyNotified(template: string) {
  for (let i = 0; i < 100; i++) {
    const rows = await app.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.jobId, jobId), eq(notifications.template, template)));
    if (rows.length > 0) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

/** Pat (a contractor of both demo agencies) signed in on a phone, in a browser context of their own, working for Harbour. */
async function patAtHarbour(): Promise<{ pat: Page; close: () => Promise<void> }> {
  const context = await browser.createBrowserContext();
  const pat = await context.newPage();
  await pat.setViewport(PHONE);
  await signIn(pat, app.url, 'pat@plumbfast.example');
  if (new URL(pat.url()).pathname === '/portal/accounts') {
    await Promise.all([
      pat.waitForNavigation({ waitUntil: 'networkidle0' }),
      pat.locator('button ::-p-text(Harbour Lettings)').click(),
    ]);
  }
  return { pat, close: () => context.close() };
}

describe('contractor portal on a phone', () => {
  it('creates an account with the emailed code and picks an agency', async () => {
    await page.goto(`${app.url}/sign-up`, { waitUntil: 'networkidle0' });
    await page.locator('#email').fill(EMAIL);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#confirm').fill(PASSWORD);
    await Promise.all([page.waitForNavigation(), page.locator('main form button, form button').click()]);
    expect(page.url()).toContain('/verify');

    // The code from the email as stored in the outbox: the app runs as in production (NODE_ENV=production),
    // where the dev mailbox page never exists (tests/e2e/security.test.ts), and no SMTP server is configured.
    const [mail] = await app.sql<
      { body: string }[]
    >`select body from emails where "to" = ${EMAIL} order by id desc limit 1`;
    const code = /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1];
    expect(code).toMatch(/^\d{6}$/);

    await page.goto(`${app.url}/verify?email=${encodeURIComponent(EMAIL)}`, { waitUntil: 'networkidle0' });
    await page.locator('#code').fill(code!);
    await Promise.all([page.waitForNavigation(), page.locator('form[action="?/verify"] button').click()]);
    expect(page.url()).toContain('/sign-in');

    await signIn(page, app.url, EMAIL, PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/portal/accounts');
    expect(await text()).toContain('Northgate Homes');
    await screenshot(page, 'portal', '01-choose-agency');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.locator('button ::-p-text(Harbour Lettings)').click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/portal/jobs');
  });

  it('lands on Jobs with the offer flagged as needing the contractor', async () => {
    expect(await text('.agency-bar')).toContain('Harbour Lettings');
    expect(await page.$('.agency-bar a[href="/portal/accounts"]')).not.toBeNull();
    const navLinks = await page.$$eval('nav.bottom-nav a', (as) => as.map((a) => a.getAttribute('href')));
    expect(navLinks).toEqual([
      '/portal/jobs',
      '/portal/account',
      '/portal/invoices',
      '/portal/statements',
      '/portal/contacts',
    ]);
    const row = await page.$eval(`a[href="/portal/jobs/${jobId}"]`, (a) => (a as HTMLElement).innerText);
    expect(row).toContain('7 Cotham Hill');
    expect(row).toContain('Urgent');
    expect(row).toMatch(/Photos\s*0/);
    expect(await page.$(`a[href="/portal/jobs/${jobId}"] [data-needs-action="respond"]`)).not.toBeNull();
    // Touch targets: every job row and filter is at least 44 px tall.
    const heights = await page.$$eval('.filters a, ul.jobs a', (els) =>
      els.map((e) => e.getBoundingClientRect().height),
    );
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    await screenshot(page, 'portal', '02-jobs');
  });

  it('accepts and starts the job; each change shows at once and the agency is told', async () => {
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.locator(`a[href="/portal/jobs/${jobId}"]`).click(),
    ]);
    const detail = await text();
    expect(detail).toContain(JOB_TITLE);
    expect(detail).toContain('7 Cotham Hill');
    expect(detail).toContain('Ravi Shah'); // the tenant; Harbour shares the contact details with the assigned contractor only
    expect(await page.$('a[href^="tel:07700900101"]')).toBeNull();
    expect(detail).not.toContain('07700 900101');
    expect(detail).toContain('once you accept the job');
    await screenshot(page, 'portal', '03-offer');

    // Tapped far down the page (as the contractor scrolled to it): the confirmation and the new status come into view.
    await scrollToBottom();
    await page.locator('form[action="?/accept"] button').click();
    await waitForText('Job accepted');
    await page.waitForFunction(inView, { timeout: 5_000 }, OUTCOME);
    expect(await page.evaluate(inView, OUTCOME)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Job accepted');
    expect(await text('.head')).toContain('Assigned');
    expect(await page.$('a[href^="tel:07700900101"]')).not.toBeNull();
    expect((await agencyNotified('offerAccepted')).length).toBeGreaterThan(0);
    // The same answer again (a double tap, or the form sent twice) is done, not "not offered to you"; a late Decline says why not.
    const again = await page.evaluate(async () => {
      const post = (action: string) =>
        fetch(`${location.pathname}?/${action}`, {
          method: 'POST',
          body: new FormData(),
          headers: { 'x-sveltekit-action': 'true' },
        }).then((r) => r.json() as Promise<{ type: string; data?: string }>);
      return { accept: await post('accept'), decline: await post('decline') };
    });
    expect(again.accept.type).toBe('success');
    expect(again.decline.type).toBe('failure');
    expect(again.decline.data).toContain('You accepted this job');
    expect(again.decline.data).not.toContain('not been offered');

    // A phone set to reduce motion: no smooth scroll, the answer is in view as soon as it shows.
    await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
    try {
      await scrollToBottom();
      expect(await page.evaluate(inView, OUTCOME)).toBe(false);
      await page.locator('form[action="?/start"] button').click();
      await waitForText('Work started');
      await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'status', { timeout: 5_000 });
      const shown = await page.evaluate((selectors) => {
        const bottom = document.querySelector('nav.bottom-nav')!.getBoundingClientRect().top;
        return selectors.map((s) => {
          const r = document.querySelector(s)!.getBoundingClientRect();
          return { s, top: r.top, bottom: r.bottom, height: window.innerHeight, navTop: bottom };
        });
      }, OUTCOME);
      for (const box of shown) {
        expect(box.top, box.s).toBeGreaterThanOrEqual(0);
        expect(box.bottom, box.s).toBeLessThanOrEqual(box.navTop);
        expect(box.navTop, box.s).toBeLessThanOrEqual(box.height);
      }
      expect(await text('main [role="status"]')).toContain('Work started');
      expect(await text('.head .badge')).toBe('In Progress');
      await screenshot(page, 'portal', '03-started');
    } finally {
      await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'no-preference' }]);
    }
  });

  it("sees a staff case note only when staff shared it, and none of an internal note's files", async () => {
    const staff = await browser.createBrowserContext();
    try {
      const sam = await staff.newPage();
      await signIn(sam, app.url, 'staff@harbour.example');
      await sam.goto(`${app.url}/jobs/${jobId}`, { waitUntil: 'networkidle0' });
      const note = async (words: string, file: string, share: boolean) => {
        await sam.locator('#note').fill(words);
        await (await sam.$('input#note-files'))!.uploadFile(file);
        if (share) await sam.locator('input[name="shareWithContractor"]').click();
        await sam.locator('form[action="?/note"] button').click();
        await sam.waitForFunction(
          (w) => document.querySelector('[data-testid="timeline"]')?.textContent?.includes(w),
          { timeout: 15_000 },
          words,
        );
      };
      const photo = join(work, 'internal.png');
      const pdf = join(work, 'access.pdf');
      writeFileSync(photo, PNG_1PX);
      writeFileSync(pdf, TINY_PDF);
      await note('Landlord is disputing the last invoice.', photo, false);
      await note('Key safe by the back door, code 4321.', pdf, true);
      // The console says which note the contractor can read.
      const marked = await sam.$$eval('[data-testid="timeline"] > li', (lis) =>
        lis.filter((li) => li.querySelector('[data-testid="shared-note"]')).map((li) => li.textContent ?? ''),
      );
      expect(marked).toHaveLength(1);
      expect(marked[0]).toContain('Key safe by the back door');
    } finally {
      await staff.close();
    }
    const files = new Map(
      (await app.db.select().from(attachments).where(eq(attachments.jobId, jobId))).map((f) => [f.fileName, f.id]),
    );

    await page.reload({ waitUntil: 'networkidle0' });
    const shown = await text();
    expect(shown).toContain('Key safe by the back door, code 4321.');
    expect(shown).not.toContain('Landlord is disputing');
    expect(shown).not.toContain('internal.png');
    expect(await text('#photos-h')).toContain('Photos (0)');
    expect(await page.$(`a[href="/api/attachments/${files.get('access.pdf')}"]`)).not.toBeNull();
    const status = (id: string | undefined) =>
      page.evaluate((u) => fetch(u).then((r) => r.status), `/api/attachments/${id}`);
    expect(await status(files.get('internal.png'))).toBe(404);
    expect(await status(files.get('access.pdf'))).toBe(200);
  });

  it('adds a note with a photo, uploaded with progress (and a retry after a dropped connection) before the note is sent', async () => {
    const photo = join(work, 'fan.png');
    writeFileSync(photo, PNG_1PX);
    await page.locator('#note-text').fill('Fan motor seized; replacement fitted tomorrow.');
    // The site's signal drops during the first upload attempt.
    const attempts: string[] = [];
    await page.setRequestInterception(true);
    const flaky = (request: HTTPRequest) => {
      if (request.isInterceptResolutionHandled()) return;
      if (request.method() === 'POST' && request.url().endsWith(`/api/jobs/${jobId}/attachments`)) {
        attempts.push(request.url());
        if (attempts.length === 1) return void request.abort('connectionfailed');
      }
      void request.continue();
    };
    page.on('request', flaky);
    const input = await page.$('form[action="?/note"] input[type="file"][multiple]');
    await input!.uploadFile(photo);
    try {
      await page.waitForSelector('form[action="?/note"] input[name="attachmentIds"]', { timeout: 15_000 });
    } finally {
      page.off('request', flaky);
      await page.setRequestInterception(false);
    }
    expect(attempts).toHaveLength(2);
    expect(await text('form[action="?/note"] .uploader')).toContain('Uploaded');
    expect(await page.$eval('form[action="?/note"] progress', (p) => p.value)).toBe(1);

    // A photo chosen by mistake: Remove takes it off the job, stored file and all, not just off the page.
    const wrong = join(work, 'wrong.png');
    writeFileSync(wrong, PNG_1PX);
    await input!.uploadFile(wrong);
    await page.waitForFunction(
      () => document.querySelectorAll('form[action="?/note"] input[name="attachmentIds"]').length === 2,
      { timeout: 15_000 },
    );
    const [mistake] = await app.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.jobId, jobId), eq(attachments.fileName, 'wrong.png')));
    const stored = join(app.dataDir, 'files', mistake!.storageKey);
    expect(existsSync(stored)).toBe(true);
    await page.locator('button[aria-label="Remove wrong.png"]').click();
    await page.waitForFunction(() => !document.querySelector('button[aria-label="Remove wrong.png"]'), {
      timeout: 15_000,
    });
    expect(await app.db.select().from(attachments).where(eq(attachments.id, mistake!.id))).toHaveLength(0);
    expect(existsSync(stored)).toBe(false);

    // A file that is not a photo is refused for good: it says so, with no full progress bar and no Retry that could never work.
    const notPhoto = join(work, 'notes.png');
    writeFileSync(notPhoto, 'these are my notes, not a photo');
    await input!.uploadFile(notPhoto);
    await page.waitForSelector('form[action="?/note"] .item.refused', { timeout: 15_000 });
    expect(await text('form[action="?/note"] .item.refused')).toContain('notes.png is not a photo');
    expect(await page.$('form[action="?/note"] .item.refused progress')).toBeNull();
    expect(
      await page.$$eval('form[action="?/note"] .item.refused button', (bs) => bs.map((b) => b.textContent?.trim())),
    ).toEqual(['Remove']);
    await page.locator('button[aria-label="Remove notes.png"]').click();
    await page.waitForFunction(() => !document.querySelector('form[action="?/note"] .item.refused'));
    await screenshot(page, 'portal', '04-note-with-photo');
    await page.locator('form[action="?/note"] button[type="submit"], form[action="?/note"] > button').click();
    await waitForText('Note added');
    expect(await text('#history-h + ol')).toContain('Fan motor seized');
    expect(await text('#photos-h')).toContain('Photos (1)');
    expect(await page.$('#history-h + ol .thumbs img')).not.toBeNull();

    // Once a note cites a photo it is part of the job's history; nobody else's upload is the contractor's to remove.
    const files = new Map(
      (await app.db.select().from(attachments).where(eq(attachments.jobId, jobId))).map((f) => [f.fileName, f.id]),
    );
    const remove = (id: string | undefined) =>
      page.evaluate((u) => fetch(u, { method: 'DELETE' }).then((r) => r.status), `/api/attachments/${id}`);
    expect(await remove(files.get('fan.png'))).toBe(409);
    expect(await remove(files.get('access.pdf'))).toBe(403);
    expect(await remove(files.get('internal.png'))).toBe(404);
    expect(
      (await app.db.select().from(attachments).where(eq(attachments.jobId, jobId))).map((f) => f.fileName).sort(),
    ).toEqual(['access.pdf', 'fan.png', 'internal.png']);
  });

  it('downloads the Job Sheet as a PDF with the job’s details', async () => {
    const downloads = join(work, 'downloads');
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await page.locator('a ::-p-text(Download Job Sheet)').click();
    const file = join(downloads, `job-sheet-${reference}.pdf`);
    for (let i = 0; i < 150 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(downloads) ? readdirSync(downloads) : []).toContain(`job-sheet-${reference}.pdf`);
    const bytes = new Uint8Array(readFileSync(file));
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    const sheet = await pdfText(bytes);
    for (const s of [
      reference,
      JOB_TITLE,
      '7 Cotham Hill',
      'BS6 6LA',
      'Urgent',
      'Ravi Shah',
      'Harbour Lettings',
      'Fan motor seized',
      'Key safe by the back door',
    ])
      expect(sheet).toContain(s);
    expect(sheet).not.toContain('Landlord is disputing');
  });

  it('marks the job complete with a note, after a try without signal kept what was typed; the invoice link appears', async () => {
    const note = 'New extractor fan fitted and tested with the light switch.';
    await page.locator('#complete-note').fill(note);
    // First try: the signal is gone, the request never reaches the server.
    await page.setRequestInterception(true);
    const noSignal = (request: HTTPRequest) => {
      if (request.isInterceptResolutionHandled()) return;
      if (request.method() === 'POST' && request.url().includes('?/complete'))
        return void request.abort('internetdisconnected');
      void request.continue();
    };
    page.on('request', noSignal);
    try {
      await page.locator('form[action="?/complete"] > button').click();
      await waitForText('No connection');
    } finally {
      page.off('request', noSignal);
      await page.setRequestInterception(false);
    }
    expect(await page.$eval('#complete-note', (t) => (t as HTMLTextAreaElement).value)).toBe(note);
    expect(await text('.head')).toContain('In Progress');
    // Signal back: the same form, sent again.
    await page.locator('form[action="?/complete"] > button').click();
    await waitForText('Job marked complete');
    await page.waitForFunction(inView, { timeout: 5_000 }, OUTCOME);
    expect(await text('.head')).toContain('Completed');
    expect(await page.$(`a[href="/portal/jobs/${jobId}/invoice"]`)).not.toBeNull();
    expect(await page.$('form[action="?/start"], form[action="?/complete"]')).toBeNull();
    expect((await agencyNotified('workCompleted')).length).toBeGreaterThan(0);
    await screenshot(page, 'portal', '05-completed');

    await page.goto(`${app.url}/portal/contacts`, { waitUntil: 'networkidle0' });
    const contacts = await text();
    expect(contacts).toContain('Bristol Central');
    expect(contacts).toContain('Sam Staff');
    expect(contacts).toContain('Property Manager');
    await screenshot(page, 'portal', '06-contacts');
  });

  it('invoices the job; a refused or repeated invoice form leaves no stray document on the job', async () => {
    const invoiceDocs = async () =>
      (
        await app.db
          .select()
          .from(attachments)
          .where(and(eq(attachments.jobId, jobId), eq(attachments.kind, 'invoice')))
      ).length;
    await page.goto(`${app.url}/portal/jobs/${jobId}/invoice`, { waitUntil: 'networkidle0' });
    // Posted as the form would be, without the browser's own checks: each answer is the form's, in words.
    const post = (fields: Record<string, string>) =>
      page.evaluate(
        async (id, fields, pdf) => {
          const body = new FormData();
          for (const [k, v] of Object.entries(fields)) body.set(k, v);
          body.set('document', new File([pdf], 'invoice.pdf', { type: 'application/pdf' }));
          const r = await fetch(`/portal/jobs/${id}/invoice`, {
            method: 'POST',
            body,
            headers: { 'x-sveltekit-action': 'true' },
          });
          return JSON.stringify(await r.json());
        },
        jobId,
        fields,
        TINY_PDF.toString('latin1'),
      );
    const today = new Date().toISOString().slice(0, 10);
    const invoice = { number: 'BS-2001', issuedOn: today, net: '150.00', vat: '30.00' };
    expect(await post({ ...invoice, number: '' })).toContain('Enter the invoice number');
    expect(await invoiceDocs()).toBe(0);
    // What only the API checks comes back in words too, not as zod's issue list.
    const tooMuch = await post({ ...invoice, net: '20000000' });
    expect(tooMuch).toContain('The net amount is too large');
    expect(tooMuch).not.toMatch(/Too big|netPence|check the form/i);
    expect(await invoiceDocs()).toBe(0);
    // Refused by the API after the document was stored: the document goes again.
    expect(await post({ ...invoice, net: '0', vat: '0' })).toContain('more than £0.00');
    expect(await invoiceDocs()).toBe(0);

    // A photo of the invoice, as contractors often send.
    const snap = join(work, 'invoice-photo.png');
    writeFileSync(snap, PNG_1PX);
    await page.locator('#number').fill(invoice.number);
    await page.locator('#net').fill(invoice.net);
    await page.locator('#vat').fill(invoice.vat);
    await (await page.$('input#document'))!.uploadFile(snap);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.locator('main form button').click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/portal/invoices');
    expect(await text('[role="status"]')).toContain('Invoice BS-2001 sent to Harbour Lettings');
    expect(await invoiceDocs()).toBe(1);
    // The same form sent twice (a double tap): the second is refused and keeps no document.
    await page.goto(`${app.url}/portal/jobs/${jobId}`, { waitUntil: 'networkidle0' });
    expect(await post(invoice)).toContain('already been submitted');
    expect(await invoiceDocs()).toBe(1);
    // The invoice is a document, not a site photo, whatever its file type: the count agrees with the jobs list.
    expect(await text('#photos-h')).toContain('Photos (1)');
    expect(await text('.facts')).toMatch(/photos\s*1\b/i);
    expect(await text('#photos-h ~ ul:not(.gallery)')).toContain('invoice-photo.png');
    expect(await page.$$eval('.gallery img', (imgs) => imgs.map((i) => i.getAttribute('alt')))).toEqual(['fan.png']);
    await page.goto(`${app.url}/portal/jobs?view=all`, { waitUntil: 'networkidle0' });
    expect(await page.$eval(`a[href="/portal/jobs/${jobId}"]`, (a) => (a as HTMLElement).innerText)).toMatch(
      /photos\s*1\b/i,
    );
  });

  it('answers 404 for a link with a malformed job id, on the job page, its invoice form and the Job Sheet', async () => {
    const answers = await page.evaluate(async () => {
      const status = (path: string, init?: RequestInit) => fetch(path, init).then((r) => r.status);
      const body = new FormData();
      for (const [k, v] of Object.entries({ number: 'BS-9', issuedOn: '2026-01-05', net: '10.00', vat: '0' }))
        body.set(k, v);
      body.set('document', new File(['%PDF-1.4\n%%EOF\n'], 'inv.pdf', { type: 'application/pdf' }));
      return {
        job: await status('/portal/jobs/not-a-uuid'),
        invoice: await status('/portal/jobs/not-a-uuid/invoice'),
        submit: await status('/portal/jobs/not-a-uuid/invoice', {
          method: 'POST',
          body,
          headers: { 'x-sveltekit-action': 'true' },
        }),
        sheet: await status('/portal/jobs/not-a-uuid/job-sheet.pdf'),
      };
    });
    expect(answers).toEqual({ job: 404, invoice: 404, submit: 404, sheet: 404 });
  });

  it('says what is wrong with a statement period, on the page and its downloads', async () => {
    const answers = await page.evaluate(async () =>
      Promise.all(
        [
          '/portal/statements/statement.csv?from=2026-13-40&to=2026-01-31',
          '/portal/statements/statement.pdf?from=2026-02-01&to=2026-01-01',
        ].map(async (path) => {
          const r = await fetch(path, { headers: { accept: 'text/html' } });
          return { status: r.status, text: await r.text() };
        }),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.text).toContain('Choose a valid period');
      expect(answer.text).not.toMatch(/invalid_format|"code"|"path"/);
    }
    await page.goto(`${app.url}/portal/statements?from=2026-13-40&to=2026-01-31`, { waitUntil: 'networkidle0' });
    expect(await text('[role="alert"]')).toBe('Choose a valid period: two dates, the first not after the second.');
  });

  it('reads in order at phone width: the logo leads the header, statement lines and contacts keep their parts apart', async () => {
    const box = (p: Page, selector: string) => p.$eval(selector, (e) => e.getBoundingClientRect().toJSON() as DOMRect);
    expect((await box(page, 'header .brand')).left).toBeLessThan((await box(page, 'header .header-sign-out')).left);
    const visitor = await browser.createBrowserContext();
    try {
      const guest = await visitor.newPage();
      await guest.setViewport(PHONE);
      await guest.goto(`${app.url}/sign-in`, { waitUntil: 'networkidle0' });
      expect((await box(guest, 'header .brand')).left).toBeLessThan(
        (await box(guest, 'header a[href="/sign-in"]')).left,
      );
    } finally {
      await visitor.close();
    }

    await page.goto(`${app.url}/portal/contacts`, { waitUntil: 'networkidle0' });
    expect(await text()).toContain('Sam Staff Property Manager');

    // The demo contractor has invoices and payments at Harbour: each line's details take the width under its title.
    const { pat, close } = await patAtHarbour();
    try {
      await pat.goto(`${app.url}/portal/statements?from=2020-01-01&to=2099-12-31`, { waitUntil: 'networkidle0' });
      const lines = await pat.$$eval('[data-testid="statement-line"]', (lis) =>
        lis.map((li) => ({
          width: li.getBoundingClientRect().width,
          parts: [...li.children].map((c) => ({
            text: (c as HTMLElement).innerText,
            left: c.getBoundingClientRect().left,
            width: c.getBoundingClientRect().width,
          })),
        })),
      );
      expect(lines.length).toBeGreaterThan(0);
      for (const { width, parts } of lines) {
        const title = parts[0];
        const details = parts.find((p) => /^\d{4}-\d{2}-\d{2} · /.test(p.text))!;
        expect(details.left).toBe(title!.left);
        expect(details.width).toBeGreaterThan(width / 2);
      }
      await screenshot(pat, 'portal', '09-statement-phone');
    } finally {
      await close();
    }
  });

  it("shows the agency's logo in the agency bar once the agency has one, on a phone", async () => {
    // Both of Eve's agencies get a logo as Settings stores one (the upload is tested in logo.test.ts and onboarding).
    for (const agency of await app.db.select().from(agencies)) {
      const key = `${agency.id}/logo/e2e`;
      mkdirSync(join(app.dataDir, 'files', agency.id, 'logo'), { recursive: true });
      writeFileSync(join(app.dataDir, 'files', key), pngOf(120, 40));
      await app.db
        .update(agencies)
        .set({ logoStorageKey: key, logoContentType: 'image/png', logoUpdatedAt: new Date() })
        .where(eq(agencies.id, agency.id));
    }
    try {
      await page.goto(`${app.url}/portal/jobs`, { waitUntil: 'networkidle0' });
      const logo = await page.$eval('.agency-bar img[data-testid="agency-logo"]', (img) => ({
        alt: img.getAttribute('alt'),
        width: img.naturalWidth,
        fits: img.getBoundingClientRect().right <= 390,
        // The agency's name keeps more of the bar than the logo does.
        nameWider:
          (document.querySelector('.agency-bar .current strong')?.getBoundingClientRect().width ?? 0) >
          img.getBoundingClientRect().width,
      }));
      expect(logo).toMatchObject({ width: 120, fits: true, nameWider: true });
      expect(logo.alt).toMatch(/^(Harbour Lettings|Northgate Homes) logo$/);
      await screenshot(page, 'portal', '11-agency-logo');
    } finally {
      await app.db.update(agencies).set({ logoStorageKey: null, logoContentType: null, logoUpdatedAt: null });
    }
  });

  it('another contractor can neither see nor act on the job', async () => {
    const { pat, close } = await patAtHarbour();
    try {
      await pat.goto(`${app.url}/portal/jobs?view=all`, { waitUntil: 'networkidle0' });
      expect(await pat.$eval('main', (m) => m.textContent ?? '')).not.toContain(JOB_TITLE);
      expect(await pat.$(`a[href="/portal/jobs/${jobId}"]`)).toBeNull();

      const pageResponse = await pat.goto(`${app.url}/portal/jobs/${jobId}`, { waitUntil: 'networkidle0' });
      expect(pageResponse?.status()).toBe(404);
      expect(await pat.$eval('body', (b) => b.textContent ?? '')).not.toContain(JOB_TITLE);
      // Pat works for two agencies: the page says which one they are in and how to switch.
      expect(await pat.$eval('[data-testid="switch-hint"]', (e) => e.textContent ?? '')).toContain(
        'You are working for Harbour Lettings',
      );
      await screenshot(pat, 'portal', '07-other-contractor-404');

      const answers = await pat.evaluate(async (id) => {
        const get = (path: string) => fetch(path).then((r) => r.status);
        const send = await fetch('/api/trpc/jobs.send', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id, command: { type: 'ADD_NOTE', text: 'not my job' } }),
        });
        return {
          send: send.status,
          job: await get(`/api/trpc/portal.job?input=${encodeURIComponent(JSON.stringify({ id }))}`),
          get: await get(`/api/trpc/jobs.get?input=${encodeURIComponent(JSON.stringify({ id }))}`),
          sheet: await get(`/portal/jobs/${id}/job-sheet.pdf`),
          staffSheet: await get(`/api/jobs/${id}/job-sheet.pdf`),
        };
      }, jobId);
      // jobs.get is the console's (staff only): any contractor is refused it, whichever job they ask for.
      expect(answers).toEqual({ send: 404, job: 404, get: 403, sheet: 404, staffSheet: 404 });
      // The form action refuses too.
      const action = await pat.evaluate(async (id) => {
        const body = new FormData();
        body.set('text', 'not my job');
        const r = await fetch(`/portal/jobs/${id}?/note`, {
          method: 'POST',
          body,
          headers: { 'x-sveltekit-action': 'true' },
        });
        const answer = (await r.json().catch(() => ({}))) as { type?: string; status?: number };
        return { http: r.status, type: answer.type, status: answer.status };
      }, jobId);
      expect(action).toEqual({ http: 404, type: 'failure', status: 404 });
      expect(
        JSON.stringify(await app.db.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, jobId))),
      ).toContain('completed');
      const notes =
        await app.sql`select count(*)::int as n from job_events where job_id = ${jobId} and payload->>'text' = 'not my job'`;
      expect(notes[0]!.n).toBe(0);
    } finally {
      await close();
    }
  });

  it('declining an offer returns to the jobs list, where the job no longer shows', async () => {
    const { pat, close } = await patAtHarbour();
    try {
      const [offer] = await app.db.select().from(jobs).where(eq(jobs.title, 'Shower drain slow'));
      await pat.goto(`${app.url}/portal/jobs/${offer!.id}`, { waitUntil: 'networkidle0' });
      await pat.locator('details.decline summary').click();
      await pat.locator('#decline-reason').fill('Fully booked this week');
      await Promise.all([
        pat.waitForNavigation({ waitUntil: 'networkidle0' }),
        pat.locator('form[action="?/decline"] button').click(),
      ]);
      expect(new URL(pat.url()).pathname).toBe('/portal/jobs');
      const list = await pat.$eval('main', (m) => m.innerText);
      expect(list).toContain(`You declined ${offer!.reference}`);
      expect(list).not.toContain('Shower drain slow');
      const [after] = await app.db.select({ offeredToId: jobs.offeredToId }).from(jobs).where(eq(jobs.id, offer!.id));
      expect(after!.offeredToId).toBeNull();

      // The demo contractor's other Harbour jobs, each flagged with what it needs.
      await pat.goto(`${app.url}/portal/jobs?view=all`, { waitUntil: 'networkidle0' });
      const flags = await pat.$$eval('[data-needs-action]', (els) =>
        els.map((e) => e.getAttribute('data-needs-action')),
      );
      expect(new Set(flags)).toEqual(new Set(['start', 'complete', 'invoice']));
      await screenshot(pat, 'portal', '08-all-jobs-flagged');
    } finally {
      await close();
    }
  });

  it('switches agency in one click from any portal page, on a phone and without JavaScript', async () => {
    const { pat, close } = await patAtHarbour();
    const bar = () => pat.$eval('.agency-bar', (e) => e.textContent ?? '');
    const mainText = () => pat.$eval('main', (e) => e.innerText);
    const titled = async (title: string) => (await app.db.select().from(jobs).where(eq(jobs.title, title)))[0]!;
    const [harbourJob, northgateJob] = [await titled('Leak under bathroom sink'), await titled('Bath tap loose')];
    try {
      // Statements (not the Accounts page): the bar says where Pat is and offers the other agency.
      await pat.goto(`${app.url}/portal/statements`, { waitUntil: 'networkidle0' });
      expect(await bar()).toContain('Working for Harbour Lettings');
      const button = await pat.$('[data-testid="agency-switcher"] button');
      expect(await button!.evaluate((b) => (b as HTMLElement).innerText)).toBe('Switch to Northgate Homes');
      // A thumb-sized target that fits the phone's width.
      const box = (await button!.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      // One row: the switcher adds no height to the bar on a phone.
      const barBox = (await (await pat.$('.agency-bar'))!.boundingBox())!;
      expect(barBox.height).toBeLessThan(box.height + 24);
      await screenshot(pat, 'portal', '10-agency-switcher');

      // One click, with scripts off: a plain form post, back on the same page, now for Northgate.
      await pat.setJavaScriptEnabled(false);
      await Promise.all([pat.waitForNavigation({ waitUntil: 'networkidle0' }), button!.click()]);
      await pat.setJavaScriptEnabled(true);
      expect(new URL(pat.url()).pathname).toBe('/portal/statements');
      expect(await bar()).toContain('Working for Northgate Homes');
      expect(await bar()).toContain('Switch to Harbour Lettings');

      // The jobs list is Northgate's.
      await pat.goto(`${app.url}/portal/jobs?view=all`, { waitUntil: 'networkidle0' });
      expect(await mainText()).toContain(northgateJob.title);
      expect(await mainText()).not.toContain(harbourJob.title);

      // From one of Northgate's jobs, switching lands on the jobs list (the job is not Harbour's), now Harbour's.
      await pat.goto(`${app.url}/portal/jobs/${northgateJob.id}`, { waitUntil: 'networkidle0' });
      expect(await mainText()).toContain('Bath tap loose');
      await Promise.all([
        pat.waitForNavigation({ waitUntil: 'networkidle0' }),
        pat.locator('[data-testid="agency-switcher"] button').click(),
      ]);
      expect(`${new URL(pat.url()).pathname}`).toBe('/portal/jobs');
      expect(await bar()).toContain('Working for Harbour Lettings');
      await pat.goto(`${app.url}/portal/jobs?view=all`, { waitUntil: 'networkidle0' });
      expect(await mainText()).toContain(harbourJob.title);
      expect(await mainText()).not.toContain(northgateJob.title);
      // The Accounts page still lists both, and still switches.
      await pat.goto(`${app.url}/portal/accounts`, { waitUntil: 'networkidle0' });
      expect(await mainText()).toContain('Northgate Homes');
    } finally {
      await close();
    }
  });
});
