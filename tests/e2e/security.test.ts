// Issue 12, a hostile tester's findings, against the real app (built, started by scripts/start.ts) over real
// HTTP and in headless Chromium: stored XSS on the coverage map and the Content-Security-Policy, security
// headers, reset links poisoned through a forged Host header, the dev mailbox's reach, and control
// characters and faults that used to answer with SQL.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { freePort } from '#db/embedded.ts';
import { agencies, attachments, jobs } from '#db/schema/index.ts';
import { launchBrowser, signIn, startApp, type RunningApp } from './support/app.ts';

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  // NODE_ENV=production (startApp's default) with DEV_MAILBOX asked for: production must still say no.
  [app, browser] = await Promise.all([startApp({ DEV_MAILBOX: '1' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with headers fetch() will not send (Host), as an attacker's client would. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A signed-in page in its own browser context (its own cookies), collecting CSP violations it reports. */
async function session(
  email: string,
  base = app.url,
): Promise<{ page: Page; violations: string[]; close(): Promise<void> }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await signIn(page, base, email);
  return { page, violations, close: () => context.close() };
}

/** Calls a tRPC mutation from the page, with its cookies, as the console's own client does. */
function trpc(page: Page, path: string, input: unknown): Promise<{ status: number; body: string }> {
  return page.evaluate(
    async (p, i) => {
      const res = await fetch(`/api/trpc/${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(i),
      });
      return { status: res.status, body: await res.text() };
    },
    path,
    input,
  );
}

const XSS_NAME = '<img src=x onerror="window.__xss=(window.__xss||0)+1">';
const XSS_COMPANY = '<svg onload="window.__xss=(window.__xss||0)+10"></svg>';

describe('coverage map: user text is text (stored XSS)', () => {
  it('shows a contractor named like markup as those characters, and runs none of it in an admin’s browser', async () => {
    // A staff user saves the contractor, through the API as the console would.
    const staff = await session('staff@harbour.example');
    const saved = await trpc(staff.page, 'contractors.save', {
      name: XSS_NAME,
      company: XSS_COMPANY,
      email: 'xss@example.test',
      trades: ['plumbing'],
      coverage: ['BS1'],
      basePostcode: 'BS1',
      // Away from the demo contractors' bases, so its marker is not under another one.
      baseLat: 51.42,
      baseLng: -2.7,
    });
    expect(saved.status, saved.body).toBe(200);
    await staff.close();

    const admin = await session('admin@harbour.example');
    const { page } = admin;
    // No postcode: the map fits every contractor's base, so every marker is on screen.
    await page.goto(`${app.url}/contractors/map`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('[data-testid="coverage-map"] path.contractor-marker');
    // Leaflet fills a tooltip only when it opens: hover every marker and collect what each one says.
    const tooltips: string[] = [];
    for (const marker of await page.$$('[data-testid="coverage-map"] path.contractor-marker')) {
      await marker.hover();
      const shown = await page.$$eval('.leaflet-tooltip-pane .leaflet-tooltip:not(.outcode-label)', (ts) =>
        ts.map((t) => t.textContent ?? ''),
      );
      tooltips.push(...shown);
      await page.mouse.move(5, 5);
    }
    expect(tooltips).toContainEqual(`${XSS_NAME}, ${XSS_COMPANY}: base BS1`);
    expect(await page.$$('.leaflet-tooltip-pane img, .leaflet-tooltip-pane svg')).toHaveLength(0);
    // The list beside the map (Svelte escapes) and the detail card say the same.
    await page.locator(`[data-testid="pick-contractor"] ::-p-text(${XSS_NAME})`).click();
    await page.waitForSelector('[data-testid="contractor-detail"]');
    expect(await page.$eval('[data-testid="contractor-detail"] h3', (h) => h.textContent)).toBe(XSS_NAME);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    // Leaflet and the page work under the CSP: nothing it needs was refused.
    expect(admin.violations).toEqual([]);
    await admin.close();
  });
});

describe('security headers', () => {
  it('sends a nonce-based CSP on pages and the usual headers on every response', async () => {
    const page = await fetch(`${app.url}/sign-in`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc).toMatch(/'nonce-[^']+'/);
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    const html = await page.text();
    // SvelteKit's own start-up script carries the nonce; no other inline script exists.
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
    expect(inline.length).toBeGreaterThan(0);
    for (const attrs of inline) expect(attrs).toContain(`nonce="${nonce}"`);

    const asset = /(\/_app\/immutable\/[^"]+\.js)/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const responses = [
      page,
      await fetch(`${app.url}${asset}`),
      await fetch(`${app.url}/api/trpc/jobs.list`),
      await fetch(`${app.url}/no-such-page`),
    ];
    for (const res of responses) {
      expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), res.url).toBe('DENY');
      expect(res.headers.get('referrer-policy'), res.url).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('permissions-policy'), res.url).toMatch(/camera=\(\).*geolocation=\(\)/);
    }
  });
});

describe('links in emails come only from hosts the app answers to', () => {
  const resetRequest = (host: string, origin: string) =>
    raw(`${app.url}/forgot-password`, {
      method: 'POST',
      headers: { host, origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=admin%40harbour.example',
    });

  it('refuses a password reset asked for under a forged Host, and mails no link to it', async () => {
    for (const host of ['evil.example', 'evil.example:8080', 'localhost.evil.example']) {
      // The Origin a browser on that host would send, so SvelteKit's own same-origin check lets it through.
      const res = await resetRequest(host, `http://${host}`);
      expect(res.status, host).toBe(421);
      expect(res.body).toMatch(/does not answer to that host name/);
    }
    // Not a host name at all: refused one way or another.
    const odd = await resetRequest('127.0.0.1@evil.example', 'http://evil.example');
    expect(odd.status).toBeGreaterThanOrEqual(400);
    expect(odd.status).toBeLessThan(500);
    const poisoned = await app.sql<
      { n: number }[]
    >`select count(*)::int as n from emails where body ilike '%evil.example%'`;
    expect(poisoned[0]!.n).toBe(0);
  });

  it('still sends the reset link for the host the browser used on this machine', async () => {
    const host = new URL(app.url).host;
    const res = await resetRequest(host, app.url);
    expect(res.status).toBe(200);
    const [mail] = await app.sql<
      { body: string }[]
    >`select body from emails where "to" = 'admin@harbour.example' and subject ilike '%password%' order by id desc limit 1`;
    expect(mail?.body).toContain(`${app.url}/reset-password?token=`);
  });
});

describe('the dev mailbox', () => {
  it('does not exist in production, even with DEV_MAILBOX=1', async () => {
    expect((await fetch(`${app.url}/dev/mailbox`)).status).toBe(404);
    // And production without SMTP says loudly that email is not delivered.
    expect(app.output()).toMatch(/SMTP_URL is not set: emails .* are NOT delivered/);
  });

  it('in development answers this machine and agency admins only', async () => {
    // Listening on every interface, reached through a non-loopback address too (ORIGIN names it).
    const address = (await import('node:os')).networkInterfaces();
    const external = Object.values(address)
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    const port = await freePort();
    const dev = await startApp({
      NODE_ENV: 'development',
      HOST: '0.0.0.0',
      PORT: String(port),
      ...(external ? { ORIGIN: `http://${external}:${port}` } : {}),
    });
    try {
      // `npm start` without SMTP_URL turns it on for local use.
      expect(dev.output()).toContain('/dev/mailbox (from this machine only)');
      const loopback = `http://127.0.0.1:${port}`;
      const local = await fetch(`${loopback}/dev/mailbox`);
      expect(local.status).toBe(200);
      expect(await local.text()).toContain('Dev mailbox');
      // Behind a proxy every peer is loopback: forwarded requests are not "this machine".
      expect((await fetch(`${loopback}/dev/mailbox`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(
        404,
      );
      if (!external) return; // no non-loopback interface on this machine: the proxy case above stands in
      const remote = `http://${external}:${port}`;
      expect((await fetch(`${remote}/dev/mailbox`)).status).toBe(404);
      const staff = await session('staff@harbour.example', remote);
      expect((await staff.page.goto(`${remote}/dev/mailbox`))?.status()).toBe(404);
      await staff.close();
      const admin = await session('admin@harbour.example', remote);
      expect((await admin.page.goto(`${remote}/dev/mailbox`))?.status()).toBe(200);
      await admin.close();
    } finally {
      await dev.stop();
    }
  });
});

describe('control characters and faults', () => {
  it('refuses a NUL byte in a job title or description with a sentence, not a 500', async () => {
    const staff = await session('staff@harbour.example');
    const [property] = await app.sql<{ id: string }[]>`
      select p.id from properties p join agencies a on a.id = p.agency_id where a.name = 'Harbour Lettings' limit 1`;
    const job = {
      title: 'Leaking tap',
      descriptionHtml: '<p>Drips all night</p>',
      priorityCode: 'P3',
      propertyId: property!.id,
    };
    const cases = [
      { input: { ...job, title: 'Leaking\u0000 tap' }, says: 'The title contains a control character' },
      {
        input: { ...job, descriptionHtml: '<p>Drips\u0000</p>' },
        says: 'The description contains a control character',
      },
      { input: { ...job, title: 'Leaking\ntap' }, says: 'The title contains a control character' },
    ];
    for (const { input, says } of cases) {
      const res = await trpc(staff.page, 'jobs.create', input);
      expect(res.status, res.body).toBe(400);
      const message = (JSON.parse(res.body) as { error: { message: string } }).error.message;
      expect(message).toContain(says);
      expect(message).not.toMatch(/insert|select|params/i);
    }
    // Line breaks are fine where text is multi-line.
    const ok = await trpc(staff.page, 'jobs.create', { ...job, descriptionHtml: '<p>Drips\nall\tnight</p>' });
    expect(ok.status, ok.body).toBe(200);
    await staff.close();
  });

  it('answers a fault with a reference, never the SQL, and logs the full error under that reference', async () => {
    const staff = await session('staff@harbour.example');
    // A real database fault: the table every list reads is gone for a moment.
    await app.sql`alter table jobs rename to jobs_away`;
    try {
      const api = await staff.page.evaluate(async () => {
        const res = await fetch(`/api/trpc/jobs.list?input=${encodeURIComponent('{}')}`);
        return { status: res.status, body: await res.text() };
      });
      expect(api.status).toBe(500);
      const message = (JSON.parse(api.body) as { error: { message: string } }).error.message;
      expect(message).toMatch(/^Something went wrong on our side \(ref [A-Z0-9]{8}\)$/);
      expect(api.body).not.toMatch(/select|from "?jobs|Failed query|params|stack/i);
      const ref = /ref ([A-Z0-9]{8})/.exec(message)![1];
      expect(logAfter(app.output(), ref!)).toMatch(/jobs/);

      // The same for a page: SvelteKit's error page shows the sentence and reference only.
      const page = await staff.page.goto(`${app.url}/jobs`, { waitUntil: 'networkidle0' });
      expect(page?.status()).toBe(500);
      const shown = await staff.page.$eval('body', (b) => b.innerText);
      expect(shown).toMatch(/Something went wrong on our side \(ref [A-Z0-9]{8}\)/);
      expect(shown).not.toMatch(/select|Failed query|jobs_away|relation/i);
    } finally {
      await app.sql`alter table jobs_away rename to jobs`;
      await staff.close();
    }
  });
});

describe("files: someone else's and no such answer alike", () => {
  /** A file on one of Northgate's jobs (the row is enough: every refusal comes before the bytes are read). */
  async function northgateFile() {
    const [job] = await app.db
      .select({ id: jobs.id, agencyId: jobs.agencyId })
      .from(jobs)
      .innerJoin(agencies, eq(agencies.id, jobs.agencyId))
      .where(eq(agencies.slug, 'northgate'))
      .limit(1);
    const [file] = await app.db
      .insert(attachments)
      .values({
        agencyId: job!.agencyId,
        jobId: job!.id,
        uploadedBy: 'staff:x',
        kind: 'photo',
        fileName: 'boiler.png',
        contentType: 'image/png',
        sizeBytes: 1,
        storageKey: 'nowhere',
      })
      .returning({ id: attachments.id });
    return file!.id;
  }

  it("answers another agency's attachment and an unknown id with the same 404 and words", async () => {
    const theirs = await northgateFile();
    const staff = await session('staff@harbour.example');
    try {
      const answer = (method: string, id: string) =>
        staff.page.evaluate(
          async (m, u) => {
            const res = await fetch(u, { method: m, headers: { accept: 'application/json' } });
            return { status: res.status, body: await res.text() };
          },
          method,
          `/api/attachments/${id}`,
        );
      for (const method of ['GET', 'DELETE']) {
        const [other, unknown, malformed] = [
          await answer(method, theirs),
          await answer(method, randomUUID()),
          await answer(method, 'not-an-id'),
        ];
        expect(other.status, method).toBe(404);
        expect(unknown, method).toEqual(other);
        // A malformed id matches no route at all (params.ts): the app's own 404, which names nothing either.
        expect(malformed.status, method).toBe(404);
      }
    } finally {
      await staff.close();
    }
    // Signed out: "sign in" for every id, so the answer does not tell which ids exist.
    const [existing, unknown] = [
      await raw(`${app.url}/api/attachments/${theirs}`),
      await raw(`${app.url}/api/attachments/${randomUUID()}`),
    ];
    expect(existing.status).toBe(401);
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: existing.status, body: existing.body });
  });
});

describe('malformed ids in links and form posts', () => {
  const ZOD_DUMP = /invalid_format|"path"|"code"|expected|uuid/i;

  it('answers a download link with a malformed id with the 404 page, never the validation issues', async () => {
    for (const [email, paths] of [
      [
        'staff@harbour.example',
        [
          '/jobs/not-an-id/finance/invoice.pdf',
          '/finance/remittances/not-an-id/remittance.pdf',
          '/api/jobs/not-an-id/job-sheet.pdf',
        ],
      ],
      [
        'pat@plumbfast.example',
        ['/portal/account/remittances/not-an-id/remittance.pdf', '/portal/jobs/not-an-id/job-sheet.pdf'],
      ],
    ] as const) {
      const user = await session(email);
      try {
        for (const path of paths) {
          const res = await user.page.goto(`${app.url}${path}`);
          expect(res?.status(), path).toBe(404);
          const shown = await user.page.$eval('body', (b) => b.innerText);
          expect(shown, path).toMatch(/not found/i);
          expect(shown, path).not.toMatch(ZOD_DUMP);
        }
      } finally {
        await user.close();
      }
    }
  });

  it('answers a form post to a malformed id with 404, as the page itself does', async () => {
    const admin = await session('admin@harbour.example');
    try {
      const post = (path: string) =>
        admin.page.evaluate(async (u) => {
          const body = new FormData();
          body.set('name', 'Renamed');
          body.set('email', 'renamed@example.test');
          body.set('text', 'A note');
          const res = await fetch(u, { method: 'POST', body });
          return { status: res.status, body: await res.text() };
        }, path);
      for (const path of [
        '/contractors/not-an-id?/save',
        '/properties/not-an-id?/save',
        '/tenants/not-an-id',
        '/jobs/not-an-id?/note',
        '/jobs/not-an-id/finance?/raise',
      ]) {
        const page = await admin.page.goto(`${app.url}${path.replace(/\?.*$/, '')}`);
        expect(page?.status(), path).toBe(404);
        const answer = await post(path);
        expect(answer.status, path).toBe(404);
        expect(answer.body, path).not.toMatch(ZOD_DUMP);
      }
    } finally {
      await admin.close();
    }
  });
});

/** The server log from the line naming `ref` on: where support finds the cause. */
function logAfter(output: string, ref: string): string {
  const at = output.indexOf(`[error ${ref}]`);
  expect(at, `no log line for ref ${ref}`).toBeGreaterThanOrEqual(0);
  return output.slice(at, at + 2000);
}
