// The agency console's jobs workflow in headless Chromium against the built app: create a job (with a
// tenant added inline), assign it through the suggestion, follow the contractor's work (done through the
// API as the contractor, against the app's database), recall it with a reason, close it, and look at the
// machine diagram, the notifications and the coverage map — the map with every request off this machine
// refused, to show it needs no internet.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractors, jobs, properties, users } from '#db/schema/index.ts';
import { createContext } from '#lib/server/api/context.ts';
import { createCaller } from '#lib/server/api/root.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { PNG_1PX, TINY_PDF } from '../support/files.ts';
import { launchBrowser, screenshot, signIn, startApp, type RunningApp } from './support/app.ts';

let app: RunningApp;
let browser: Browser;
let page: Page;
let jobId = '';
let reference = '';
const offsite: string[] = [];
/** Errors the page raised, to explain a failure. */
const pageErrors: string[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  // No internet: anything not served by the app itself is refused and remembered.
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('requestfailed', (r) => pageErrors.push(`${r.url()}: ${r.failure()?.errorText}`));
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1')
      return void req.continue();
    offsite.push(req.url());
    void req.abort();
  });
  await signIn(page, app.url, 'staff@harbour.example');
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** The contractor's side, through the same API the portal uses, as that contractor. */
async function asContractor(type: 'ACCEPT' | 'START' | 'COMPLETE', note = 'Fixed') {
  const [job] = await app.db.select().from(jobs).where(eq(jobs.id, jobId));
  const contractorId = job!.contractorId ?? job!.offeredToId;
  const [c] = await app.db.select().from(contractors).where(eq(contractors.id, contractorId!));
  const caller = createCaller(
    createContext({
      db: app.db,
      engine: createEmbeddedEngine({ db: app.db }),
      user: {
        kind: 'contractor',
        userId: c!.userId ?? c!.id,
        name: c!.name,
        email: c!.email,
        agencyId: c!.agencyId,
        contractorId: c!.id,
      },
      temporalUiUrl: null,
    }),
  );
  await caller.jobs.send({ id: jobId, command: type === 'COMPLETE' ? { type, note } : { type } });
}

const text = (selector: string) => page.$eval(selector, (e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim());
const statusIs = async (label: string) => {
  await page.waitForFunction(
    (l) => document.querySelector('[data-testid="job-status"]')?.textContent?.includes(l),
    { timeout: 15_000 },
    label,
  );
};
async function openJob() {
  await page.goto(`${app.url}/jobs/${jobId}`, { waitUntil: 'networkidle0' });
}

describe('the jobs workflow in the console', () => {
  it('lists jobs with every filter, and keeps the filters in the URL', async () => {
    await page.goto(`${app.url}/jobs`, { waitUntil: 'networkidle0' });
    for (const id of ['q', 'status', 'priority', 'branch', 'contractor', 'sla'])
      expect(await page.$(`form[role="search"] #${id}`), id).not.toBeNull();
    expect(await text('main')).toContain('Leak under bathroom sink');
    await screenshot(page, 'console', 'jobs-list');

    await page.locator('#q').fill('gutter');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('gutter');
    const rows = await page.$$eval('[data-testid="jobs-table"] tbody tr', (trs) => trs.map((t) => t.textContent ?? ''));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('Overflowing gutter');

    await page.goto(`${app.url}/jobs?view=recalls`, { waitUntil: 'networkidle0' });
    expect(await text('main')).toContain('Overflowing gutter');
    expect(await text('main')).not.toContain('Leak under bathroom sink');
  });

  it('shows the first page as the first page when the link has a broken cursor', async () => {
    await page.goto(`${app.url}/jobs?cursor=not-a-cursor`, { waitUntil: 'networkidle0' });
    expect(await text('.status-line')).toMatch(/^Showing \d+ jobs?$/);
    expect(await page.$('a.button::-p-text(Newest)')).toBeNull();
  });

  it('filters by a contractor the list shows a job offered to', async () => {
    await page.goto(`${app.url}/jobs`, { waitUntil: 'networkidle0' });
    const eve = await page.$$eval('#contractor option', (os) =>
      os.find((o) => o.textContent === 'Eve Electric')?.getAttribute('value'),
    );
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.select('#contractor', eve!)]);
    const rows = await page.$$eval('[data-testid="jobs-table"] tbody tr', (trs) =>
      trs.map((t) => (t.textContent ?? '').replace(/\s+/g, ' ')),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.includes('Offered to Eve Electric'))).toBe(true);
    expect(rows.every((r) => r.includes('Eve Electric'))).toBe(true);
  });

  it('finds the property by a postcode typed without its space, and says when a search is too long', async () => {
    const res = await page.goto(`${app.url}/jobs/new?postcode=${'Flat 2, '.repeat(10)}`, { waitUntil: 'networkidle0' });
    expect(res?.status()).toBe(200);
    expect(await text('main')).toContain('That search is too long');
    await page.goto(`${app.url}/jobs/new?postcode=bs83ht`, { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[name="propertyId"]')?.checked);
    expect(await text('fieldset')).toContain('9 Clifton Down');
  });

  it('keeps the property, the new tenant and everything typed when the job is refused', async () => {
    await page.goto(`${app.url}/jobs/new?postcode=${encodeURIComponent('BS8 3HT')}`, { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[name="propertyId"]')?.checked);
    // Nothing is chosen for the person: no priority (so no SLA) and no job type until they pick one.
    expect(
      await page.$eval('#priorityCode', (s) => [
        (s as HTMLSelectElement).value,
        s.querySelector('option:checked')?.textContent,
      ]),
    ).toEqual(['', 'Choose…']);
    expect(await page.$eval('#jobTypeId', (s) => (s as HTMLSelectElement).value)).toBe('');
    await page.select('#tenantId', 'new');
    await page.locator('#tenantName').fill('Nia Newcomer'); // no phone or email: the API refuses
    await page.select('#priorityCode', 'P2');
    await page.locator('#title').fill('Water through kitchen ceiling');
    await page.click('form[action$="/create"] button:not([type="button"])');
    await page.waitForSelector('form[action$="/create"] [role="alert"]');
    expect(await text('form[action$="/create"] [role="alert"]')).toMatch(/phone number or an email/);
    expect(new URL(page.url()).searchParams.get('postcode')).toBe('BS8 3HT');
    const kept = await page.evaluate(() => {
      const v = (s: string) => document.querySelector<HTMLInputElement | HTMLSelectElement>(s)?.value;
      return {
        property: document.querySelector<HTMLInputElement>('input[name="propertyId"]')?.checked,
        tenant: v('#tenantId'),
        tenantName: v('#tenantName'),
        priority: v('#priorityCode'),
        title: v('#title'),
        create: (document.querySelector('form[action$="/create"] button:not([type="button"])') as HTMLButtonElement)
          .disabled,
      };
    });
    expect(kept).toEqual({
      property: true,
      tenant: 'new',
      tenantName: 'Nia Newcomer',
      priority: 'P2',
      title: 'Water through kitchen ceiling',
      create: false,
    });
  });

  it('pre-selects the one property a search finds, with and without JavaScript', async () => {
    await page.goto(`${app.url}/jobs/new`, { waitUntil: 'networkidle0' });
    await page.locator('#postcode').fill('bs7 8ae');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.keyboard.press('Enter')]);
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[name="propertyId"]')?.checked);
    expect(await page.$$eval('input[name="propertyId"]', (rs) => rs.length)).toBe(1);
    expect(await page.$eval('#tenantId', (s) => (s as HTMLSelectElement).disabled)).toBe(false);

    const plain = await browser.newPage();
    try {
      await plain.setJavaScriptEnabled(false);
      const chosen = async (postcode: string) => {
        await plain.goto(`${app.url}/jobs/new?postcode=${encodeURIComponent(postcode)}`, { waitUntil: 'load' });
        return plain.evaluate(() => ({
          choices: [...document.querySelectorAll<HTMLInputElement>('input[name="propertyId"]')].map((r) => r.checked),
          create: document.querySelector<HTMLButtonElement>('form[action$="/create"] button:not([type="button"])')!
            .disabled,
        }));
      };
      expect(await chosen('BS8 3HT')).toEqual({ choices: [true], create: false });
      // Two in BS1: the person chooses.
      expect((await chosen('BS1')).choices).toEqual([false, false]);
    } finally {
      await plain.close();
    }
  });

  it('offers to add the property when the search finds none, and creates the job there', async () => {
    await page.goto(`${app.url}/jobs/new?postcode=${encodeURIComponent('bs6 5qa')}`, { waitUntil: 'networkidle0' });
    expect(await text('form[action$="/create"] fieldset')).toContain('No property matches “bs6 5qa”');
    expect(await page.$eval('#propertyPostcode', (i) => (i as HTMLInputElement).value)).toBe('BS6 5QA');
    const branches = await page.$$eval('#propertyBranchId option', (os) => os.map((o) => o.textContent));
    expect(branches).toEqual(['No branch', 'Bristol Central', 'Clifton']);
    const create = 'form[action$="/create"] button:not([type="button"])';
    expect(await page.$eval(create, (b) => b.disabled)).toBe(false);

    await page.locator('#propertyLine1').fill('14 Chandos Road');
    await page.locator('#propertyTown').fill('Bristol');
    await page.locator('#propertyPostcode').fill('BS6');
    const clifton = await page.$$eval('#propertyBranchId option', (os) =>
      os.find((o) => o.textContent === 'Clifton')?.getAttribute('value'),
    );
    await page.select('#propertyBranchId', clifton!);
    await page.select('#tenantId', 'new');
    await page.locator('#tenantName').fill('Omar Okafor');
    await page.locator('#tenantPhone').fill('07700 900321');
    await page.select('#priorityCode', 'P3');
    await page.locator('#title').fill('Front door lock sticking');
    // Half a postcode: refused in a sentence, with everything typed kept.
    await page.click(create);
    await page.waitForSelector('form[action$="/create"] [role="alert"]');
    expect(await text('form[action$="/create"] [role="alert"]')).toBe('“BS6” is not a UK postcode (e.g. BS1 5LJ)');
    expect(
      await page.evaluate(() =>
        ['#propertyLine1', '#propertyBranchId', '#tenantName', '#title'].map(
          (s) => document.querySelector<HTMLInputElement>(s)?.value,
        ),
      ),
    ).toEqual(['14 Chandos Road', clifton, 'Omar Okafor', 'Front door lock sticking']);
    expect(await app.db.select().from(properties).where(eq(properties.line1, '14 Chandos Road'))).toHaveLength(0);

    await page.locator('#propertyPostcode').fill('BS6 5QA');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click(create)]);
    expect(page.url()).toMatch(/\/jobs\/[0-9a-f-]{36}\?created=1$/);
    const header = await text('.job-header');
    expect(header).toContain('Front door lock sticking');
    expect(header).toContain('14 Chandos Road');
    expect(header).toContain('Omar Okafor');
    const [added] = await app.db.select().from(properties).where(eq(properties.line1, '14 Chandos Road'));
    expect(added).toMatchObject({ postcode: 'BS6 5QA', outcode: 'BS6', town: 'Bristol', branchId: clifton });
    const [job] = await app.db
      .select()
      .from(jobs)
      .where(eq(jobs.id, new URL(page.url()).pathname.split('/').pop()!));
    expect(job).toMatchObject({ propertyId: added!.id, branchId: clifton });
  });

  it('creates a job for a property found by postcode, with a tenant added inline', async () => {
    await page.goto(`${app.url}/jobs/new?postcode=${encodeURIComponent('BS8 3HT')}`, { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[name="propertyId"]')?.checked);
    await page.select('#tenantId', 'new');
    await page.locator('#tenantName').fill('Nia Newcomer');
    await page.locator('#tenantPhone').fill('07700 900555');
    await page.select('#priorityCode', 'P2');
    const leakType = await page.$$eval('#jobTypeId option', (os) =>
      os.find((o) => o.textContent?.includes('Plumbing leak'))?.getAttribute('value'),
    );
    await page.select('#jobTypeId', leakType!);
    await page.locator('#title').fill('Water through kitchen ceiling');
    await page.click('#description');
    await page.keyboard.type('Dripping from the light fitting.');
    await screenshot(page, 'console', 'new-job');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.click('form[action$="/create"] button:not([type="button"])'),
    ]);

    expect(page.url()).toMatch(/\/jobs\/[0-9a-f-]{36}\?created=1$/);
    jobId = new URL(page.url()).pathname.split('/').pop()!;
    const header = await text('.job-header');
    reference = /JOB-\d{6}/.exec(header)![0];
    expect(header).toContain('Water through kitchen ceiling');
    expect(header).toContain('9 Clifton Down');
    expect(header).toContain('Nia Newcomer');
    expect(await text('[data-testid="job-status"]')).toBe('New');
    expect(await text('[data-testid="job-sla"]')).toMatch(/left/);
    expect(await text('[role="status"]')).toContain(`Job ${reference} created`);
    // Overview and Financial tabs.
    expect(
      await page.$$eval('nav[aria-label="Job sections"] a', (as) => as.map((a) => a.getAttribute('href'))),
    ).toEqual([`/jobs/${jobId}`, `/jobs/${jobId}/finance`]);
  });

  it('adds a case note with a photo and a document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fettle-note-'));
    writeFileSync(join(dir, 'ceiling.png'), PNG_1PX);
    writeFileSync(join(dir, 'survey.pdf'), TINY_PDF);
    await page.locator('#note').fill('Tenant sent a photo of the stain and the damp survey.');
    const input = await page.$('#note-files');
    await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(
      join(dir, 'ceiling.png'),
      join(dir, 'survey.pdf'),
    );
    await page.click('form[action="?/note"] button');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="job-attachments"]')?.textContent?.trim() === '2',
      { timeout: 15_000 },
    );
    const timeline = await text('[data-testid="timeline"]');
    expect(timeline).toContain('Tenant sent a photo of the stain and the damp survey.');
    expect(timeline).toContain('survey.pdf');
    // Each entry names the person, not a role.
    expect(timeline).toContain('by Sam Staff');
    expect(timeline).not.toMatch(/by (staff|admin|system|contractor)\b/);
    expect(await page.$$eval('[data-testid="timeline"] img', (imgs) => imgs.map((i) => i.getAttribute('alt')))).toEqual(
      ['ceiling.png'],
    );
    expect(await page.$eval('#note', (t) => (t as HTMLTextAreaElement).value)).toBe('');
  });

  it('takes back the files of a refused note', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fettle-note-'));
    writeFileSync(join(dir, 'good.png'), PNG_1PX);
    writeFileSync(join(dir, 'fake.png'), 'not an image at all');
    const before = await text('[data-testid="job-attachments"]');
    await page.locator('#note').fill('Two photos from the tenant');
    const input = await page.$('#note-files');
    await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(
      join(dir, 'good.png'),
      join(dir, 'fake.png'),
    );
    await page.click('form[action="?/note"] button');
    await page.waitForSelector('[role="alert"]', { timeout: 15_000 });
    expect(await text('[role="alert"]')).toContain('fake.png is not a photo');
    await openJob();
    expect(await text('[data-testid="job-attachments"]')).toBe(before);
    expect(await text('[data-testid="timeline"]')).not.toContain('good.png');
  });

  it('assigns the suggested contractor, saying why', async () => {
    const suggestion = await text('[data-testid="suggestion"]');
    expect(suggestion).toMatch(/Suggested: .+ — covers this postcode district, does this trade, \d+ open jobs?\./);
    // A plumbing leak needs no certificate, so the suggestion says nothing about certificates.
    expect(suggestion).not.toMatch(/certif/i);
    // Nor does the table: no contractor's certificates are listed against a job type that needs none.
    const certCells = await page.$$eval('[data-testid="required-certs"]', (cells) =>
      cells.map((c) => (c as HTMLElement).innerText.trim()),
    );
    expect(certCells.length).toBeGreaterThan(0);
    expect(new Set(certCells)).toEqual(new Set(['None needed']));
    const name = /Suggested: (.+?)(?: \(|\s—)/.exec(suggestion)![1];
    await screenshot(page, 'console', 'job-assign');
    await page.click('form[action="?/offer"] button');
    await page.waitForSelector('[data-testid="job-offered"]');
    expect(await text('[data-testid="job-offered"]')).toBe(name);
    expect(await text('[data-testid="job-status"]')).toBe('New');
    // The timeline names who the job was offered to, so two offers can be told apart.
    expect(await text('[data-testid="timeline"]')).toContain(`Offered to ${name}`);
  });

  it('offers the job to the contractor whose row is ticked, the button naming them, also after an offer', async () => {
    const rows = await page.$$eval('table[aria-label="Contractors for this job"] tbody tr', (trs) =>
      trs.map((tr) => tr.querySelector('strong')?.textContent ?? ''),
    );
    expect(rows.length).toBeGreaterThan(1);
    const offerTo = async (name: string) => {
      await page.click(
        `xpath///table[@aria-label="Contractors for this job"]//tr[.//strong[text()="${name}"]]//input[@type="radio"]`,
      );
      expect(await text('form[action="?/offer"] button')).toBe(`Offer job to ${name}`);
      const ack = await page.$('form[action="?/offer"] input[name="acknowledge"]');
      if (ack) await ack.click();
      await page.click('form[action="?/offer"] button');
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="job-offered"]')?.textContent?.trim() === n,
        { timeout: 15_000 },
        name,
      );
    };
    await offerTo(rows[1]!);
    // After the offer, the ticked row and the button agree (the row used to jump back to the first while the
    // button still named the last one, so the next click offered the job to someone else).
    const ticked = await page.$eval(
      'table[aria-label="Contractors for this job"] input[type="radio"]:checked',
      (r) => r.closest('tr')?.querySelector('strong')?.textContent ?? '',
    );
    expect(await text('form[action="?/offer"] button')).toBe(`Offer job to ${ticked}`);
    expect(await page.$('form[action="?/offer"] input[name="acknowledge"]:checked')).toBeNull();
    await offerTo(rows[0]!);
    const timeline = await text('[data-testid="timeline"]');
    expect(timeline).toContain(`Offered to ${rows[1]}`);
    expect(timeline).toContain(`Offered to ${rows[0]}`);
  });

  it('shows the contractor accepting, starting and completing, and tells staff in the bell', async () => {
    for (const type of ['ACCEPT', 'START', 'COMPLETE'] as const)
      await asContractor(type, 'Replaced the waste pipe joint.');
    await openJob();
    await statusIs('Completed');
    expect(await text('[data-testid="timeline"]')).toContain('Replaced the waste pipe joint.');
    // The engine's notify activity runs after the step commits; the bell counts what needs staff action.
    let bell = '';
    for (let i = 0; i < 20 && !/Work completed/.test(bell); i++) {
      await page.goto(`${app.url}/notifications?unread=1`, { waitUntil: 'networkidle0' });
      bell = await text('main');
      if (!/Work completed/.test(bell)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(bell).toContain(reference);
    expect(bell).toMatch(/Work completed/);
    expect(bell).toContain(`Work completed — review and close · ${reference}`);
    await screenshot(page, 'console', 'notifications');
    expect(Number(await text('[data-testid="bell-count"]'))).toBeGreaterThan(0);
  });

  it('recalls the job with a reason', async () => {
    await openJob();
    await page.click('details.action summary');
    await page.locator('#recall-reason').fill('Tenant reports the ceiling still drips');
    await page.click('form[action="?/recall"] button');
    await statusIs('Recalled');
    expect(await text('[data-testid="timeline"]')).toContain('Tenant reports the ceiling still drips');
    expect(await text('[data-testid="job-sla"]')).toMatch(/left|overdue/);
  });

  it('closes the job once the contractor has put it right, and draws the path it took', async () => {
    await asContractor('START');
    await asContractor('COMPLETE', 'Resealed the joint and tested for an hour.');
    await openJob();
    await statusIs('Completed');
    await page.click('form[action="?/close"] button');
    await statusIs('Closed');
    // The diagram's caption says in words where the job is, as a phone's small drawing cannot.
    expect(await text('[data-testid="machine-now"]')).toBe('Now: Closed');
    // Closed work can still be recalled; it cannot be closed again.
    expect(await page.$('form[action="?/close"]')).toBeNull();
    expect(await page.$('form[action="?/recall"]')).not.toBeNull();

    const states = await page.$$eval('[data-testid="machine-diagram"] [data-state]', (gs) =>
      Object.fromEntries(
        gs.map((g) => [
          g.getAttribute('data-state') ?? '',
          { visited: g.getAttribute('data-visited'), current: g.getAttribute('aria-current') },
        ]),
      ),
    );
    expect(states.closed).toEqual({ visited: 'true', current: 'step' });
    for (const s of ['new', 'assigned', 'inProgress', 'completed', 'recalled'])
      expect(states[s]?.visited, s).toBe('true');
    expect(states.cancelled?.visited).toBe('false');
    expect(states.paymentComplete?.visited).toBe('false');
    const taken = await page.$$eval('[data-testid="machine-diagram"] path.taken', (ps) =>
      ps.map((p) => p.getAttribute('data-edge')),
    );
    expect(taken.sort()).toEqual(
      [
        'assigned>inProgress',
        'completed>closed',
        'completed>recalled',
        'inProgress>completed',
        'new>assigned',
        'recalled>inProgress',
      ].sort(),
    );
    await screenshot(page, 'console', 'job-page-diagram');
  });

  it('labels each arrow of the diagram with its own event, and fits each state name in its box', async () => {
    const drawn = await page.$eval('[data-testid="machine-diagram"]', (svg) => {
      const mid = (edge: string) => {
        const p = svg.querySelector(`path[data-edge="${edge}"]`) as SVGPathElement;
        return p.getPointAtLength(p.getTotalLength() / 2);
      };
      const labels = [...svg.querySelectorAll('text[data-edge]')].map((t) => {
        const box = (t as SVGTextElement).getBBox();
        return { edge: t.getAttribute('data-edge')!, text: t.textContent, y: box.y + box.height / 2 };
      });
      const states = [...svg.querySelectorAll('[data-state]')].map((g) => ({
        state: g.getAttribute('data-state'),
        room:
          (g.querySelector('rect:last-of-type') as SVGRectElement).getBBox().width -
          (g.querySelector('text') as SVGTextElement).getBBox().width,
      }));
      return { labels, states, mids: Object.fromEntries(['new>assigned', 'assigned>new'].map((e) => [e, mid(e).y])) };
    });
    // ACCEPT takes a new job to Assigned; OFFER (to someone else) takes an assigned one back to New.
    const label = (edge: string) => drawn.labels.find((l) => l.edge === edge)!;
    expect([label('new>assigned').text, label('assigned>new').text]).toEqual(['ACCEPT', 'OFFER']);
    // Each of the pair sits on its own arrow's side of the row.
    for (const [edge, other] of [
      ['new>assigned', 'assigned>new'],
      ['assigned>new', 'new>assigned'],
    ] as const) {
      expect(Math.abs(label(edge).y - drawn.mids[edge]!), edge).toBeLessThan(
        Math.abs(label(edge).y - drawn.mids[other]!),
      );
    }
    for (const s of drawn.states) expect(s.room, `${s.state} fits its box`).toBeGreaterThan(4);
  });

  it('shows on the coverage map, with no internet, who covers a postcode, and a contractor in detail', async () => {
    offsite.length = 0;
    await page.goto(`${app.url}/contractors/map?postcode=${encodeURIComponent('BS8 3HT')}`, {
      waitUntil: 'networkidle0',
    });
    await page.waitForSelector('[data-testid="coverage-map"] path.district').catch((e: Error) => {
      throw new Error(`${e.message}; page errors: ${pageErrors.join(' | ') || 'none'}`);
    });
    expect(await text('[data-testid="coverage-summary"]')).toMatch(/\d+ contractors? covers? BS8/);
    const drawn = await page.$$eval('[data-testid="coverage-map"] path', (ps) =>
      ps.map((p) => p.getAttribute('class') ?? ''),
    );
    expect(drawn.filter((c) => c.includes('district')).length).toBeGreaterThanOrEqual(7);
    expect(drawn.filter((c) => c.includes('contractor-marker')).length).toBe(4);
    expect(drawn.filter((c) => c.includes('searched-marker'))).toHaveLength(1);
    expect(await page.$$eval('.outcode-label', (ls) => ls.map((l) => l.textContent))).toEqual(
      expect.arrayContaining(['BS1', 'BS8']),
    );

    const first = (await page.$$('[data-testid="pick-contractor"]'))[0];
    await first!.click();
    await page.waitForSelector('[data-testid="contractor-detail"]');
    await page.waitForSelector('[data-testid="coverage-map"][data-selected] path.travel-area');
    const detail = await text('[data-testid="contractor-detail"]');
    expect(detail).toMatch(/Trades/);
    expect(detail).toMatch(/Current workload\s*\d+ open jobs?/);
    expect(new URL(page.url()).searchParams.get('contractor')).toMatch(/[0-9a-f-]{36}/);
    expect(offsite).toEqual([]);
    await screenshot(page, 'console', 'coverage-map');
  });

  it('names the nearest contractors when none covers the district', async () => {
    await page.goto(`${app.url}/contractors/map?postcode=BS9`, { waitUntil: 'networkidle0' });
    // Eve's base is in BS7, the closest to BS9 of the demo's four; nobody covers BS9.
    expect(await text('[data-testid="coverage-summary"]')).toMatch(
      /^No contractor covers BS9\. Nearest bases \(straight line\): Eve Electric, \d+\.\d km; .+, \d+\.\d km; .+, \d+\.\d km\.$/,
    );
    expect(await text('[data-testid="pick-contractor"]')).toContain('Eve Electric'); // first in the list
  });

  it('shows certifications as valid or expired for the job type on the map', async () => {
    const types = await page.$$eval('#jobTypeId option', (os) =>
      os.map((o) => [o.textContent, o.getAttribute('value')]),
    );
    const boiler = types.find(([t]) => t?.includes('Boiler'))![1]!;
    await page.goto(`${app.url}/contractors/map?postcode=BS1&jobTypeId=${boiler}`, { waitUntil: 'networkidle0' });
    const pat = await page.$$eval('[data-testid="pick-contractor"]', (bs) =>
      bs.findIndex((b) => b.textContent?.includes('Pat Plumber')),
    );
    await (await page.$$('[data-testid="pick-contractor"]'))[pat]!.click();
    await page.waitForSelector('[data-testid="contractor-detail"]');
    const detail = await text('[data-testid="contractor-detail"]');
    expect(detail).toContain('Gas Safe: expired');
    expect(detail).toMatch(/Cannot be assigned a Boiler \/ heating fault job without confirming: no valid Gas Safe\./);
    expect(detail).toMatch(/Ranking: .*no valid Gas Safe/);

    const gus = await page.$$eval('[data-testid="pick-contractor"]', (bs) =>
      bs.findIndex((b) => b.textContent?.includes('Gus Gas')),
    );
    await (await page.$$('[data-testid="pick-contractor"]'))[gus]!.click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="contractor-detail"] h3')?.textContent?.includes('Gus Gas'),
    );
    const held = await text('[data-testid="contractor-detail"]');
    expect(held).toMatch(/For a Boiler \/ heating fault job: Gas Safe valid until \d{1,2} \w{3} \d{4}\./);
    expect(held).toMatch(/Ranking: .*Gas Safe valid until \d{1,2} \w{3} \d{4}/);
    expect(held).not.toContain('Certified for');
  });

  it('says nothing about certifications for a job type that needs none: a locksmith is not "certified for" it', async () => {
    const types = await page.$$eval('#jobTypeId option', (os) =>
      os.map((o) => [o.textContent, o.getAttribute('value')]),
    );
    for (const [type, who] of [
      ['Locks and security', 'Lou Locks'],
      ['Plumbing leak', 'Pat Plumber'], // holds an expired Gas Safe: a leak does not need it
      ['Plumbing leak', 'Gus Gas'], // holds a valid Gas Safe: not a reason for a leak either
    ] as const) {
      const id = types.find(([t]) => t === type)![1]!;
      await page.goto(`${app.url}/contractors/map?postcode=BS1&jobTypeId=${id}`, { waitUntil: 'networkidle0' });
      const at = await page.$$eval(
        '[data-testid="pick-contractor"]',
        (bs, name) => bs.findIndex((b) => b.textContent?.includes(name)),
        who,
      );
      expect(at, who).toBeGreaterThanOrEqual(0);
      await (await page.$$('[data-testid="pick-contractor"]'))[at]!.click();
      await page.waitForFunction(
        (name) => document.querySelector('[data-testid="contractor-detail"] h3')?.textContent?.includes(name),
        {},
        who,
      );
      const detail = await text('[data-testid="contractor-detail"]');
      expect(detail, `${who}, ${type}`).not.toContain('Certified for');
      expect(detail, `${who}, ${type}`).not.toMatch(/Cannot be assigned|For a .+ job:/);
      expect(await page.$('[data-testid="required-certifications"]'), `${who}, ${type}`).toBeNull();
      expect(/Ranking: (.*)\./.exec(detail)?.[1], `${who}, ${type}`).not.toMatch(/certif|Gas Safe|NICEIC/i);
    }
    // How to get a street map is for whoever runs the app (docs/operations.md), not for staff.
    expect(await text('main')).not.toContain('MAP_TILE_URL');
  });

  it("shows a cancelled job's SLA as cancelled, neither met nor breached", async () => {
    const [staff] = await app.db.select().from(users).where(eq(users.email, 'staff@harbour.example'));
    const caller = createCaller(
      createContext({
        db: app.db,
        engine: createEmbeddedEngine({ db: app.db }),
        user: {
          kind: 'staff',
          userId: staff!.id,
          name: staff!.name,
          email: staff!.email,
          agencyId: staff!.agencyId!,
          role: 'staff',
        },
        temporalUiUrl: null,
      }),
    );
    const [property] = await app.db.select().from(properties).where(eq(properties.agencyId, staff!.agencyId!));
    const { id } = await caller.jobs.create({
      title: 'Logged twice by mistake',
      priorityCode: 'P2',
      propertyId: property!.id,
    });
    await caller.jobs.send({ id, command: { type: 'CANCEL', reason: 'Duplicate' } });
    await page.goto(`${app.url}/jobs/${id}`, { waitUntil: 'networkidle0' });
    await statusIs('Cancelled');
    const sla = () => page.$eval('[data-testid="job-sla"] span', (s) => [s.textContent, s.className]);
    expect(await sla()).toEqual(['Cancelled', expect.stringContaining('muted')]);
    await page.goto(`${app.url}/jobs?status=cancelled`, { waitUntil: 'networkidle0' });
    const row = await page.$$eval('[data-testid="jobs-table"] tbody tr', (trs) =>
      trs.map((t) => [t.textContent ?? '', t.querySelector('td[data-label="SLA"] span')?.className]),
    );
    expect(row).toEqual([[expect.stringContaining('Logged twice by mistake'), expect.stringContaining('muted')]]);
    expect(row[0]![0]).toContain('Cancelled');
    expect(row[0]![0]).not.toContain('Met');
  });

  it('answers a link with a malformed id with a not-found page, not a server error', async () => {
    for (const path of ['/jobs/x', '/jobs/x/finance', '/jobs/1%27', '/contractors/x', '/properties/x', '/tenants/x']) {
      const res = await page.goto(`${app.url}${path}`, { waitUntil: 'networkidle0' });
      expect(res?.status(), path).toBe(404);
      expect(await text('body'), path).toMatch(/not found/i);
    }
  });

  it('fits a phone: the menu collapses behind a button', async () => {
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`${app.url}/jobs`, { waitUntil: 'networkidle0' });
    const navVisible = () => page.$eval('#main-nav', (n) => getComputedStyle(n).display !== 'none');
    expect(await navVisible()).toBe(false);
    await page.click('.menu-toggle');
    expect(await navVisible()).toBe(true);
    expect(await page.$$eval('#main-nav a', (as) => as.map((a) => a.textContent))).toEqual(
      expect.arrayContaining(['Jobs', 'New job', 'Coverage map', 'Contractors', 'Properties', 'Tenants', 'Finance']),
    );
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(1);
    // The header row is hidden on a phone: each cell names its column instead.
    const labels = await page.$$eval('[data-testid="jobs-table"] tbody tr:first-child td', (tds) =>
      tds.map((td) => getComputedStyle(td, '::before').content),
    );
    expect(labels).toEqual(
      ['Job', 'Property', 'Status', 'Priority', 'Contractor', 'SLA', 'Created'].map((l) => `"${l}"`),
    );
    await screenshot(page, 'console', 'jobs-list-phone');
    await openJob();
    expect(await overflow()).toBeLessThanOrEqual(1);
    // The diagram scales to the screen: every state, and where the job is now, is in view.
    const states = await page.$$eval('[data-testid="machine-diagram"] [data-state] rect', (rs) =>
      rs.map((r) => r.getBoundingClientRect().right),
    );
    expect(Math.max(...states)).toBeLessThanOrEqual(390);
    expect(
      await page.$eval('[data-testid="machine-diagram"] [aria-current="step"]', (g) => g.getBoundingClientRect().right),
    ).toBeLessThanOrEqual(390);
    await screenshot(page, 'console', 'job-page-phone');
  });
});
