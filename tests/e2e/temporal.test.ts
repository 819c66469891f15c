// The whole app on Temporal, end to end in headless Chromium: the built app with JOB_ENGINE=temporal
// against a real `temporal server start-dev` (with its Web UI) that this file starts. Staff create a job
// in the console and offer it to Pat; Pat accepts, starts and completes it in the portal on a phone;
// staff close it. Then the operator's view: the job page's "Workflow in Temporal UI" link opens the
// workflow in the dev server's UI, and the UI's workflow list, filtered by the job's search attributes
// (`JobReference`, `JobStatus`), finds it. Finally the money: Pat invoices, staff approve, raise the
// agency invoice, record the payments and pay Pat, and the job's workflow completes at Payment Complete.
//
// No Temporal CLI: skipped with the reason printed, or a failure with TEMPORAL_REQUIRED=1 (CI).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { TargetType, type Browser, type BrowserContext, type Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '#db/embedded.ts';
import { jobs } from '#db/schema/index.ts';
import {
  JOB_SEARCH_ATTRIBUTES,
  JobReferenceKey,
  JobStatusKey,
  PriorityKey,
  SlaBreachedKey,
  ContractorIdKey,
} from '#workflows/temporal/search-attributes.ts';
import { workflowIdFor } from '#workflows/workflow-ids.ts';
import { TINY_PDF } from '../support/files.ts';
import { withoutServer } from '../temporal/environment.ts';
import { launchBrowser, screenshot, signIn, startApp, type RunningApp } from './support/app.ts';

const SUITE = 'the app on Temporal in the browser';
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true };
const TITLE = 'Boiler pressure keeps dropping';
const SHOTS = 'temporal';

/**
 * A dev server of our own, never TEMPORAL_ADDRESS's: the test needs the server's Web UI on a port it
 * knows, and the job search attributes registered at server start (as `npm run start:temporal` does).
 */
async function devServerWithUi(): Promise<
  { ok: true; env: TestWorkflowEnvironment; uiUrl: string } | { ok: false; reason: string }
> {
  const path = process.env.TEMPORAL_CLI_PATH;
  const uiPort = await freePort();
  const starting = TestWorkflowEnvironment.createLocal({
    server: {
      ...(path ? { executable: { type: 'existing-path' as const, path } } : {}),
      ip: '127.0.0.1',
      searchAttributes: [...JOB_SEARCH_ATTRIBUTES],
      ui: true,
      uiPort,
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const env = await Promise.race([
      starting,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error('did not start within 90 s')), 90_000)),
      ),
    ]);
    return { ok: true, env, uiUrl: `http://127.0.0.1:${uiPort}` };
  } catch (e) {
    // A server that comes up after the deadline is still ours to stop.
    void starting.then((env) => env.teardown()).catch(() => {});
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 240);
    return { ok: false, reason: `no Temporal dev server (${why}); set TEMPORAL_CLI_PATH to a \`temporal\` CLI binary` };
  } finally {
    clearTimeout(timer);
  }
}

const server = await devServerWithUi();
if (!server.ok) withoutServer(SUITE, server.reason);

if (server.ok)
  describe(SUITE, () => {
    const { env: temporal, uiUrl } = server;
    let app: RunningApp;
    let browser: Browser;
    let staffCtx: BrowserContext;
    let patCtx: BrowserContext;
    let staff: Page;
    let pat: Page;
    let jobId = '';
    let reference = '';
    let workflowId = '';

    beforeAll(async () => {
      [app, browser] = await Promise.all([
        startApp({
          JOB_ENGINE: 'temporal',
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_NAMESPACE: 'default',
          TEMPORAL_UI_URL: uiUrl,
          // A queue of its own: no other worker on this machine picks up these jobs' tasks.
          TEMPORAL_TASK_QUEUE: `fettle-e2e-${process.pid}-${Date.now()}`,
          TEMPORAL_WORKER: 'on',
        }),
        launchBrowser(),
      ]);
      staffCtx = await browser.createBrowserContext();
      patCtx = await browser.createBrowserContext();
      staff = await staffCtx.newPage();
      await staff.setViewport({ width: 1280, height: 900 });
      pat = await patCtx.newPage();
      await pat.setViewport(PHONE);
    });
    afterAll(async () => {
      await browser?.close();
      await app?.stop();
      await temporal.teardown();
    });

    const text = (p: Page, selector = 'main') => p.$eval(selector, (e) => (e as HTMLElement).innerText);
    /** Waits for the text to show; on timeout, fails with what the page said instead (and the app's last words). */
    async function waitForText(p: Page, needle: string, selector = 'main', timeout = 15_000) {
      try {
        await p.waitForFunction(
          (s, n) => document.querySelector<HTMLElement>(s)?.innerText.includes(n),
          { timeout },
          selector,
          needle,
        );
      } catch (e) {
        const shown = await text(p, selector).catch(() => '(nothing)');
        throw new Error(
          `"${needle}" did not appear in ${selector}; it shows:\n${shown.slice(0, 3000)}\n--- app:\n${app.output().slice(-2000)}`,
          { cause: e },
        );
      }
    }
    const statusIs = (p: Page, label: string) => waitForText(p, label, '[data-testid="job-status"]');

    it('staff create a job in the console, started as its own workflow', async () => {
      expect(app.output()).toContain('engine: Temporal at');
      await signIn(staff, app.url, 'staff@harbour.example');
      await staff.goto(`${app.url}/jobs/new?postcode=${encodeURIComponent('BS8 3HT')}`, { waitUntil: 'networkidle0' });
      await staff.waitForFunction(() => document.querySelector<HTMLInputElement>('input[name="propertyId"]')?.checked);
      await staff.select('#priorityCode', 'P2');
      const leak = await staff.$$eval('#jobTypeId option', (os) =>
        os.find((o) => o.textContent?.includes('Plumbing leak'))?.getAttribute('value'),
      );
      await staff.select('#jobTypeId', leak!);
      await staff.locator('#title').fill(TITLE);
      await Promise.all([
        staff.waitForNavigation({ waitUntil: 'networkidle0' }),
        staff.click('form[action$="/create"] button:not([type="button"])'),
      ]);
      expect(staff.url()).toMatch(/\/jobs\/[0-9a-f-]{36}\?created=1$/);
      jobId = new URL(staff.url()).pathname.split('/').pop()!;
      const [job] = await app.db.select().from(jobs).where(eq(jobs.id, jobId));
      reference = job!.reference;
      workflowId = workflowIdFor(job!);
      expect(await text(staff, '[data-testid="job-status"]')).toBe('New');
      const description = await temporal.client.workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
      expect(description.typedSearchAttributes.get(JobStatusKey)).toBe('new');
    });

    it('staff offer the job to Pat', async () => {
      await staff.click(
        'xpath///table[@aria-label="Contractors for this job"]//tr[.//strong[text()="Pat Plumber"]]//input[@type="radio"]',
      );
      const ack = await staff.$('form[action="?/offer"] input[name="acknowledge"]');
      if (ack) await ack.click();
      await staff.click('form[action="?/offer"] button');
      await waitForText(staff, 'Pat Plumber', '[data-testid="job-offered"]');
      await screenshot(staff, SHOTS, '01-console-offered');
    });

    it('Pat accepts, starts and completes the job in the portal on a phone', async () => {
      await signIn(pat, app.url, 'pat@plumbfast.example');
      if (new URL(pat.url()).pathname === '/portal/accounts') {
        await Promise.all([
          pat.waitForNavigation({ waitUntil: 'networkidle0' }),
          pat.locator('button ::-p-text(Harbour Lettings)').click(),
        ]);
      }
      await pat.goto(`${app.url}/portal/jobs/${jobId}`, { waitUntil: 'networkidle0' });
      expect(await text(pat)).toContain(TITLE);
      await pat.locator('form[action="?/accept"] button').click();
      await waitForText(pat, 'Job accepted');
      expect(await text(pat, '.head')).toContain('Assigned');
      await pat.locator('form[action="?/start"] button').click();
      await waitForText(pat, 'Work started');
      expect(await text(pat, '.head')).toContain('In Progress');
      await pat.locator('#complete-note').fill('Repressurised, replaced the PRV and checked for leaks.');
      await pat.locator('form[action="?/complete"] > button').click();
      await waitForText(pat, 'Job marked complete');
      expect(await text(pat, '.head')).toContain('Completed');
      await screenshot(pat, SHOTS, '02-portal-completed');
    });

    it('tells staff in the bell, through the workflow’s notify activity, and they close the job', async () => {
      // The notification is written by an activity the Temporal worker runs after the step, so it may lag.
      let bell = '';
      for (let i = 0; i < 120 && !bell.includes(`Work completed — review and close · ${reference}`); i++) {
        if (i) await new Promise((r) => setTimeout(r, 500));
        await staff.goto(`${app.url}/notifications?unread=1`, { waitUntil: 'networkidle0' });
        bell = await text(staff);
      }
      expect(bell).toContain(`Work completed — review and close · ${reference}`);
      await staff.goto(`${app.url}/jobs/${jobId}`, { waitUntil: 'networkidle0' });
      await statusIs(staff, 'Completed');
      const timeline = await text(staff, '[data-testid="timeline"]');
      expect(timeline).toContain('Offered to Pat Plumber');
      expect(timeline).toContain('Repressurised, replaced the PRV');
      await staff.click('form[action="?/close"] button');
      await statusIs(staff, 'Closed');
      await screenshot(staff, SHOTS, '03-console-closed');
    });

    it("opens the job's workflow in the Temporal UI from the job page", async () => {
      const href = await staff
        .$eval('a ::-p-text(Workflow in Temporal UI)', (a) => (a as HTMLAnchorElement).href)
        .catch(() => null);
      expect(href, 'the job page links to its workflow').toBe(
        `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
      );
      // The link opens a new tab (target=_blank), as an operator would.
      const [target] = await Promise.all([
        browser.waitForTarget((t) => t.type() === TargetType.PAGE && t.url().startsWith(uiUrl), { timeout: 15_000 }),
        staff.click('a ::-p-text(Workflow in Temporal UI)'),
      ]);
      const ui = (await target.page())!;
      try {
        await ui.setViewport({ width: 1400, height: 1000 });
        await waitForText(ui, workflowId, 'body', 30_000);
        await waitForText(ui, 'jobWorkflow', 'body');
        const shown = await text(ui, 'body');
        expect(shown).toContain('RUNNING');
        await screenshot(ui, SHOTS, '04-ui-workflow');
        // The workflow page's own tabs show what an operator filters by and reads: the job's search
        // attributes and its memo, each as JSON.
        await ui.locator('a ::-p-text(Search Attributes), button ::-p-text(Search Attributes)').click();
        await waitForText(ui, `"JobReference": "${reference}"`, 'body');
        const attributes = await text(ui, 'body');
        for (const shown of [
          '"JobStatus": "closed"',
          '"Priority": "P2"',
          '"SlaBreached": false',
          '"ContractorId": "',
          '"SlaDueAt": "',
        ])
          expect(attributes).toContain(shown);
        await screenshot(ui, SHOTS, '05-ui-search-attributes');
        await ui.locator('a ::-p-text(Memo), button ::-p-text(Memo)').click();
        await waitForText(ui, `"title": "${TITLE}"`, 'body');
        expect(await text(ui, 'body')).toContain('"address": "9 Clifton Down, Bristol, BS8 3HT"');
        await screenshot(ui, SHOTS, '06-ui-memo');
      } finally {
        await ui.close();
      }
    });

    /**
     * The workflow ids the Temporal UI's workflow list shows for a visibility query, typed into the URL as
     * an operator would bookmark it. Seeded jobs run as workflows too, so a query the UI ignored would list them.
     */
    async function listed(ui: Page, query: string, shot: string, expectNone = false): Promise<string[]> {
      await ui.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`, {
        waitUntil: 'networkidle0',
      });
      await waitForText(ui, expectNone ? 'No Workflows Found' : workflowId, 'body', 30_000);
      await screenshot(ui, SHOTS, shot);
      return [...new Set((await text(ui, 'body')).match(/job-JOB-\d{6}-[0-9a-f-]{36}/g) ?? [])];
    }

    it('lists the workflow in the Temporal UI filtered by its JobReference and JobStatus search attributes', async () => {
      const ui = await staffCtx.newPage();
      try {
        await ui.setViewport({ width: 1400, height: 1000 });
        // References are numbered per agency: another agency's job of the same number may be listed too.
        const byReference = await listed(ui, `JobReference = "${reference}"`, '07-ui-list-by-reference');
        expect(byReference).toContain(workflowId);
        for (const id of byReference) expect(id.startsWith(`job-${reference}-`), id).toBe(true);
        expect(
          await listed(
            ui,
            `JobReference = "${reference}" AND JobStatus = "closed"`,
            '08-ui-list-by-reference-and-status',
          ),
        ).toEqual([workflowId]);
        expect(await listed(ui, 'JobStatus = "closed"', '09-ui-list-closed')).toContain(workflowId);
        // The filter does filter: the job is not listed under a status it has left.
        expect(
          await listed(ui, `JobReference = "${reference}" AND JobStatus = "new"`, '10-ui-list-none', true),
        ).toEqual([]);
      } finally {
        await ui.close();
      }
      // The same facts through the client, typed.
      const description = await temporal.client.workflow.getHandle(workflowId).describe();
      expect(description.typedSearchAttributes.get(JobStatusKey)).toBe('closed');
      expect(description.typedSearchAttributes.get(JobReferenceKey)).toBe(reference);
      expect(description.typedSearchAttributes.get(PriorityKey)).toBe('P2');
      expect(description.typedSearchAttributes.get(SlaBreachedKey)).toBe(false);
      const [row] = await app.db.select({ contractorId: jobs.contractorId }).from(jobs).where(eq(jobs.id, jobId));
      expect(description.typedSearchAttributes.get(ContractorIdKey)).toBe(row?.contractorId);
      expect(description.memo).toMatchObject({ title: TITLE, address: '9 Clifton Down, Bristol, BS8 3HT' });
    });

    it('Pat invoices the closed job from the portal with its document; staff approve it', async () => {
      await pat.goto(`${app.url}/portal/jobs/${jobId}/invoice`, { waitUntil: 'networkidle0' });
      await pat.locator('#number').fill('PF-2201');
      await pat.locator('#net').fill('120.00');
      await pat.locator('#vat').fill('24');
      await waitForText(pat, 'Total: £144.00', '[data-testid="invoice-total"]');
      const file = join(mkdtempSync(join(tmpdir(), 'fettle-temporal-e2e-')), 'PF-2201.pdf');
      writeFileSync(file, TINY_PDF);
      await (await pat.$('input#document'))!.uploadFile(file);
      await Promise.all([
        pat.waitForNavigation({ waitUntil: 'networkidle0' }),
        pat.locator('main form button').click(),
      ]);
      if (new URL(pat.url()).pathname !== '/portal/invoices')
        throw new Error(
          `the invoice was not accepted: ${await text(pat).catch(() => '')}\n${app.output().slice(-3000)}`,
        );
      await waitForText(pat, 'PF-2201');

      await staff.goto(`${app.url}/jobs/${jobId}/finance`, { waitUntil: 'networkidle0' });
      expect(await text(staff, '[data-testid="contractor-total"]')).toBe('£144.00');
      await staff.locator('form[action="?/approve"] button').click();
      await waitForText(staff, 'Approved');
    });

    it('staff raise the agency invoice and record the client and commission payments', async () => {
      await staff.locator('#agentNet').fill('180');
      await waitForText(staff, 'total to client £216.00', '[data-testid="vat-preview"]');
      await staff.locator('#budget').fill('250');
      await staff.locator('#clientName').fill('Dee Okafor');
      await staff.locator('#clientAddress').fill('4 Park Row, Bristol BS1 5LJ');
      await staff.locator('form[action="?/raise"] button').click();
      await waitForText(staff, '£216.00', '[data-testid="agency-invoice"]');
      for (const [leg, amount, ref] of [
        ['client', '216.00', 'Landlord BACS 7781'],
        ['commission', '60.00', 'Commission 7781'],
      ]) {
        await staff.select('#leg', leg!);
        await staff.locator('#amount').fill(amount!);
        await staff.locator('#reference').fill(ref!);
        await staff.locator('form[action="?/pay"] button').click();
        await waitForText(staff, 'Settled', `[data-testid="leg-${leg}"]`);
      }
      expect(await text(staff, '[data-testid="leg-contractor"]')).toContain('Unpaid');
    });

    it('pays Pat in a payment run: the job is Payment Complete and its workflow completes', async () => {
      await staff.goto(`${app.url}/finance`, { waitUntil: 'networkidle0' });
      const run = await staff.$$eval('[data-testid="payment-run"]', (forms) =>
        forms.findIndex((f) => (f as HTMLElement).innerText.includes('PF-2201')),
      );
      expect(run).toBeGreaterThanOrEqual(0);
      const form = (await staff.$$('[data-testid="payment-run"]'))[run];
      await (await form!.$('input[name="reference"]'))!.type('RUN-TEMPORAL-001');
      await (await form!.$('button'))!.click();
      await waitForText(staff, 'Payment run recorded');

      await staff.goto(`${app.url}/jobs/${jobId}/finance`, { waitUntil: 'networkidle0' });
      await statusIs(staff, 'Payment Complete');
      for (const leg of ['client', 'contractor', 'commission'])
        expect(await text(staff, `[data-testid="leg-${leg}"]`)).toContain('Settled');
      await screenshot(staff, SHOTS, '11-console-payment-complete');
      const handle = temporal.client.workflow.getHandle(workflowId);
      await expect
        .poll(async () => (await handle.describe()).status.name, { timeout: 60_000, interval: 250 })
        .not.toBe('RUNNING');
      const description = await handle.describe();
      expect(description.status.name).toBe('COMPLETED');
      expect(description.typedSearchAttributes.get(JobStatusKey)).toBe('paymentComplete');
    });

    it('still shows the job, its workflow finished, in the console and the portal, and lists it as completed in the Temporal UI', async () => {
      // A finished workflow answers no updates: the pages read the job from the database, not the engine.
      await staff.goto(`${app.url}/jobs/${jobId}`, { waitUntil: 'networkidle0' });
      await statusIs(staff, 'Payment Complete');
      expect(await text(staff, '[data-testid="timeline"]')).toContain('Repressurised, replaced the PRV');
      expect(await staff.$('a ::-p-text(Workflow in Temporal UI)')).not.toBeNull();
      await screenshot(staff, SHOTS, '12-console-job-after-workflow-completed');
      await pat.goto(`${app.url}/portal/jobs/${jobId}`, { waitUntil: 'networkidle0' });
      expect(await text(pat)).toContain(TITLE);
      await screenshot(pat, SHOTS, '13-portal-job-after-workflow-completed');

      const ui = await staffCtx.newPage();
      try {
        await ui.setViewport({ width: 1400, height: 1000 });
        const query = `JobReference = "${reference}" AND JobStatus = "paymentComplete" AND ExecutionStatus = "Completed"`;
        expect(await listed(ui, query, '14-ui-list-payment-complete')).toEqual([workflowId]);
        expect(await text(ui, 'body')).toContain('COMPLETED');
      } finally {
        await ui.close();
      }
    });
  });
