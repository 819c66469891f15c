// The rules behind issue 12's fixes, case by case (the running app is tested in tests/e2e/security.test.ts):
// which hosts the app answers to, who may read the dev mailbox, which characters text may hold, and how a
// configured map tile host joins the CSP.
import { describe, expect, it } from 'vitest';
import { controlCharacterPath, singleLineText } from '#lib/server/api/text-input.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { devMailboxEnabled, mayReadDevMailbox } from '#lib/server/security/dev-mailbox.ts';
import { allowTileHost } from '#lib/server/security/headers.ts';
import { internalErrorMessage, reportInternalError } from '#lib/server/security/internal-error.ts';
import { hostAllowed, isLoopbackAddress } from '#lib/server/security/origin.ts';
import { readEnv } from '#worker/env.ts';

describe('hostAllowed', () => {
  it('answers loopback names on any port, without ORIGIN', () => {
    for (const host of ['localhost', 'localhost:3000', 'LOCALHOST:5173', '127.0.0.1:3000', '127.1.2.3', '[::1]:3000'])
      expect(hostAllowed(host, undefined), host).toBe(true);
  });

  it('refuses every other host without ORIGIN, and anything that is not a host', () => {
    for (const host of [
      'evil.example',
      'fettle.example',
      'localhost.evil.example',
      'evil.localhost.example',
      '127.0.0.1@evil.example',
      'a/b',
      '',
      null,
    ])
      expect(hostAllowed(host, undefined), String(host)).toBe(false);
  });

  it('answers the configured origin’s host (with or without its port) and loopback, nothing else', () => {
    const origin = 'https://fettle.example';
    expect(hostAllowed('fettle.example', origin)).toBe(true);
    expect(hostAllowed('FETTLE.example:443', origin)).toBe(true);
    expect(hostAllowed('127.0.0.1:3000', origin)).toBe(true);
    expect(hostAllowed('evil.example', origin)).toBe(false);
    expect(hostAllowed('fettle.example.evil.example', origin)).toBe(false);
  });

  it('knows a loopback peer address', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].every(isLoopbackAddress)).toBe(true);
    expect(['192.0.2.2', '::ffff:192.0.2.2', '10.0.0.1', '', undefined].some(isLoopbackAddress)).toBe(false);
  });
});

describe('the dev mailbox', () => {
  const env = (vars: Record<string, string>) => readEnv(vars);
  it('is on only when asked for, outside production, without SMTP', () => {
    expect(devMailboxEnabled(env({ DEV_MAILBOX: '1' }), undefined)).toBe(true);
    expect(devMailboxEnabled(env({ DEV_MAILBOX: 'true' }), 'test')).toBe(true);
    expect(devMailboxEnabled(env({}), undefined)).toBe(false);
    expect(devMailboxEnabled(env({ DEV_MAILBOX: '0' }), 'development')).toBe(false);
    expect(devMailboxEnabled(env({ DEV_MAILBOX: '1' }), 'production')).toBe(false);
    expect(devMailboxEnabled(env({ DEV_MAILBOX: '1', SMTP_URL: 'smtp://mail.example:25' }), undefined)).toBe(false);
    // `npm run dev` (vite sets NODE_ENV=development) keeps it unless told otherwise.
    expect(devMailboxEnabled(env({}), 'development')).toBe(true);
  });

  it('answers a browser on this machine, or an agency admin anywhere', () => {
    const staff = { kind: 'staff', userId: 'u', name: 'S', email: 's@x', agencyId: 'a', role: 'staff' } as SessionUser;
    const admin = { ...staff, role: 'admin' } as SessionUser;
    const none = new Headers();
    expect(mayReadDevMailbox({ clientAddress: '127.0.0.1', headers: none, user: null })).toBe(true);
    expect(mayReadDevMailbox({ clientAddress: '192.0.2.9', headers: none, user: null })).toBe(false);
    expect(mayReadDevMailbox({ clientAddress: '192.0.2.9', headers: none, user: staff })).toBe(false);
    expect(mayReadDevMailbox({ clientAddress: '192.0.2.9', headers: none, user: admin })).toBe(true);
    // Through a proxy on the same machine, the peer is loopback but the person is not.
    expect(
      mayReadDevMailbox({
        clientAddress: '127.0.0.1',
        headers: new Headers({ 'x-forwarded-for': '203.0.113.1' }),
        user: null,
      }),
    ).toBe(false);
  });
});

describe('control characters in text', () => {
  it('finds the first string holding one, anywhere in an input', () => {
    expect(controlCharacterPath({ title: 'ok', items: [{ note: 'a\u0000b' }] })).toEqual(['items', 0, 'note']);
    expect(controlCharacterPath({ a: 'bell\u0007', b: 'del\u007f' })).toEqual(['a']);
    expect(controlCharacterPath({ note: 'line one\r\nline two\tend', n: 3, x: null })).toBeNull();
    expect(controlCharacterPath('\u001b[31m')).toEqual([]);
  });

  it('keeps single-line fields to one line', () => {
    const title = singleLineText('title', 3, 200);
    expect(title.parse('  Leaking tap ')).toBe('Leaking tap');
    expect(title.safeParse('Leaking\ntap').error?.issues[0]!.message).toMatch(
      /^The title contains a control character/,
    );
  });
});

describe('faults and the CSP', () => {
  it('logs a fault under a reference and says only the reference', () => {
    const logged: unknown[][] = [];
    const { ref, message } = reportInternalError(
      new Error('Failed query: select secret'),
      'tRPC jobs.list',
      (...args) => logged.push(args),
    );
    expect(ref).toMatch(/^[A-Z0-9]{8}$/);
    expect(message).toBe(internalErrorMessage(ref));
    expect(message).not.toContain('select');
    expect(String(logged[0]![0])).toContain(ref);
  });

  it('adds a configured tile host to img-src, and nothing for a bad template', () => {
    const csp = "default-src 'self'; img-src 'self' data: blob:; script-src 'self'";
    expect(allowTileHost(csp, 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe(
      "default-src 'self'; img-src 'self' data: blob: https://*.tile.openstreetmap.org; script-src 'self'",
    );
    expect(allowTileHost(csp, 'https://tiles.example:8443/{z}/{x}/{y}.png')).toContain(
      "img-src 'self' data: blob: https://tiles.example:8443;",
    );
    expect(allowTileHost(csp, 'javascript:alert(1)')).toBe(csp);
    expect(allowTileHost(csp, "https://x.example'; script-src *")).toBe(csp);
    expect(allowTileHost(csp, undefined)).toBe(csp);
  });
});
