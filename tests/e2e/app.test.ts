// The app as a person first meets it: started by `scripts/start.ts`, signed-out visitors go to sign-in,
// the API refuses anonymous calls, staff reach the jobs list with the demo data, and signing out works
// from the header (this device) and from the sign-out page (every device).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer';
import { launchBrowser, screenshot, signIn, startApp, type RunningApp } from './support/app.ts';

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the running app', () => {
  it('prints the demo logins and sends visitors to sign in', async () => {
    expect(app.output()).toContain('admin@harbour.example');
    const res = await fetch(app.url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/\/sign-in/);
  });

  it('refuses anonymous API calls', async () => {
    const res = await fetch(`${app.url}/api/trpc/jobs.list`);
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).not.toContain('stack');
  });

  it('lets staff sign in and see the seeded jobs', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await signIn(page, app.url, 'staff@harbour.example');
    await page.goto(`${app.url}/jobs`, { waitUntil: 'networkidle0' });
    const text = await page.$eval('main', (m) => m.textContent ?? '');
    expect(text).toContain('Leak under bathroom sink');
    expect(text).toContain('In Progress');
    await screenshot(page, 'app', 'jobs-list');
  });

  it("answers a refused event with 409 and the machine's reason, from the built server", async () => {
    // The server bundle has its own copy of the engine's error classes: this once came back as a 500.
    const [job] = await app.sql<{ id: string }[]>`select j.id from jobs j join agencies a on a.id = j.agency_id
      where a.name like 'Harbour%' and j.status = 'inProgress' limit 1`;
    const page = await browser.newPage(); // same browser: still signed in as Harbour staff
    await page.goto(`${app.url}/jobs`);
    const answer = await page.evaluate(async (id) => {
      const res = await fetch('/api/trpc/jobs.send', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, command: { type: 'CLOSE' } }),
      });
      return { status: res.status, body: await res.text() };
    }, job!.id);
    expect(answer.status).toBe(409);
    expect(answer.body).toContain('Cannot close the job while the job is In Progress');
    const [after] = await app.sql<{ status: string }[]>`select status from jobs where id = ${job!.id}`;
    expect(after!.status).toBe('inProgress');
  });

  it('signs out from the header, and everywhere from the sign-out page', async () => {
    const [here, laptop, phone] = await Promise.all([
      browser.createBrowserContext(),
      browser.createBrowserContext(),
      browser.createBrowserContext(),
    ]);
    try {
      // The header's button: this device only (it once answered 500 and left the person signed in).
      const page = await here.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      await signIn(page, app.url, 'staff@harbour.example');
      await Promise.all([page.waitForNavigation(), page.locator('form.header-sign-out button').click()]);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      await page.goto(`${app.url}/jobs`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');

      // Signed in on two devices; "Sign out everywhere" on one ends the other's session too.
      const [a, b] = await Promise.all([laptop.newPage(), phone.newPage()]);
      await signIn(a, app.url, 'pat@plumbfast.example');
      await signIn(b, app.url, 'pat@plumbfast.example');
      // Reached from the person's name in the header.
      await a.goto(`${app.url}/portal`, { waitUntil: 'networkidle0' });
      await Promise.all([a.waitForNavigation({ waitUntil: 'networkidle0' }), a.click('[data-testid="account-link"]')]);
      expect(new URL(a.url()).pathname).toBe('/sign-out');
      await Promise.all([a.waitForNavigation(), a.locator('form[action="?/everywhere"] button').click()]);
      expect(new URL(a.url()).pathname).toBe('/sign-in');
      await b.goto(`${app.url}/portal`);
      expect(new URL(b.url()).pathname).toBe('/sign-in');
    } finally {
      await Promise.all([here.close(), laptop.close(), phone.close()]);
    }
  });
});
