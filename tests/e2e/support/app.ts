// Browser end-to-end support: the real app (built, started by scripts/start.ts in its own process)
// on a fresh database, and headless Debian Chromium driven by puppeteer.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { freePort } from '../../../db/embedded.ts';
import { createTestDatabase } from '../../support/db.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
export const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
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
  if (!existsSync(join(ROOT, 'build/handler.js'))) throw new Error('No build: run `npm run build` before the e2e tests');
  const database = await createTestDatabase({ max: 5 });
  const dataDir = mkdtempSync(join(tmpdir(), 'fixflow-e2e-'));
  chmodSync(dataDir, 0o777);
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', JOB_ENGINE: 'embedded', SEED_DEMO: 'true', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start in 60 s:\n${log}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`app exited with ${code}:\n${log}`)));
    child.stdout!.on('data', () => {
      if (log.includes('is running at')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    db: database.db,
    sql: database.sql,
    dataDir,
    output: () => log,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

/** Saves a full-page screenshot under test-artifacts/<area>/<name>.png. */
export async function screenshot(page: Page, area: string, name: string): Promise<string> {
  const dir = join(ROOT, 'test-artifacts', area);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path: path as `${string}.png`, fullPage: true });
  return path;
}

/** Signs in through the real sign-in form; fails with the page's own error message if refused. */
export async function signIn(page: Page, url: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${url}/sign-in`, { waitUntil: 'networkidle0' });
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('main form button, form[method="POST"] button').click();
  await page.waitForFunction(() => !location.pathname.startsWith('/sign-in') || document.querySelector('[role="alert"]'), { timeout: 15_000 });
  const refused = await page.$eval('[role="alert"]', (e) => e.textContent).catch(() => null);
  if (page.url().includes('/sign-in')) throw new Error(`sign-in refused for ${email}: ${refused ?? 'no message'}`);
  await page.waitForNetworkIdle();
}
