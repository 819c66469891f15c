// Browser end-to-end support: the real app (built, started by scripts/start.ts in its own process)
// on a fresh database, and headless Debian Chromium driven by puppeteer.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { spawnApp } from '../../../scripts/spawn-app.ts';
import { createTestDatabase } from '../../support/db.ts';

const ROOT = new URL('../../..', import.meta.url).pathname;
const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
export const DEMO_PASSWORD = 'demo-password-1';

export interface RunningApp {
  url: string;
  db: Awaited<ReturnType<typeof createTestDatabase>>['db'];
  sql: Awaited<ReturnType<typeof createTestDatabase>>['sql'];
  dataDir: string;
  /** What the app printed, for diagnosing a failure. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the built app with demo data on a fresh database; resolves when it serves. */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const database = await createTestDatabase({ max: 5 });
  const app = await spawnApp({
    dataDirPrefix: 'fettle-e2e-',
    env: { DATABASE_URL: database.url, JOB_ENGINE: 'embedded', SEED_DEMO: 'true', NODE_ENV: 'production', ...env },
  });
  return {
    url: app.url,
    db: database.db,
    sql: database.sql,
    dataDir: app.dataDir,
    output: app.output,
    async stop() {
      await app.stop();
      await database.close();
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
      '--no-first-run',
    ],
  });
}

/** Saves a full-page screenshot under test-artifacts/<area>/<name>.png. */
export async function screenshot(page: Page, area: string, name: string): Promise<string> {
  const dir = join(ROOT, 'test-artifacts', area);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the real sign-in form; fails with the page's own error message if refused. */
export async function signIn(page: Page, url: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${url}/sign-in`, { waitUntil: 'networkidle0' });
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('main form button, form[method="POST"] button').click();
  await page.waitForFunction(
    () => !location.pathname.startsWith('/sign-in') || document.querySelector('[role="alert"]'),
    { timeout: 15_000 },
  );
  const refused = await page.$eval('[role="alert"]', (e) => e.textContent).catch(() => null);
  if (page.url().includes('/sign-in')) throw new Error(`sign-in refused for ${email}: ${refused ?? 'no message'}`);
  await page.waitForNetworkIdle();
}
