// A second agency starts on its own, in the browser: the sign-up form, the emailed code, and the new
// admin landing in Settings of an agency with the UK defaults; the demo's second agency has an admin too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, ElementHandle, Page } from 'puppeteer';
import { pngOf } from '../support/files.ts';
import { launchBrowser, screenshot, signIn, startApp, type RunningApp } from './support/app.ts';

let app: RunningApp;
let browser: Browser;
let page: Page;
const EMAIL = 'olu@oak.example';
const PASSWORD = 'oak-lettings-2026';

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const text = () => page.$eval('main', (e) => e.textContent ?? '');
const submit = () =>
  Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.locator('main form button').click()]);
/** Submits a form that is refused: the page stays and shows the sentence in its alert. */
async function refused(): Promise<string> {
  await page.locator('main form button').click();
  await page.waitForSelector('[role="alert"]');
  return page.$eval('[role="alert"]', (e) => e.textContent?.trim() ?? '');
}
async function latestCode(): Promise<string> {
  const [mail] = await app.sql<
    { body: string }[]
  >`select body from emails where "to" = ${EMAIL} order by id desc limit 1`;
  const code = /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1];
  expect(code).toMatch(/^\d{6}$/);
  return code!;
}

describe('opening an agency', () => {
  it('starts from the sign-in page and says what is wrong with the form', async () => {
    await page.goto(`${app.url}/sign-in`, { waitUntil: 'networkidle0' });
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.locator('a ::-p-text(New agency? Open it on Fettle)').click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/agency-sign-up');
    await page.locator('#agencyName').fill('Oak Lettings');
    await page.locator('#adminName').fill('Olu Adeyemi');
    // The browser's own email check is skipped so the server's sentence shows.
    await page.$eval('#adminEmail', (e) => e.setAttribute('type', 'text'));
    await page.locator('#adminEmail').fill('olu at oak');
    expect(await refused()).toBe('Enter a valid email address');
    // What was typed stays.
    expect(await page.$eval('#agencyName', (e) => (e as HTMLInputElement).value)).toBe('Oak Lettings');
  });

  it('confirms the address with the emailed code, then lands the new admin in Settings', async () => {
    await page.locator('#adminEmail').fill(EMAIL);
    await submit();
    expect(new URL(page.url()).pathname).toBe('/agency-sign-up/verify');
    expect(await text()).toContain(`We have emailed a 6-digit code to ${EMAIL}`);
    await screenshot(page, 'onboarding', '01-code');

    const code = await latestCode();
    await page.locator('#code').fill(code === '000000' ? '111111' : '000000');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#confirm').fill(PASSWORD);
    expect(await refused()).toBe('That code is not right. Check the email and try again (4 tries left).');

    await page.locator('#code').fill(code);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#confirm').fill(PASSWORD);
    await submit();
    expect(new URL(page.url()).pathname).toBe('/settings');
    // What the settings form holds: the agency's name and the UK defaults it opened with.
    const values = await page.$$eval('main input', (inputs) => inputs.map((i) => i.value));
    expect(values).toContain('Oak Lettings');
    expect(values).toEqual(expect.arrayContaining(['Emergency', 'Routine', 'Boiler / heating fault', 'Gas Safe']));
    // The Getting started card heads the page: what is still to do, each linking to its section.
    const items = await page.$$eval('#getting-started li', (lis) =>
      lis.map((li) => [li.getAttribute('data-item'), li.className.includes('todo') ? 'to do' : 'done']),
    );
    expect(items).toEqual([
      ['address', 'to do'],
      ['branches', 'to do'],
      ['catalogue', 'done'],
      ['portal', 'done'],
      ['sender', 'to do'],
      ['logo', 'to do'],
    ]);
    expect(await page.$eval('#getting-started', (e) => e.textContent)).toContain('UK defaults loaded');
    expect(await page.$eval('#getting-started li[data-item="branches"] a', (a) => a.getAttribute('href'))).toBe(
      '#branches',
    );
    await screenshot(page, 'onboarding', '02-settings');
    // An empty agency: none of the demo agency's jobs.
    await page.goto(`${app.url}/jobs`, { waitUntil: 'networkidle0' });
    expect(await text()).not.toContain('JOB-000001');
  });

  it('lets the new admin upload the agency logo in Settings, and shows it in the header', async () => {
    await page.goto(`${app.url}/settings`, { waitUntil: 'networkidle0' });
    expect(await page.$('header [data-testid="agency-logo"]')).toBeNull();
    expect(await page.$eval('#logo', (e) => e.textContent)).toContain('No logo yet');
    const dir = mkdtempSync(join(tmpdir(), 'fettle-logo-e2e-'));
    const upload = async (name: string, bytes: Buffer | string) => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const input = (await page.$('#logo input[type="file"]')) as ElementHandle<HTMLInputElement>;
      await input.uploadFile(path);
      // The enhanced form posts, then the page takes the answer (and the layout its new data).
      await Promise.all([
        page.waitForResponse((r) => r.url().includes('?/logo') && r.request().method() === 'POST'),
        page.locator('#logo form button ::-p-text(Upload logo)').click(),
      ]);
      await page.waitForNetworkIdle();
      await page.waitForSelector('#logo [role="alert"], #logo [role="status"]');
      return page.$eval('#logo [role="alert"], #logo [role="status"]', (e) => e.textContent?.trim() ?? '');
    };
    try {
      // A text file called .png is refused in words, and nothing changes.
      expect(await upload('notes.png', 'not a picture')).toBe('notes.png is not a PNG or JPEG image');
      expect(await page.$('header [data-testid="agency-logo"]')).toBeNull();

      expect(await upload('oak.png', pngOf(240, 80))).toBe('Logo saved.');
      // The header leads with it (loaded, not a broken image), named for the agency; Settings previews it.
      await page.waitForSelector('header img[data-testid="agency-logo"]');
      const header = await page.$eval('header img[data-testid="agency-logo"]', (img) => ({
        alt: img.getAttribute('alt'),
        loaded: img.complete && img.naturalWidth,
      }));
      expect(header).toEqual({ alt: 'Oak Lettings logo', loaded: 240 });
      expect(await page.$('#logo [data-testid="logo-preview"]')).not.toBeNull();
      expect(await page.$eval('#getting-started li[data-item="logo"]', (li) => li.className.includes('done'))).toBe(
        true,
      );
      // On every console page, not just Settings.
      await page.goto(`${app.url}/jobs`, { waitUntil: 'networkidle0' });
      expect(await page.$('header img[data-testid="agency-logo"]')).not.toBeNull();
      await screenshot(page, 'onboarding', '02b-logo-in-header');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the demo’s second agency has an admin who can change its settings', async () => {
    const context = await browser.createBrowserContext();
    const noor = await context.newPage();
    try {
      await signIn(noor, app.url, 'admin@northgate.example');
      await noor.goto(`${app.url}/settings/team`, { waitUntil: 'networkidle0' });
      const team = await noor.$eval('main', (e) => e.textContent ?? '');
      expect(team).toContain('Noor Admin');
      expect(team).toContain('Nia Staff');
      expect(await noor.$('form input[name="email"]')).not.toBeNull();
    } finally {
      await context.close();
    }
  });
});

describe('the audit log page', () => {
  it('shows admins every change with the person’s name, filtered by job, and downloads it as CSV', async () => {
    const context = await browser.createBrowserContext();
    const alex = await context.newPage();
    try {
      await signIn(alex, app.url, 'admin@harbour.example');
      await alex.goto(`${app.url}/settings`, { waitUntil: 'networkidle0' });
      await Promise.all([
        alex.waitForNavigation({ waitUntil: 'networkidle0' }),
        alex.locator('a ::-p-text(Audit log)').click(),
      ]);
      expect(new URL(alex.url()).pathname).toBe('/settings/audit');
      const rows = () =>
        alex.$$eval('[data-testid="audit-table"] tbody tr', (trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
        );
      const all = await rows();
      expect(all.length).toBeGreaterThan(10);
      // People, not roles: the demo's staff and contractors by name.
      const who = new Set(all.map((r) => r[1]));
      expect([...who].some((w) => w!.startsWith('Sam Staff'))).toBe(true);

      await alex.locator('#job').fill('1');
      await Promise.all([
        alex.waitForNavigation({ waitUntil: 'networkidle0' }),
        alex.locator('form[role="search"] button').click(),
      ]);
      const one = await rows();
      expect(one.length).toBeGreaterThan(0);
      expect(one.every((r) => r[3] === 'JOB-000001')).toBe(true);
      expect(one.at(-1)?.[2]).toBe('Job: created');
      await screenshot(alex, 'onboarding', '03-audit-log');

      // The CSV carries the same filter.
      const href = await alex.$eval('a[download]', (a) => a.href);
      const csv = await alex.evaluate(async (url) => {
        const res = await fetch(url);
        return { type: res.headers.get('content-type'), body: await res.text() };
      }, href);
      expect(csv.type).toBe('text/csv; charset=utf-8');
      const lines = csv.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).toBe('Time (UK),Time (UTC),Person,Role,Action,Job,Detail');
      expect(lines.length - 1).toBe(one.length);
      expect(lines.slice(1).every((l) => l.includes(',JOB-000001,'))).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('is refused to staff who are not admins', async () => {
    const context = await browser.createBrowserContext();
    const sam = await context.newPage();
    try {
      await signIn(sam, app.url, 'staff@harbour.example');
      const page = await sam.goto(`${app.url}/settings/audit`, { waitUntil: 'networkidle0' });
      expect(page?.status()).toBe(403);
      const csv = await sam.goto(`${app.url}/settings/audit/export.csv`);
      expect(csv?.status()).toBe(403);
    } finally {
      await context.close();
    }
  });
});
