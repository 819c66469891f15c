// A new agency: its row, the UK defaults it starts with (priorities with SLA targets, job types with the
// trades and certificates they need), and the audit entry saying who opened it. The demo seed, the
// operator command (scripts/agency-create.ts) and the self-serve sign-up all open agencies here.
import { eq, like, or } from 'drizzle-orm';
import type { Tx } from '#db/client.ts';
import { agencies, auditLog, jobTypes, priorities } from '#db/schema/index.ts';

/** SLA targets most UK agencies start from: a 4-hour emergency to a four-week planned job. */
export const UK_DEFAULT_PRIORITIES = [
  { code: 'P1', name: 'Emergency', targetHours: 4, warnAtPercent: [50, 75], sortOrder: 1 },
  { code: 'P2', name: 'Urgent', targetHours: 24, warnAtPercent: [75, 90], sortOrder: 2 },
  { code: 'P3', name: 'Routine', targetHours: 120, warnAtPercent: [75, 90], sortOrder: 3 },
  { code: 'P4', name: 'Planned', targetHours: 672, warnAtPercent: [75, 90], sortOrder: 4 },
] as const;

/** Job types with the trade that covers them and the registration the law or insurers expect. */
export const UK_DEFAULT_JOB_TYPES = [
  { code: 'LEAK', name: 'Plumbing leak', trade: 'plumbing', requiredCertifications: [] },
  { code: 'BOILER', name: 'Boiler / heating fault', trade: 'heating', requiredCertifications: ['Gas Safe'] },
  { code: 'ELEC', name: 'Electrical fault', trade: 'electrical', requiredCertifications: ['NICEIC'] },
  { code: 'LOCK', name: 'Locks and security', trade: 'locksmith', requiredCertifications: [] },
  { code: 'GENERAL', name: 'General repair', trade: 'general', requiredCertifications: [] },
] as const;

const LETTERS: Record<string, string> = { Ł: 'L', ł: 'l', Ø: 'O', ø: 'o', ß: 'ss', Æ: 'AE', æ: 'ae', Đ: 'D', đ: 'd' };

/** "Oak & Ash Lettings Ltd" → "oak-ash-lettings-ltd": the agency's short name in links. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    // Letters with no decomposition: Łódź, Øster, Straße.
    .replace(/[ŁłØøßÆæĐđ]/g, (c) => LETTERS[c] ?? c)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'agency';
}

/** Who opened the agency, as the audit log records it. */
interface Opener {
  id: string;
  role: 'admin' | 'system';
  name: string;
}

/**
 * Opens an agency with the UK defaults, inside the caller's transaction (so its first admin is created
 * with it or not at all). The slug is the name's, numbered when another agency has it.
 */
export async function openAgency(
  tx: Tx,
  input: { name: string; by: Opener; now: Date },
): Promise<{ id: string; name: string; slug: string }> {
  const base = slugOf(input.name);
  const taken = new Set(
    (
      await tx
        .select({ slug: agencies.slug })
        .from(agencies)
        .where(or(eq(agencies.slug, base), like(agencies.slug, `${base}-%`)))
    ).map((r) => r.slug),
  );
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  const [agency] = await tx
    .insert(agencies)
    .values({ name: input.name, slug, createdAt: input.now })
    .returning({ id: agencies.id, name: agencies.name, slug: agencies.slug });
  if (!agency) throw new Error('the agency row was not created');
  await tx
    .insert(priorities)
    .values(UK_DEFAULT_PRIORITIES.map((p) => ({ ...p, warnAtPercent: [...p.warnAtPercent], agencyId: agency.id })));
  await tx.insert(jobTypes).values(
    UK_DEFAULT_JOB_TYPES.map((t) => ({
      ...t,
      requiredCertifications: [...t.requiredCertifications],
      agencyId: agency.id,
    })),
  );
  await tx.insert(auditLog).values({
    agencyId: agency.id,
    actorId: input.by.id,
    actorRole: input.by.role,
    action: 'agency.opened',
    detail: { name: agency.name, slug: agency.slug, by: input.by.name },
    at: input.now,
  });
  return agency;
}
