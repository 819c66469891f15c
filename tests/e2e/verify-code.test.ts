// A contractor's verification code, spent: after its last wrong try, once it has been refused for too many tries,
// and for as long as they keep trying it, the page says the code can no longer be used and offers a new one first
// (better-auth itself answers "invalid code" once a code is spent). The new code, sent from there, works.
import type { Browser, HTTPResponse, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startApp, type RunningApp } from './support/app.ts';

// A demo contractor at Harbour Lettings with no account yet.
const EMAIL = 'gus@warmhomes.example';
const PASSWORD = 'warm-homes-password-3';

let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function latestCode(): Promise<string> {
  const [mail] = await app.sql<
    { body: string }[]
  >`select body from emails where "to" = ${EMAIL} order by id desc limit 1`;
  const code = /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1];
  expect(code).toMatch(/^\d{6}$/);
  return code!;
}

const posted = (action: string) => (r: HTTPResponse) =>
  r.request().method() === 'POST' && new URL(r.url()).search === `?/${action}`;

/** Enters `code` and posts it; what the page then says in its alert (the page stays). */
async function enter(code: string): Promise<string> {
  await page.locator('#code').fill(code);
  await Promise.all([page.waitForResponse(posted('verify')), page.locator('form[action="?/verify"] button').click()]);
  await page.waitForFunction(
    () => !document.querySelector<HTMLButtonElement>('form[action="?/verify"] button')?.disabled,
  );
  return page.$eval('[role="alert"]', (e) => e.textContent?.trim() ?? '');
}

/** The forms on the page, in order, by action. */
const forms = () => page.$$eval('main form', (fs) => fs.map((f) => f.getAttribute('action')));

describe('a spent verification code', () => {
  it('says it can no longer be used, offers a new one first, and the new one works', async () => {
    await page.goto(`${app.url}/sign-up`, { waitUntil: 'networkidle0' });
    await page.locator('#email').fill(EMAIL);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#confirm').fill(PASSWORD);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.locator('main form button').click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/verify');
    const code = await latestCode();
    const wrong = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

    // Wrong tries say how many are left, and keep the code form first.
    expect(await enter(wrong)).toContain(
      'That code is not right. Check the latest email and try again (4 tries left).',
    );
    for (const left of ['3 tries', '2 tries', '1 try']) expect(await enter(wrong)).toContain(`(${left} left)`);
    expect(await forms()).toEqual(['?/verify', '?/resend']);

    // The fifth wrong try spends the code, and the page says so at once.
    expect(await enter(wrong)).toBe(
      'That code is not right, and that was the last try: this code can no longer be used. ' +
        'Send yourself a new code with the button below, then enter the new one.',
    );
    expect(await forms()).toEqual(['?/resend', '?/verify']);
    // Even the right code is refused now: better-auth says too many tries, then only "invalid code".
    expect(await enter(code)).toContain('This code can no longer be used: it was entered wrongly 5 times.');
    for (let i = 0; i < 2; i++) {
      const said = await enter(code);
      expect(said).toContain('This code can no longer be used.');
      expect(said).not.toContain('not right');
      expect(await forms()).toEqual(['?/resend', '?/verify']);
    }

    // The new code, sent from the button the page offers first, verifies the address.
    await Promise.all([page.waitForResponse(posted('resend')), page.locator('form[action="?/resend"] button').click()]);
    await page.waitForSelector('[role="status"]');
    expect(await page.$eval('[role="status"]', (e) => e.textContent)).toContain('a new code is on its way');
    expect(await forms()).toEqual(['?/verify', '?/resend']);
    const fresh = await latestCode();
    expect(fresh).not.toBe(code);
    await page.locator('#code').fill(fresh);
    await Promise.all([page.waitForNavigation(), page.locator('form[action="?/verify"] button').click()]);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(new URL(page.url()).searchParams.get('notice')).toBe('verified');
  });
});
