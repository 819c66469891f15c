// What the verification page says of a refused code (code-tries.ts), as this browser's cookie remembers it: a
// spent code (expired, or too many wrong tries) says so and stays spent however better-auth answers after.
import type { Cookies } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { codeRefused, forgetCodeTries } from '#lib/server/auth/code-tries.ts';
import type { AuthResult } from '#lib/server/auth/dispatch.ts';

/** A browser's cookie jar, as SvelteKit's `cookies` sees it. */
function browser(initial: Record<string, string> = {}) {
  const jar = new Map(Object.entries(initial));
  const cookies = {
    get: (name: string) => jar.get(name),
    set: (name: string, value: string) => void jar.set(name, value),
    delete: (name: string) => void jar.delete(name),
  } as unknown as Cookies;
  return { cookies, url: new URL('https://fettle.test/verify'), jar };
}
const refusal = (code: string): AuthResult => ({
  ok: false,
  status: 400,
  data: null,
  code,
  message: null,
  setCookies: [],
});
const EMAIL = 'gus@warmhomes.example';

describe('a refused verification code', () => {
  it('expired: can no longer be used, and says so on every try after', () => {
    const b = browser();
    expect(codeRefused(b, EMAIL, refusal('OTP_EXPIRED'))).toEqual({
      message:
        'This code can no longer be used: it has expired (codes last 10 minutes). ' +
        'Send yourself a new code with the button below, then enter the new one.',
      spent: true,
    });
    // better-auth deleted the code: from now on it answers "invalid", as for a wrong code.
    expect(codeRefused(b, EMAIL, refusal('INVALID_OTP'))).toMatchObject({
      message: expect.stringMatching(/^This code can no longer be used\. Send yourself a new code/) as string,
      spent: true,
    });
  });

  it('counts wrong tries per address, and starts again once a new code is sent', () => {
    const b = browser();
    expect(codeRefused(b, EMAIL, refusal('INVALID_OTP'))?.message).toContain('(4 tries left)');
    expect(codeRefused(b, 'other@example.test', refusal('INVALID_OTP'))?.message).toContain('(4 tries left)');
    forgetCodeTries(b);
    expect(codeRefused(b, EMAIL, refusal('INVALID_OTP'))?.message).toContain('(4 tries left)');
  });

  it('ignores a cookie it cannot read, and leaves other refusals to the usual message', () => {
    const b = browser({ 'fettle-code-tries': '{"email":' });
    expect(codeRefused(b, EMAIL, refusal('INVALID_OTP'))?.message).toContain('(4 tries left)');
    expect(codeRefused(b, EMAIL, refusal('TOO_MANY_REQUESTS'))).toBeNull();
  });
});
