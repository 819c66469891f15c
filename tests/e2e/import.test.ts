// CSV import in headless Chromium against the built app: the demo admin finds Import in Settings, downloads a
// template, uploads a small file of properties with a landlord, sees the preview (two to create, one refused
// with its line), imports, and finds the property (with its landlord) in the list. Uploaded again, nothing new.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, ElementHandle, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signIn, startApp, type RunningApp } from './support/app.ts';

let app: RunningApp;
let browser: Browser;
let page: Page;

const FILE = join(mkdtempSync(join(tmpdir(), 'fettle-import-')), 'properties.csv');
writeFileSync(
  FILE,
  'line1,line2,town,postcode,branch,access_notes,landlord_name,landlord_email,landlord_phone,landlord_address\r\n' +
    '7 Importable Row,,Bristol,bs8 1tg,,Key with neighbour,Iris Importer,iris@owners.example,,"2 Quay St, Bristol BS1 4DJ"\r\n' +
    '9 Importable Row,,Bristol,BS8 1TG,,,Iris Importer,iris@owners.example,,\r\n' +
    '11 Importable Row,,Bristol,NOPE,,,,,,\r\n',
);

const mainText = () => page.$eval('main', (m) => m.textContent ?? '');

async function upload() {
  await page.goto(`${app.url}/settings/import`, { waitUntil: 'networkidle0' });
  await page.select('#kind', 'properties');
  const input = (await page.$('#file')) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(FILE);
  await page.locator('button::-p-text(Preview)').click();
  await page.waitForSelector('[data-testid="import-counts"]');
  return page.$eval('[data-testid="import-counts"]', (e) => e.textContent?.replace(/\s+/g, ' ').trim() ?? '');
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await signIn(page, app.url, 'admin@harbour.example');
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('CSV import', () => {
  it('Settings links to Import, which offers a template per kind', async () => {
    await page.goto(`${app.url}/settings`, { waitUntil: 'networkidle0' });
    await page.locator('a::-p-text(Import your properties, tenants and contractors)').click();
    await page.waitForSelector('h1::-p-text(Import from your previous system)');
    const href = await page.$eval('a[download]', (a) => a.getAttribute('href'));
    expect(href).toBe('/settings/import/template/properties');
    const template = await page.evaluate(async (h) => (await fetch(h!)).text(), href);
    expect(template.split('\r\n')[0]).toBe(
      'line1,line2,town,postcode,branch,access_notes,landlord_name,landlord_email,landlord_phone,landlord_address',
    );
  });

  it('previews the file row by row, imports the valid rows, and the property is in the list', async () => {
    expect(await upload()).toContain('3 rows: 2 to create, 0 to update, 0 unchanged, 1 refused');
    expect(await mainText()).toContain('Line 4: “NOPE” is not a UK postcode (e.g. BS1 5LJ).');
    expect(await mainText()).toContain('new landlord “Iris Importer”');
    expect(await mainText()).toContain('new landlord “Iris Importer” (added on line 2)');
    await screenshot(page, 'import', 'preview');
    await page.locator('button::-p-text(Import 2 rows)').click();
    await page.waitForSelector('::-p-text(Imported: 2 records created)');

    await page.goto(`${app.url}/properties?q=Importable`, { waitUntil: 'networkidle0' });
    expect(await mainText()).toContain('7 Importable Row');
    expect(await mainText()).not.toContain('11 Importable Row');
    await page.locator('a::-p-text(7 Importable Row)').click();
    await page.waitForSelector('[data-testid="landlord"]');
    expect(await page.$eval('[data-testid="landlord"]', (e) => e.textContent)).toContain('Iris Importer');
    expect(await mainText()).toContain('Invoices to: 2 Quay St, Bristol BS1 4DJ');
  });

  it('a property added by hand takes an existing landlord from the picker, or a new one typed inline', async () => {
    await page.goto(`${app.url}/properties/new`, { waitUntil: 'networkidle0' });
    await page.locator('#line1').fill('15 Importable Row');
    await page.locator('#town').fill('Bristol');
    await page.locator('#postcode').fill('BS8 1TG');
    const iris = await page.$$eval(
      '#landlordId option',
      (os) => os.find((o) => o.textContent?.includes('Iris'))?.value,
    );
    await page.select('#landlordId', iris!);
    await page.locator('button::-p-text(Add property)').click();
    await page.waitForSelector('[data-testid="landlord"]');
    expect(await page.$eval('[data-testid="landlord"]', (e) => e.textContent)).toContain('Iris Importer');

    await page.select('#landlordId', 'new');
    await page.waitForSelector('#landlordName');
    await page.locator('#landlordName').fill('Noor Newowner');
    await page.locator('#landlordEmail').fill('noor@owners.example');
    await page.locator('button::-p-text(Save property)').click();
    // The property's landlord line, not the picker's new option or the typed name, says the save is done.
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="landlord"]')?.textContent?.includes('Noor Newowner'),
    );
    await page.reload({ waitUntil: 'networkidle0' });
    expect(await page.$eval('[data-testid="landlord"]', (e) => e.textContent)).toContain('Noor Newowner');
  });

  it('the same file uploaded again creates nothing', async () => {
    expect(await upload()).toContain('3 rows: 0 to create, 0 to update, 2 unchanged, 1 refused');
    expect(await mainText()).toContain('Nothing to import');
  });
});
