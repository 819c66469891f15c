// A tenant reports a repair from a phone, with no account: finds their home by postcode, reads the first aid
// (a gas smell says to leave and call 0800 111 999 before anything else), reports a leak with two photos and
// confirms it with the emailed code; staff find it in the Reports inbox, see the photos, and make it a job
// that has the photos as its attachments.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, HTTPRequest, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_1PX } from '../support/files.ts';
import { launchBrowser, screenshot, signIn, startApp, type RunningApp } from './support/app.ts';

const EMAIL = 'tess.tenant@example.test';

let app: RunningApp;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  dir = mkdtempSync(join(tmpdir(), 'fettle-report-photos-'));
  writeFileSync(join(dir, 'ceiling.png'), PNG_1PX);
  writeFileSync(join(dir, 'bucket.png'), PNG_1PX);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function latestCode(): Promise<string> {
  const [mail] = await app.sql<
    { body: string }[]
  >`select body from emails where "to" = ${EMAIL} order by id desc limit 1`;
  const code = /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1];
  expect(code).toMatch(/^\d{6}$/);
  return code!;
}

const textOf = (page: Page, selector: string) =>
  page.$eval(selector, (e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim());

/** Every image matching `selector` has loaded real pixels. */
const imagesLoaded = (page: Page, selector: string) =>
  page.waitForFunction(
    (s) => {
      const imgs = [...document.querySelectorAll<HTMLImageElement>(s)];
      return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    },
    { timeout: 10_000 },
    selector,
  );

describe('reporting a repair from a phone', () => {
  it('reports a leak with two photos, confirms by code, and staff make it a job with the photos', async () => {
    const tenant = await browser.newPage();
    await tenant.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    await tenant.goto(`${app.url}/report/harbour`, { waitUntil: 'networkidle0' });
    expect(await textOf(tenant, 'main h1')).toBe('Report a repair');

    // The address by postcode: first lines of the agency's homes there, nothing more.
    await tenant.locator('#postcode').fill('bs6 6la');
    await tenant.locator('[data-testid="find-address"]').click();
    await tenant.waitForSelector('input[name="propertyId"][type="radio"]');
    const choices = await tenant.$$eval('.choice', (ls) => ls.map((l) => (l as HTMLElement).innerText.trim()));
    expect(choices).toEqual(['7 Cotham Hill', 'My address is not listed']);
    await tenant.locator('input[name="propertyId"][type="radio"]:not([value=""])').click();

    // A gas smell: the instruction to leave and call 0800 111 999 comes before anything else on the page.
    await tenant.select('#category', 'gas');
    await tenant.waitForSelector('[data-testid="gas-instruction"]');
    const first = await tenant.$eval('main', (m) => (m.firstElementChild as HTMLElement).innerText);
    expect(first).toContain('Leave the property now and call the National Gas Emergency number 0800 111 999');

    // A leak: the first aid says to turn off the stopcock; water that cannot be stopped is an emergency.
    await tenant.select('#category', 'leak');
    await tenant.waitForSelector('[data-testid="first-aid"]');
    expect(await tenant.$('[data-testid="gas-instruction"]')).toBeNull();
    expect(await textOf(tenant, '[data-testid="first-aid"]')).toContain('Turn off the water at the stopcock');
    await tenant.locator('input[name="uncontainedWater"]').click();
    expect(await textOf(tenant, '[data-testid="emergency"]')).toContain(
      'This is an emergency: Water coming in that cannot be stopped.',
    );

    await tenant.locator('#description').fill('Water pouring through the bathroom ceiling into the hall');
    const chooser = await tenant.$('[data-testid="choose-photos"]');
    await (chooser as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(
      join(dir, 'ceiling.png'),
      join(dir, 'bucket.png'),
    );
    await tenant.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="photo"]').length === 2 &&
        ![...document.querySelectorAll('[data-testid="photo"]')].some((p) => p.textContent?.includes('Preparing')),
    );
    await tenant.locator('#name').fill('Tess Tenant');
    await tenant.locator('#email').fill(EMAIL);
    await screenshot(tenant, 'reports', 'tenant-report-phone');
    // Nothing is wider than the phone (a wider page zooms out, and taps land off target).
    expect(await tenant.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The connection drops on the first try: the page says so, tries again by itself, and one report is made.
    await tenant.setRequestInterception(true);
    let posts = 0;
    const dropFirst = (r: HTTPRequest) => {
      if (r.isInterceptResolutionHandled()) return;
      const submit = r.method() === 'POST' && r.url().endsWith('?/submit');
      if (submit && posts++ === 0) void r.abort('connectionreset');
      else void r.continue();
    };
    tenant.on('request', dropFirst);
    await tenant.locator('[data-testid="send-report"]').click();
    await tenant.waitForSelector('[data-testid="send-retry"]');
    expect(await textOf(tenant, '[data-testid="send-retry"]')).toMatch(
      /No connection: trying again in \d s \(attempt 2\)/,
    );
    await tenant.waitForFunction(
      () => location.pathname.includes('/confirm/') || document.querySelector('[data-testid="report-error"]'),
    );
    expect(
      await tenant.$('[data-testid="report-error"]').then((e) => e && textOf(tenant, '[data-testid="report-error"]')),
    ).toBeNull();
    expect(new URL(tenant.url()).pathname).toMatch(/^\/report\/harbour\/confirm\/[0-9a-f-]{36}$/);
    tenant.off('request', dropFirst);
    await tenant.setRequestInterception(false);
    expect(posts).toBe(2);
    const reports = await app.sql`select id from repair_reports where reporter_email = ${EMAIL}`;
    expect(reports).toHaveLength(1);

    // The code from the email confirms it.
    await tenant.locator('#code').fill(await latestCode());
    await tenant.locator('[data-testid="confirm-report"]').click();
    await tenant.waitForSelector('[data-testid="report-confirmed"]');
    expect(await textOf(tenant, '[data-testid="report-confirmed"]')).toContain(
      'We treat it as an emergency: Water coming in that cannot be stopped.',
    );

    // Staff: the inbox counts it, shows the photos, and one step makes it a job with them.
    const context = await browser.createBrowserContext();
    const staff = await context.newPage();
    await signIn(staff, app.url, 'staff@harbour.example');
    await staff.goto(`${app.url}/reports`, { waitUntil: 'networkidle0' });
    expect(await textOf(staff, 'nav#main-nav a[href="/reports"]')).toBe('Reports (1)');
    expect(await textOf(staff, '[data-testid="report-row"]')).toContain(
      'Emergency: Water coming in that cannot be stopped',
    );
    await Promise.all([
      staff.waitForNavigation({ waitUntil: 'networkidle0' }),
      staff.locator('[data-testid="report-row"] a').click(),
    ]);
    await imagesLoaded(staff, '[data-testid="report-photo"]');
    expect(await staff.$$eval('[data-testid="report-photo"]', (i) => i.length)).toBe(2);
    expect(await staff.$eval('#priorityCode', (s) => (s as HTMLSelectElement).value)).toBe('P1');
    await Promise.all([
      staff.waitForNavigation({ waitUntil: 'networkidle0' }),
      staff.locator('[data-testid="convert-report"]').click(),
    ]);
    expect(new URL(staff.url()).pathname).toMatch(/^\/jobs\/[0-9a-f-]{36}$/);
    // The job's photos are lazy images further down the page: scrolled to, they load.
    await staff.$$eval('img[src^="/api/attachments/"]', (imgs) => imgs.forEach((i) => i.scrollIntoView()));
    await imagesLoaded(staff, 'img[src^="/api/attachments/"]');
    const photos = await staff.$$eval('img[src^="/api/attachments/"]', (imgs) =>
      imgs.map((i) => i.getAttribute('alt')).sort(),
    );
    expect(photos).toEqual(['bucket.png', 'ceiling.png']);
    expect(await textOf(staff, 'main')).toContain('Water pouring through the bathroom ceiling');

    // Staff share the page: the inbox names it, and each property's page links tenants to their own home.
    await staff.goto(`${app.url}/reports`, { waitUntil: 'networkidle0' });
    expect(await staff.$eval('[data-testid="report-page-link"]', (a) => a.getAttribute('href'))).toBe(
      `${app.url}/report/harbour`,
    );
    const [home] = await app.sql<{ id: string }[]>`select id from properties where line1 = '7 Cotham Hill'`;
    await staff.goto(`${app.url}/properties/${home!.id}`, { waitUntil: 'networkidle0' });
    const link = await staff.$eval('[data-testid="property-report-link"]', (a) => a.getAttribute('href'));
    expect(link).toBe(`${app.url}/report/harbour?property=${home!.id}`);
    await tenant.goto(link!, { waitUntil: 'networkidle0' });
    expect(await textOf(tenant, '[data-testid="linked-home"]')).toBe('7 Cotham Hill, BS6 6LA');
    expect(await tenant.$('#postcode')).toBeNull();
    await context.close();
  });
});
