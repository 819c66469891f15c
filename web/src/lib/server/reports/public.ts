// The tenant's side of a repair report (the public page /report/<agency>, no sign-in): finding their address
// among the agency's properties by postcode, sending the report with photos, proving the email address with an
// emailed code, and "I fixed it myself". Nothing here reveals another tenant or property: the postcode lookup
// answers first address lines only, and every refusal is a sentence the tenant can act on.
import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, gt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '#db/client.ts';
import { one } from '#db/rows.ts';
import { agencies, auditLog, properties, repairReportFiles, repairReports, tenants } from '#db/schema/index.ts';
import { sendEmail, type Mailer } from '#activities/mailer.ts';
import { normalisePostcode } from '#lib/postcode.ts';
import {
  assessReport,
  CATEGORY_LABELS,
  GAS_INSTRUCTION,
  NO_FACTS,
  REPORT_CATEGORIES,
  ukMonthOf,
  type ReportCategory,
} from '#workflows/report-rules.ts';
import { codeHash, codeMatches, newCode } from '../auth/codes.ts';
import { emailAddress } from '../email-address.ts';
import { checkUpload, MAX_FILES_PER_UPLOAD, safeName, UploadRejected } from '../files/attachments.ts';
import type { FileStore } from '../files/storage.ts';
import { optionalPhone, singleLineText, ukPostcode } from '../api/text-input.ts';

export const REPORT_CODE_MINUTES = 30;
export const REPORT_CODE_TRIES = 5;
/** Reports one email address, or one address, may send per hour. */
export const REPORTS_PER_HOUR = 5;

/** A refusal the tenant can act on (the page shows it); `status` is the HTTP status the form answers with. */
export class ReportRefused extends Error {
  readonly status: 400 | 404 | 413 | 415 | 429;
  constructor(message: string, status: 400 | 404 | 413 | 415 | 429 = 400) {
    super(message);
    this.name = 'ReportRefused';
    this.status = status;
  }
}

export type PublicAgency = { id: string; name: string; slug: string; phone: string | null };

export async function agencyBySlug(db: Database, slug: string): Promise<PublicAgency | null> {
  const [row] = await db
    .select({ id: agencies.id, name: agencies.name, slug: agencies.slug, phone: agencies.phone })
    .from(agencies)
    .where(eq(agencies.slug, slug.toLowerCase()));
  return row ?? null;
}

const postcodeField = ukPostcode('Enter your postcode');

/** What the tenant picks their home from: the first line of each of the agency's properties at the postcode,
 * nothing else (no names, no other lines, no ids of other agencies' homes). */
export async function addressChoices(db: Database, agencyId: string, postcode: string) {
  const parsed = postcodeField.safeParse(postcode);
  if (!parsed.success) throw new ReportRefused(parsed.error.issues[0]?.message ?? 'Enter your postcode');
  const rows = await db
    .select({ id: properties.id, line1: properties.line1 })
    .from(properties)
    .where(and(eq(properties.agencyId, agencyId), eq(properties.postcode, parsed.data)))
    .orderBy(asc(properties.line1));
  return { postcode: parsed.data, choices: rows.map((r) => ({ id: r.id, label: r.line1 })) };
}

/** A checkbox: ticked posts "on"; unticked posts nothing. */
const checkbox = z
  .string()
  .max(10)
  .optional()
  .transform((v) => v === 'on' || v === 'true');

/** The report form, as posted. An email is needed: the code that confirms the report goes there. */
export const reportForm = z
  .object({
    name: singleLineText('name', 2, 120, 'Enter your name'),
    email: emailAddress('Enter your email: we send a code to it to confirm the report'),
    phone: optionalPhone,
    propertyId: z
      .union([z.uuid(), z.literal('')])
      .optional()
      .transform((v) => v || null),
    line1: z.string().trim().max(120).optional().default(''),
    town: z.string().trim().max(60).optional().default(''),
    postcode: z.string().trim().max(10).optional().default(''),
    category: z.enum(REPORT_CATEGORIES, 'Choose what the problem is about'),
    description: z
      .string()
      .trim()
      .min(10, 'Describe the problem in a few words (at least 10 characters)')
      .max(4000, 'Keep the description to 4000 characters'),
    vulnerable: checkbox,
    noHeat: checkbox,
    uncontainedWater: checkbox,
    noPower: checkbox,
    insecure: checkbox,
    key: z.uuid('Reload the page and send the report again'),
  })
  .superRefine((f, ctx) => {
    if (f.propertyId) return;
    if (f.line1.length < 3)
      ctx.addIssue({ code: 'custom', path: ['line1'], message: 'Choose your address, or type its first line' });
    if (!normalisePostcode(f.postcode))
      ctx.addIssue({ code: 'custom', path: ['postcode'], message: 'Enter your postcode (e.g. BS1 5LJ)' });
  });
export type ReportForm = z.output<typeof reportForm>;

/** The form's fields from a posted FormData (files aside). */
export const formFields = (form: FormData) =>
  Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === 'string'));

const codeEmail = (input: { agencyName: string; code: string; link: string; category: ReportCategory }) => ({
  subject: `Confirm your repair report: code ${input.code}`,
  body:
    `Thank you for reporting a problem (${CATEGORY_LABELS[input.category]}) to ${input.agencyName}.\n\n` +
    `Your code is ${input.code}\n\nEnter it on the report page, or open this link to confirm: ${input.link}\n\n` +
    `We only look at a report once it is confirmed. The code lasts ${REPORT_CODE_MINUTES} minutes.\n` +
    `If you did not send a report, ignore this email.`,
});

/**
 * Sends a report: checks the form, the address, the rate limit and every photo before storing anything; then
 * the report (unconfirmed), its photos and the emailed code. The same page key again (a double tap, a retry
 * after a dropped connection) answers the report already made, with no second email and no second photos.
 */
export async function submitReport(
  db: Database,
  mailer: Mailer | null,
  store: FileStore,
  input: { agency: PublicAgency; fields: Record<string, string>; files: File[]; origin: string; now: Date },
): Promise<{ id: string; duplicate: boolean }> {
  const { agency, now } = input;
  const parsed = reportForm.safeParse(input.fields);
  if (!parsed.success) throw new ReportRefused(parsed.error.issues.map((i) => i.message).join('. '));
  const f = parsed.data;

  const [existing] = await db
    .select({ id: repairReports.id })
    .from(repairReports)
    .where(and(eq(repairReports.agencyId, agency.id), eq(repairReports.idempotencyKey, f.key)));
  if (existing) return { id: existing.id, duplicate: true };

  let address: { propertyId: string | null; line1: string; town: string | null; postcode: string };
  if (f.propertyId) {
    const [home] = await db
      .select()
      .from(properties)
      .where(and(eq(properties.id, f.propertyId), eq(properties.agencyId, agency.id)));
    if (!home)
      throw new ReportRefused(
        `That address is not one ${agency.name} manages. Find your address by postcode again, or type it in.`,
      );
    address = { propertyId: home.id, line1: home.line1, town: home.town, postcode: home.postcode };
  } else {
    address = { propertyId: null, line1: f.line1, town: f.town || null, postcode: normalisePostcode(f.postcode) ?? '' };
  }

  const hourAgo = new Date(now.getTime() - 3_600_000);
  const sameAddress = address.propertyId
    ? eq(repairReports.propertyId, address.propertyId)
    : and(
        eq(repairReports.postcode, address.postcode),
        sql`lower(${repairReports.addressLine1}) = ${address.line1.toLowerCase()}`,
      );
  const [recent] = await db
    .select({ n: count() })
    .from(repairReports)
    .where(
      and(
        eq(repairReports.agencyId, agency.id),
        gt(repairReports.createdAt, hourAgo),
        sql`${repairReports.status} <> 'self-fixed'`,
        or(eq(repairReports.reporterEmail, f.email), sameAddress),
      ),
    );
  if ((recent?.n ?? 0) >= REPORTS_PER_HOUR)
    throw new ReportRefused(
      `We have had ${REPORTS_PER_HOUR} reports from this email or address in the last hour, so this one was not sent. ` +
        `Please try again later${agency.phone ? `, or call ${agency.name} on ${agency.phone} if it is an emergency` : ''}.`,
      429,
    );

  if (input.files.length > MAX_FILES_PER_UPLOAD)
    throw new ReportRefused(`Add at most ${MAX_FILES_PER_UPLOAD} photos to a report`, 413);
  const checked: { file: File; bytes: Uint8Array; mime: string }[] = [];
  for (const file of input.files) {
    try {
      const c = await checkUpload(file);
      if (c.natural !== 'photo') throw new UploadRejected(`${file.name} is not a photo (JPEG, PNG, WebP, HEIC)`);
      checked.push({ file, ...c });
    } catch (e) {
      if (e instanceof UploadRejected) throw new ReportRefused(e.message, e.message.includes('larger') ? 413 : 415);
      throw e;
    }
  }

  const facts = {
    vulnerable: f.vulnerable,
    noHeat: f.noHeat,
    uncontainedWater: f.uncontainedWater,
    noPower: f.noPower,
    insecure: f.insecure,
  };
  const assessment = assessReport(f.category, facts, ukMonthOf(now));
  const id = randomUUID();
  const code = newCode();
  const stored: string[] = [];
  try {
    for (const c of checked) stored.push(await store.put(`${agency.id}/reports/${id}`, c.bytes));
    const made = await db.transaction(async (tx) => {
      const rows = await tx
        .insert(repairReports)
        .values({
          id,
          agencyId: agency.id,
          propertyId: address.propertyId,
          addressLine1: address.line1,
          town: address.town,
          postcode: address.postcode,
          reporterName: f.name,
          reporterEmail: f.email,
          reporterPhone: f.phone,
          category: f.category,
          description: f.description,
          facts,
          emergency: assessment.emergency,
          emergencyReason: assessment.reason,
          suggestedPriority: assessment.suggestedPriority,
          codeHash: codeHash(id, code),
          codeExpiresAt: new Date(now.getTime() + REPORT_CODE_MINUTES * 60_000),
          idempotencyKey: f.key,
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: repairReports.id });
      if (rows.length === 0) return false;
      if (checked.length)
        await tx.insert(repairReportFiles).values(
          checked.map((c, i) => ({
            reportId: id,
            fileName: safeName(c.file.name),
            contentType: c.mime,
            sizeBytes: c.bytes.byteLength,
            storageKey: stored[i] ?? '',
          })),
        );
      await tx.insert(auditLog).values({
        agencyId: agency.id,
        actorId: `tenant:${f.email}`,
        actorRole: 'tenant',
        action: 'report.submit',
        detail: { reportId: id, category: f.category, emergency: assessment.emergency, photos: checked.length },
        at: now,
      });
      return true;
    });
    if (!made) {
      // The same key raced in from another tap: that report stands, these copies go.
      for (const key of stored) await store.remove(key);
      const [raced] = await db
        .select({ id: repairReports.id })
        .from(repairReports)
        .where(and(eq(repairReports.agencyId, agency.id), eq(repairReports.idempotencyKey, f.key)));
      return { id: one(raced ? [raced] : [], 'report').id, duplicate: true };
    }
  } catch (e) {
    for (const key of stored) await store.remove(key);
    throw e;
  }
  const link = `${input.origin}/report/${agency.slug}/confirm/${id}?code=${code}`;
  await sendEmail(db, mailer, {
    key: `report-code:${id}`,
    to: f.email,
    ...codeEmail({ agencyName: agency.name, code, link, category: f.category }),
  });
  return { id, duplicate: false };
}

/** What the confirm page shows of a report (to whoever holds its link): nothing beyond the tenant's own words. */
export async function reportForConfirming(db: Database, agencyId: string, id: string) {
  const [row] = await db
    .select({
      id: repairReports.id,
      status: repairReports.status,
      category: repairReports.category,
      emergency: repairReports.emergency,
      emergencyReason: repairReports.emergencyReason,
      email: repairReports.reporterEmail,
    })
    .from(repairReports)
    .where(and(eq(repairReports.id, id), eq(repairReports.agencyId, agencyId)));
  if (!row) return null;
  // Only the address's shape: enough for the tenant to know it is theirs, useless to anyone else.
  const email = row.email ?? '';
  const at = email.indexOf('@');
  return { ...row, email: at > 1 ? `${email.slice(0, 1)}…${email.slice(at)}` : email };
}

/**
 * The emailed code confirms the report: it joins the staff's Reports inbox, linked to the tenant on file at the
 * property with the same email or phone. A wrong code counts against the report; the fifth voids the code.
 */
export async function confirmReport(
  db: Database,
  input: { agencyId: string; id: string; code: string; now: Date },
): Promise<{ status: 'confirmed' | 'already' }> {
  const outcome = await db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(repairReports)
      .where(and(eq(repairReports.id, input.id), eq(repairReports.agencyId, input.agencyId)))
      .for('update');
    if (!row)
      return { refused: 'We cannot find that report. Send it again from the report page.', status: 404 as const };
    if (row.status !== 'unconfirmed') return { status: 'already' as const };
    if (!row.codeHash || !row.codeExpiresAt || row.codeExpiresAt <= input.now || row.codeAttempts >= REPORT_CODE_TRIES)
      return {
        refused: 'This code can no longer be used. Send the report again to get a new code.',
        status: 400 as const,
      };
    if (!codeMatches(row.id, input.code, row.codeHash)) {
      await tx
        .update(repairReports)
        .set({ codeAttempts: sql`${repairReports.codeAttempts} + 1` })
        .where(eq(repairReports.id, row.id));
      const left = REPORT_CODE_TRIES - row.codeAttempts - 1;
      return {
        refused:
          left > 0
            ? `That code is not right. Check the email and try again (${left} ${left === 1 ? 'try' : 'tries'} left).`
            : 'That code is not right, and that was the last try. Send the report again to get a new code.',
        status: 400 as const,
      };
    }
    const tenantId = row.propertyId ? await matchingTenant(tx, row) : null;
    await tx
      .update(repairReports)
      .set({ status: 'new', confirmedAt: input.now, codeHash: null, tenantId })
      .where(eq(repairReports.id, row.id));
    await tx.insert(auditLog).values({
      agencyId: row.agencyId,
      actorId: `tenant:${row.reporterEmail ?? ''}`,
      actorRole: 'tenant',
      action: 'report.confirm',
      detail: { reportId: row.id, tenantId },
      at: input.now,
    });
    return { status: 'confirmed' as const };
  });
  if (outcome.refused !== undefined) throw new ReportRefused(outcome.refused, outcome.status);
  return { status: outcome.status };
}

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** The tenant on file at the report's property with the reporter's email (or else phone), if any. */
async function matchingTenant(tx: Tx, row: typeof repairReports.$inferSelect): Promise<string | null> {
  if (!row.propertyId) return null;
  const digits = (row.reporterPhone ?? '').replace(/\D/g, '');
  const [tenant] = await tx
    .select({ id: tenants.id })
    .from(tenants)
    .where(
      and(
        eq(tenants.agencyId, row.agencyId),
        eq(tenants.propertyId, row.propertyId),
        or(
          row.reporterEmail ? sql`lower(${tenants.email}) = ${row.reporterEmail}` : sql`false`,
          digits.length >= 6
            ? sql`regexp_replace(coalesce(${tenants.phone}, ''), '\\D', '', 'g') = ${digits}`
            : sql`false`,
        ),
      ),
    )
    .limit(1);
  return tenant?.id ?? null;
}

export const selfFixForm = z.object({
  category: z.enum(REPORT_CATEGORIES, 'Choose what the problem was about'),
  helped: z
    .string()
    .trim()
    .min(3, 'Tell us in a few words what fixed it')
    .max(500, 'Keep what helped to 500 characters'),
  propertyId: z
    .union([z.uuid(), z.literal('')])
    .optional()
    .transform((v) => v || null),
});

/** "I fixed it myself": kept with what helped, so the agency sees which first aid works per category. */
export async function recordSelfFix(
  db: Database,
  input: { agency: PublicAgency; fields: Record<string, string>; now: Date },
) {
  const parsed = selfFixForm.safeParse(input.fields);
  if (!parsed.success) throw new ReportRefused(parsed.error.issues.map((i) => i.message).join('. '));
  const { category, helped } = parsed.data;
  if (category === 'gas') throw new ReportRefused(GAS_INSTRUCTION);
  // Only the agency's own homes are linked; any other id is ignored rather than stored.
  const [home] = parsed.data.propertyId
    ? await db
        .select({ id: properties.id })
        .from(properties)
        .where(and(eq(properties.id, parsed.data.propertyId), eq(properties.agencyId, input.agency.id)))
    : [];
  const assessment = assessReport(category, { ...NO_FACTS }, ukMonthOf(input.now));
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(repairReports).values({
      id,
      agencyId: input.agency.id,
      propertyId: home?.id ?? null,
      category,
      facts: { ...NO_FACTS },
      suggestedPriority: assessment.suggestedPriority,
      status: 'self-fixed',
      closedReason: helped,
      createdAt: input.now,
      handledAt: input.now,
    });
    await tx.insert(auditLog).values({
      agencyId: input.agency.id,
      actorId: 'tenant',
      actorRole: 'tenant',
      action: 'report.self_fixed',
      detail: { reportId: id, category, helped },
      at: input.now,
    });
  });
  return { id };
}
