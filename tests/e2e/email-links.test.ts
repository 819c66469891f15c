// A contractor's job email, followed as a person would: it names the agency, and its link opens the job,
// whichever agency the contractor last picked in the portal, and after signing in when they were signed out.
import { and, eq, like } from 'drizzle-orm';
import type { Browser, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencies, contractors, emails, properties } from '#db/schema/index.ts';
import { DEMO_PASSWORD, launchBrowser, signIn, startApp, type RunningApp } from './support/app.ts';

let app: RunningApp;
let browser: Browser;
let jobId: string;
let link: string;
const PAT = 'pat@plumbfast.example';

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  // Northgate's staff offer a job to Pat, who also works for Harbour.
  const [northgate] = await app.db.select().from(agencies).where(eq(agencies.slug, 'northgate'));
  const [pat] = await app.db
    .select()
    .from(contractors)
    .where(and(eq(contractors.agencyId, northgate!.id), eq(contractors.email, PAT)));
  const [property] = await app.db.select().from(properties).where(eq(properties.agencyId, northgate!.id)).limit(1);
  const context = await browser.createBrowserContext();
  const nia = await context.newPage();
  await signIn(nia, app.url, 'staff@northgate.example');
  jobId = await nia.evaluate(
    async (input) => {
      const post = (path: string, body: unknown) =>
        fetch(`/api/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<{ result: { data: { id: string } } }>);
      const created = await post('jobs.create', {
        title: 'Dripping kitchen tap',
        priorityCode: 'P3',
        propertyId: input.propertyId,
      });
      const id = created.result.data.id;
      await post('jobs.send', { id, command: { type: 'OFFER', contractorId: input.contractorId } });
      return id;
    },
    { propertyId: property!.id, contractorId: pat!.id },
  );
  await context.close();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function offerEmail() {
  const rows = await app.db
    .select()
    .from(emails)
    .where(and(eq(emails.to, PAT), eq(emails.jobId, jobId), like(emails.subject, '%offered to you%')));
  return rows[0] ?? null;
}

const pathOf = (page: Page) => new URL(page.url()).pathname;
const main = (page: Page) => page.$eval('main', (e) => e.textContent ?? '');

describe('a contractor’s job email', () => {
  it('says which agency it is from and links to the job', async () => {
    await expect.poll(offerEmail, { timeout: 15_000, interval: 100 }).not.toBeNull();
    const mail = (await offerEmail())!;
    expect(mail.subject).toMatch(/^Northgate Homes: JOB-\d{6} offered to you: Dripping kitchen tap$/);
    expect(mail.body).toMatch(/\n\nNorthgate Homes \(sent by Fettle\)$/);
    const found = /Open the job: (\S+)/.exec(mail.body)?.[1];
    expect(found).toBeDefined();
    const url = new URL(found!);
    expect(url.pathname).toBe(`/portal/jobs/${jobId}`);
    link = `${app.url}${url.pathname}${url.search}`;
  });

  it('opens the job when the contractor is working for the other agency', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    try {
      await signIn(page, app.url, PAT);
      expect(pathOf(page)).toBe('/portal/accounts');
      await Promise.all([
        page.waitForNavigation({ waitUntil: 'networkidle0' }),
        page.locator('button ::-p-text(Harbour Lettings)').click(),
      ]);
      expect(await page.$eval('.portal', (e) => e.textContent ?? '')).toContain('Working for Harbour Lettings');

      await page.goto(link, { waitUntil: 'networkidle0' });
      expect(page.url()).toBe(`${app.url}/portal/jobs/${jobId}`);
      expect(await page.$eval('.portal', (e) => e.textContent ?? '')).toContain('Working for Northgate Homes');
      expect(await main(page)).toContain('Dripping kitchen tap');
    } finally {
      await context.close();
    }
  });

  it('opens the job after signing in, when the contractor was signed out', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    try {
      await page.goto(link, { waitUntil: 'networkidle0' });
      expect(pathOf(page)).toBe('/sign-in');
      await page.locator('input[name="email"]').fill(PAT);
      await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
      await Promise.all([
        page.waitForNavigation({ waitUntil: 'networkidle0' }),
        page.locator('main form button').click(),
      ]);
      expect(page.url()).toBe(`${app.url}/portal/jobs/${jobId}`);
      expect(await main(page)).toContain('Dripping kitchen tap');
    } finally {
      await context.close();
    }
  });

  it('a link naming an agency that is not theirs changes nothing', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    try {
      await signIn(page, app.url, PAT);
      await Promise.all([
        page.waitForNavigation({ waitUntil: 'networkidle0' }),
        page.locator('button ::-p-text(Harbour Lettings)').click(),
      ]);
      const [other] = await app.db.select().from(agencies).where(eq(agencies.slug, 'harbour'));
      await page.goto(`${app.url}/portal/jobs?agency=00000000-0000-4000-8000-000000000000`, {
        waitUntil: 'networkidle0',
      });
      expect(page.url()).toBe(`${app.url}/portal/jobs`);
      expect(await page.$eval('.portal', (e) => e.textContent ?? '')).toContain(`Working for ${other!.name}`);
    } finally {
      await context.close();
    }
  });
});
