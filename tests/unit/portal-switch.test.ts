// The contractor's agency in a session (memberships.ts, `sessionAgency`) and where the portal's agency switcher
// lands them (portal-switch.ts): the agency worked for stays selected whatever other agencies do.
import { describe, expect, test } from 'vitest';
import { type ContractorMembership, sessionAgency } from '#lib/server/auth/memberships.ts';
import { switchReturnPath } from '#lib/portal-switch.ts';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const C = 'cccccccc-0000-4000-8000-000000000003';
const m = (agencyId: string, portalEnabled = true): ContractorMembership => ({
  agencyId,
  agencyName: `Agency ${agencyId.slice(0, 1).toUpperCase()}`,
  contractorId: `contractor-${agencyId.slice(0, 1)}`,
  portalEnabled,
});

describe('sessionAgency', () => {
  test('A active and B re-enabled: still A, nothing to store or say', () => {
    expect(sessionAgency([m(A), m(B)], { activeAgencyId: A })).toEqual({
      membership: m(A),
      portalOff: [],
      store: null,
    });
  });

  test('working for the only agency without having picked it: it is kept, so B re-enabling later changes nothing', () => {
    const before = sessionAgency([m(A), m(B, false)], { activeAgencyId: null });
    expect(before.membership).toEqual(m(A));
    expect(before.store).toEqual({ activeAgencyId: A, switchedOffAgencyId: null });
    expect(sessionAgency([m(A), m(B)], before.store!).membership).toEqual(m(A));
  });

  test('A disabled with B usable: moved to B, and A is named until it returns', () => {
    const moved = sessionAgency([m(A, false), m(B)], { activeAgencyId: A });
    expect(moved).toEqual({
      membership: m(B),
      portalOff: ['Agency A'],
      store: { activeAgencyId: B, switchedOffAgencyId: A },
    });
    // Next request: same answer, nothing more to store.
    expect(sessionAgency([m(A, false), m(B)], moved.store!)).toEqual({ ...moved, store: null });
    // A comes back: still B (the agency worked for), and the notice goes.
    expect(sessionAgency([m(A), m(B)], moved.store!)).toEqual({
      membership: m(B),
      portalOff: [],
      store: { activeAgencyId: B, switchedOffAgencyId: null },
    });
  });

  test('A disabled with B and C usable: they choose, told why; never picked with two usable: they choose', () => {
    expect(sessionAgency([m(A, false), m(B), m(C)], { activeAgencyId: A })).toEqual({
      membership: null,
      portalOff: ['Agency A'],
      store: null,
    });
    expect(sessionAgency([m(A), m(B)], {})).toEqual({ membership: null, portalOff: [], store: null });
  });

  test('none usable: null, every agency named; a record that is gone moves them without a notice', () => {
    expect(sessionAgency([m(A, false), m(B, false)], { activeAgencyId: A })).toEqual({
      membership: null,
      portalOff: ['Agency A', 'Agency B'],
      store: null,
    });
    expect(sessionAgency([], { activeAgencyId: A })).toEqual({ membership: null, portalOff: [], store: null });
    expect(sessionAgency([m(B)], { activeAgencyId: A })).toEqual({
      membership: m(B),
      portalOff: [],
      store: { activeAgencyId: B, switchedOffAgencyId: null },
    });
  });
});

describe('switchReturnPath', () => {
  const at = (path: string) => new URL(path, 'https://fettle.test');
  test('a section page comes back as it is, with its query', () => {
    expect(switchReturnPath(at('/portal/jobs?view=all'))).toBe('/portal/jobs?view=all');
    expect(switchReturnPath(at('/portal/statements?from=2026-01-01&to=2026-01-31'))).toBe(
      '/portal/statements?from=2026-01-01&to=2026-01-31',
    );
    expect(switchReturnPath(at('/portal/contacts'))).toBe('/portal/contacts');
  });
  test("a page of one of the left agency's jobs goes to the section's list", () => {
    const id = '3f2a1b4c-1111-4222-8333-444455556666';
    expect(switchReturnPath(at(`/portal/jobs/${id}`))).toBe('/portal/jobs');
    expect(switchReturnPath(at(`/portal/jobs/${id}/invoice`))).toBe('/portal/jobs');
    // Not found here: it may be the other agency's job, so it is opened again after switching.
    expect(switchReturnPath(at(`/portal/jobs/${id}`), 404)).toBe(`/portal/jobs/${id}`);
  });
  test('the portal front page and the Accounts page go to the front page', () => {
    expect(switchReturnPath(at('/portal'))).toBe('/portal');
    expect(switchReturnPath(at('/portal/accounts?next=/portal/jobs'))).toBe('/portal');
  });
});
