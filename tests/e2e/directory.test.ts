// Settings and directory in headless Chromium against the built app: the demo admin changes a priority's
// SLA target, adds a contractor with a coverage district, records a certification on their page, and
// finds them in the contractors list; at phone width the list still reads. Screenshots in test-artifacts/.
import { one } from '#db/rows.ts';
import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencies, certifications, contractors, priorities } from '#db/schema/index.ts';
import { launchBrowser, screenshot, signIn, startApp, type RunningApp } from './support/app.ts';

let app: RunningApp;
let browser: Browser;
let page: Page;
let harbourId: string;

const NAME = 'Rory Roofer';
const EMAIL = 'rory@toproofs.example';

const mainText = () => page.$eval('main', (m) => m.textContent ?? '');

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  ({ id: harbourId } = one(
    await app.db.select({ id: agencies.id }).from(agencies).where(eq(agencies.slug, 'harbour')),
  ));
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await signIn(page, app.url, 'admin@harbour.example');
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('settings and directory', () => {
  it("the admin changes a priority's SLA target", async () => {
    await page.goto(`${app.url}/settings`, { waitUntil: 'networkidle0' });
    const [p2] = await app.db
      .select()
      .from(priorities)
      .where(and(eq(priorities.agencyId, harbourId), eq(priorities.code, 'P2')));
    expect(p2!.targetHours).toBe(24);
    const target = `#p-target-${p2!.id}`;
    await page.$eval(target, (el) => ((el as HTMLInputElement).value = ''));
    await page.type(target, '36');
    await page.locator('button::-p-text(Save P2)').click();
    await page.waitForSelector('::-p-text(Urgent saved.)');

    const [after] = await app.db.select().from(priorities).where(eq(priorities.id, p2!.id));
    expect(after!.targetHours).toBe(36);
    await page.reload({ waitUntil: 'networkidle0' });
    expect(await page.$eval(target, (el) => (el as HTMLInputElement).value)).toBe('36');
    await screenshot(page, 'directory', 'settings-priority-saved');
  });

  it('refuses a bad SLA target (submitted with Enter) with a message by the field, and keeps the old value', async () => {
    const [p1] = await app.db
      .select()
      .from(priorities)
      .where(and(eq(priorities.agencyId, harbourId), eq(priorities.code, 'P1')));
    const target = `#p-target-${p1!.id}`;
    await page.$eval(target, (el) => ((el as HTMLInputElement).value = ''));
    await page.type(target, '0');
    await page.keyboard.press('Enter'); // submits from the keyboard, like any form
    await page.waitForSelector(`#p-target-${p1!.id}-error`);
    expect(await page.$eval(`#p-target-${p1!.id}-error`, (e) => e.textContent)).toContain('At least 1 hour');
    const [unchanged] = await app.db.select().from(priorities).where(eq(priorities.id, p1!.id));
    expect(unchanged!.targetHours).toBe(p1!.targetHours);
  });

  it('shows every mistake in the agency settings at once, VAT included, and saves nothing', async () => {
    await page.goto(`${app.url}/settings`, { waitUntil: 'networkidle0' });
    const [before] = await app.db.select().from(agencies).where(eq(agencies.id, harbourId));
    await page.$eval('#name', (el) => ((el as HTMLInputElement).value = ''));
    await page.$eval('#vatPercent', (el) => ((el as HTMLInputElement).value = 'twenty'));
    await page.locator('button::-p-text(Save agency settings)').click();
    await page.waitForSelector('#vatPercent-error');
    expect(await page.$eval('#vatPercent-error', (e) => e.textContent)).toContain('Enter VAT as a percentage');
    expect(await page.$('#name-error'), 'the name is reported in the same round').not.toBeNull();
    const [after] = await app.db.select().from(agencies).where(eq(agencies.id, harbourId));
    expect(after).toEqual(before);
  });

  it('asks before removing a branch, and says when it is removed', async () => {
    await page.goto(`${app.url}/settings`, { waitUntil: 'networkidle0' });
    await page.type('#b-name-new', 'Pop-up office');
    await page.locator('button::-p-text(Add branch)').click();
    await page.waitForSelector('::-p-text(Branch added.)');
    const remove = 'button[aria-label="Remove branch Pop-up office"]';
    const questions: string[] = [];
    page.once('dialog', (d) => void (questions.push(d.message()), d.dismiss()));
    await page.click(remove);
    await new Promise((r) => setTimeout(r, 500));
    expect(questions).toEqual(['Remove the Pop-up office branch?']);
    expect(await page.$(remove), 'Cancel keeps the branch').not.toBeNull();
    page.once('dialog', (d) => void d.accept());
    await page.click(remove);
    await page.waitForSelector('::-p-text(Branch removed.)');
    expect(await page.$(remove)).toBeNull();
    expect(await mainText()).not.toContain('Pop-up office');
  });

  it('the admin adds a contractor with a coverage district and a certification, and sees them listed', async () => {
    await page.goto(`${app.url}/contractors/new`, { waitUntil: 'networkidle0' });
    await page.type('#name', NAME);
    await page.type('#company', 'Top Roofs');
    await page.type('#email', EMAIL);
    await page.type('#phone', '07700 900777');
    await page.type('#otherTrades', 'roofing');
    await page.type('#coverage', 'bs9, BS10');
    await page.type('#basePostcode', 'BS9');
    await page.locator('button::-p-text(Add contractor)').click();
    await page.waitForFunction(() => /^\/contractors\/[0-9a-f-]{36}$/.test(location.pathname), { timeout: 15_000 });
    await page.waitForSelector('::-p-text(Contractor added)');

    await page.type('#cert-name', 'Working at Height');
    await page.type('#cert-reference', 'WAH-2210');
    await page.$eval('#cert-expires', (el) => ((el as HTMLInputElement).value = '2027-12-31'));
    await page.locator('button::-p-text(Add certification)').click();
    await page.waitForSelector('::-p-text(Certification added.)');
    expect(await mainText()).toContain('Valid until 31 Dec 2027');

    const [row] = await app.db
      .select()
      .from(contractors)
      .where(and(eq(contractors.agencyId, harbourId), eq(contractors.email, EMAIL)));
    expect(row).toMatchObject({ name: NAME, trades: ['roofing'], coverage: ['BS10', 'BS9'], baseOutcode: 'BS9' });
    expect(row!.baseLat).not.toBeNull();
    const certs = await app.db.select().from(certifications).where(eq(certifications.contractorId, row!.id));
    expect(certs.map((c) => [c.name, c.reference, c.expiresOn])).toEqual([
      ['Working at Height', 'WAH-2210', '2027-12-31'],
    ]);
    await screenshot(page, 'directory', 'contractor-profile');

    await page.goto(`${app.url}/contractors?q=BS9`, { waitUntil: 'networkidle0' });
    const text = await mainText();
    expect(text).toContain(NAME);
    expect(text).toContain('Working at Height');
    expect(text).not.toContain('Eve Electric'); // Eve does not cover BS9
    await screenshot(page, 'directory', 'contractors-filtered');
  });

  it("moves a contractor's base to a new postcode, not keeping the old district's latitude and longitude", async () => {
    const [rory] = await app.db
      .select()
      .from(contractors)
      .where(and(eq(contractors.agencyId, harbourId), eq(contractors.email, EMAIL)));
    await page.goto(`${app.url}/contractors/${rory!.id}`, { waitUntil: 'networkidle0' });
    expect(await page.$eval('#baseLat', (el) => (el as HTMLInputElement).value)).toBe(String(rory!.baseLat)); // BS9's centre, shown
    await page.$eval('#basePostcode', (el) => ((el as HTMLInputElement).value = ''));
    await page.type('#basePostcode', 'BS1 5LJ');
    await page.locator('button::-p-text(Save profile)').click();
    await page.waitForSelector('::-p-text(Profile saved.)');
    const [moved] = await app.db.select().from(contractors).where(eq(contractors.id, rory!.id));
    expect(moved).toMatchObject({ baseOutcode: 'BS1', baseLat: 51.4537, baseLng: -2.5935 }); // BS1's centre
    expect(await page.$eval('#baseLat', (el) => (el as HTMLInputElement).value)).toBe('51.4537');
  });

  it('shows an expired certification as expired, and the list works at phone width', async () => {
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    await page.goto(`${app.url}/contractors`, { waitUntil: 'networkidle0' });
    const text = await mainText();
    expect(text).toContain(NAME);
    expect(text).toMatch(/Gas Safe\s*Expired/); // Pat's seeded Gas Safe lapsed
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'directory', 'contractors-phone');
  });

  it('the index pages the navigation links to land on useful lists, at phone width too', async () => {
    for (const [path, heading, seeded] of [
      ['/properties', 'Properties', 'Cotham Hill'],
      ['/tenants', 'Tenants', 'Ravi Shah'],
      ['/settings/team', 'Team', 'Alex Admin'],
    ] as const) {
      await page.goto(`${app.url}${path}`, { waitUntil: 'networkidle0' });
      expect(await page.$eval('h1', (h) => h.textContent)).toBe(heading);
      expect(await mainText()).toContain(seeded);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${path} scrolls sideways on a phone`).toBeLessThanOrEqual(0);
      await screenshot(page, 'directory', `${heading.toLowerCase()}-phone`);
    }
    await page.goto(`${app.url}/properties?q=cotham`, { waitUntil: 'networkidle0' });
    await page.locator('main a::-p-text(7 Cotham Hill)').click();
    await page.waitForSelector('::-p-text(Address and access)');
    expect(await mainText()).toContain('Ravi Shah');
    await screenshot(page, 'directory', 'property-phone');
  });
});
