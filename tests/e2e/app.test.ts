// The app as a person first meets it: started by `scripts/start.ts`, signed-out visitors go to sign-in,
// the API refuses anonymous calls, and staff reach the jobs list with the demo data.
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
});
