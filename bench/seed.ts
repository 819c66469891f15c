// Bulk seeding for benchmarks: agencies with staff, contractors, properties and tenants, and jobs whose
// engine state, event history, audit log and read-model row are what the embedded engine would have
// written. Histories come from the real machine (startJob / stepJob, timers fired as the dispatcher
// would); rows go in with COPY. Old jobs reuse a handful of simulated histories, shifted in time and
// re-labelled (the machine is pure, so a history shifted by Δ is the history of a job created Δ later).
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql } from 'postgres';
import { pendingTimer, startJob, stepJob, timerEvent, type JobState } from '#workflows/job-host.ts';
import type { ChasePolicy, JobCommand, JobEvent, JobInput, JobStatus, PriorityPolicy } from '#workflows/model.ts';

const PRIORITIES: [PriorityPolicy, PriorityPolicy, PriorityPolicy, PriorityPolicy] = [
  { code: 'P1', name: 'Emergency', targetHours: 4, warnAtPercent: [75, 90] },
  { code: 'P2', name: 'Urgent', targetHours: 24, warnAtPercent: [75, 90] },
  { code: 'P3', name: 'Routine', targetHours: 72, warnAtPercent: [75, 90] },
  { code: 'P4', name: 'Planned', targetHours: 336, warnAtPercent: [75, 90] },
];
export const URGENT = PRIORITIES[1];
export const CHASE: ChasePolicy = { offerReminderHours: 4, offerEscalationHours: 24, invoiceReminderHours: 168 };

const TRADES = ['plumbing', 'electrical', 'heating', 'roofing', 'carpentry', 'locksmith', 'decorating', 'general'];
const TITLES = [
  'Leaking kitchen tap',
  'No hot water',
  'Boiler pressure dropping',
  'Tripping fuse board',
  'Broken window latch',
  'Blocked bathroom sink',
  'Damp patch on bedroom ceiling',
  'Front door lock sticking',
  'Extractor fan not working',
  'Radiator cold at top',
  'Loose stair banister',
  'Cracked toilet cistern',
  'Gutter overflowing',
  'Oven not heating',
  'Smoke alarm chirping',
  'Shower tray leaking',
  'Mould in bathroom',
  'Garden fence down',
  'Washing machine leak',
  'Intercom not buzzing',
];
const OUTCODES = ['SW1A', 'SE1', 'N1', 'E2', 'W12', 'NW5', 'SW9', 'E14', 'N16', 'SE15'];

export interface SeededAgency {
  id: string;
  slug: string;
  staff: { id: string; email: string; role: 'admin' | 'staff' }[];
  contractors: { id: string; email: string }[];
  properties: { id: string; tenantId: string; postcode: string; line1: string }[];
  jobTypes: string[];
}

/** One agency and its directory, inserted set-wise. */
export async function seedAgency(
  sql: Sql,
  name: string,
  sizes: { staff: number; contractors: number; properties: number },
): Promise<SeededAgency> {
  const slug = name.toLowerCase().replace(/\W+/g, '-');
  const [agency] = await sql<
    { id: string }[]
  >`insert into agencies (name, slug) values (${name}, ${slug}) returning id`;
  const staff = await sql<{ id: string; email: string; role: 'admin' | 'staff' }[]>`
    insert into users (agency_id, name, email, role)
    select ${agency!.id}, 'Staff ' || g, ${slug} || '-staff' || g || '@example.test', case when g = 1 then 'admin' else 'staff' end
    from generate_series(1, ${sizes.staff}) g returning id, email, role`;
  const contractors = await sql<{ id: string; email: string }[]>`
    insert into contractors (agency_id, name, company, email, trades, coverage, base_outcode)
    select ${agency!.id}, 'Contractor ' || g, 'Trade Co ' || g, ${slug} || '-contractor' || g || '@example.test',
           array[(${TRADES}::text[])[1 + g % ${TRADES.length}]], ${OUTCODES}::text[], (${OUTCODES}::text[])[1 + g % ${OUTCODES.length}]
    from generate_series(1, ${sizes.contractors}) g returning id, email`;
  const properties = await sql<{ id: string; postcode: string; line1: string }[]>`
    insert into properties (agency_id, line1, town, postcode, outcode)
    select ${agency!.id}, g || ' Bench Street', 'London', o || ' ' || (1 + g % 9) || 'AA', o
    from generate_series(1, ${sizes.properties}) g, lateral (select (${OUTCODES}::text[])[1 + g % ${OUTCODES.length}] as o) x
    returning id, postcode, line1`;
  const tenants = await sql<{ id: string; property_id: string }[]>`
    insert into tenants (agency_id, property_id, name, email)
    select ${agency!.id}, p.id, 'Tenant ' || row_number() over (), 'tenant-' || p.id || '@example.test'
    from properties p where p.agency_id = ${agency!.id} returning id, property_id`;
  const tenantOf = new Map(tenants.map((t) => [t.property_id, t.id]));
  const jobTypes = await sql<{ id: string }[]>`
    insert into job_types (agency_id, code, name, trade)
    select ${agency!.id}, upper(t), initcap(t), t from unnest(${TRADES}::text[]) t returning id`;
  await sql`
    insert into priorities (agency_id, code, name, target_hours, warn_at_percent, sort_order)
    select ${agency!.id}, code, name, hours, array[75, 90], ord::int
    from unnest(${PRIORITIES.map((p) => p.code)}::text[], ${PRIORITIES.map((p) => p.name)}::text[], ${PRIORITIES.map((p) => p.targetHours)}::int[])
      with ordinality as x(code, name, hours, ord)`;
  return {
    id: agency!.id,
    slug,
    staff,
    contractors,
    properties: properties.map((p) => ({
      id: p.id,
      tenantId: tenantOf.get(p.id)!,
      postcode: p.postcode,
      line1: p.line1,
    })),
    jobTypes: jobTypes.map((j) => j.id),
  };
}

// ---------------------------------------------------------------------------------------------
// Histories

interface Step {
  seq: number;
  type: string;
  actorId: string;
  actorRole: string;
  payload: Record<string, unknown>;
  from: JobStatus | null;
  to: JobStatus;
  at: string;
}

interface History {
  state: JobState;
  steps: Step[];
}

type Scripted = { afterHours: number; command: JobCommand };

/** Runs the machine like the embedded engine and its dispatcher would: due timers fire before each later event. */
function simulate(input: JobInput, script: Scripted[], untilMs: number): History {
  let { state } = startJob(input);
  const steps: Step[] = [
    {
      seq: 1,
      type: 'CREATED',
      actorId: 'system',
      actorRole: 'system',
      payload: {},
      from: null,
      to: state.status,
      at: input.createdAt,
    },
  ];
  const apply = (event: JobEvent) => {
    const result = stepJob(state, event);
    if (!result.ok) throw new Error(`seed: ${event.type} refused in ${state.status}: ${result.reason}`);
    const { type, actor, at, ...payload } = event;
    steps.push({
      seq: steps.length + 1,
      type,
      actorId: actor.id,
      actorRole: actor.role,
      payload,
      from: result.from,
      to: result.state.status,
      at,
    });
    state = result.state;
  };
  const fireUntil = (ms: number) => {
    for (let timer = pendingTimer(state); timer && Date.parse(timer.at) <= ms; timer = pendingTimer(state))
      apply(timerEvent(timer, timer.at));
  };
  const created = Date.parse(input.createdAt);
  for (const { afterHours, command } of script) {
    const ms = created + afterHours * 3_600_000;
    if (ms > untilMs) break;
    fireUntil(ms);
    apply({ ...command, at: new Date(ms).toISOString() });
  }
  fireUntil(untilMs);
  return { state, steps };
}

/** The usual life of a job, as the people involved would drive it. */
function lifeScript(
  staffId: string,
  contractorId: string,
  reference: string,
  ending: 'closedInvoiced' | 'paid' | 'closedNoInvoice' | 'cancelled',
): Scripted[] {
  const staff = { id: staffId, role: 'staff' as const };
  const contractor = { id: contractorId, role: 'contractor' as const };
  if (ending === 'cancelled')
    return [{ afterHours: 2, command: { type: 'CANCEL', reason: 'Tenant fixed it themselves', actor: staff } }];
  const work: Scripted[] = [
    { afterHours: 0.5, command: { type: 'OFFER', contractorId, actor: staff } },
    { afterHours: 1.5, command: { type: 'ACCEPT', actor: contractor } },
    { afterHours: 3, command: { type: 'START', actor: contractor } },
    { afterHours: 3.5, command: { type: 'ADD_NOTE', text: 'On site, parts ordered.', actor: contractor } },
    { afterHours: 20, command: { type: 'COMPLETE', note: 'Replaced the faulty part and tested.', actor: contractor } },
  ];
  const invoice: Scripted = {
    afterHours: 30,
    command: {
      type: 'SUBMIT_INVOICE',
      number: `C-${reference}`,
      netPence: 12000,
      vatPence: 2400,
      totalPence: 14400,
      actor: contractor,
    },
  };
  const close: Scripted = { afterHours: 48, command: { type: 'CLOSE', actor: staff } };
  if (ending === 'closedNoInvoice') return [...work, close];
  if (ending === 'closedInvoiced') return [...work, invoice, close];
  const pay = (leg: 'client' | 'contractor' | 'commission', amountPence: number, h: number): Scripted => ({
    afterHours: h,
    command: {
      type: 'RECORD_PAYMENT',
      key: `${reference}-${leg}`,
      leg,
      amountPence,
      reference: `BACS ${leg}`,
      actor: staff,
    },
  });
  return [
    ...work,
    invoice,
    close,
    {
      afterHours: 50,
      command: {
        type: 'RAISE_INVOICE',
        number: `A-${reference}`,
        agentNetPence: 15000,
        vatRateBp: 2000,
        contractorTotalPence: 14400,
        actor: staff,
      },
    },
    pay('client', 18000, 120),
    pay('contractor', 14400, 168),
    pay('commission', 3000, 168.5),
  ];
}

const ENDINGS = [
  ...Array<'closedInvoiced'>(11).fill('closedInvoiced'),
  ...Array<'paid'>(6).fill('paid'),
  'cancelled',
  'cancelled',
  'closedNoInvoice',
] as const;
/** Old enough that every history has run its course (no pending timer), so templates apply: a job that
 * completes without an invoice is chased three times, a week apart, until about day 22. */
const SETTLED_MS = 28 * 86_400_000;
const TEMPLATE_BASE = Date.parse('2000-01-03T00:00:00.000Z');

// ---------------------------------------------------------------------------------------------
// Rows, in PostgreSQL's COPY text format

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** A column value: objects are jsonb columns. */
type CopyValue = string | number | boolean | object | null | undefined;
const cell = (v: CopyValue): string =>
  v === null || v === undefined
    ? '\\N'
    : (typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] ?? c);
const line = (values: CopyValue[]) => values.map(cell).join('\t') + '\n';

/** Per-job values that are not part of the machine's history. */
interface Labels {
  id: string;
  agencyId: string;
  number: number | string;
  reference: string;
  title: string;
  jobTypeId: string;
  propertyId: string;
  tenantId: string;
  staffId: string;
  contractorId: string;
  /** jobs.search_text as migration 0005's trigger writes it (COPY in replica mode skips the trigger). */
  search: string;
}

interface Lines {
  status: JobStatus;
  jobs: string;
  engine: string;
  timers: string;
  events: string;
  audit: string;
}

function linesOf({ state, steps }: History, l: Labels): Lines {
  const ctx = state.context;
  const last = steps[steps.length - 1];
  const lastAt = (to: JobStatus) => steps.findLast((s) => s.to === to)?.at ?? null;
  const done = state.status === 'completed' || state.status === 'closed' || state.status === 'paymentComplete';
  const timer = pendingTimer(state);
  return {
    status: state.status,
    jobs: line([
      l.id,
      l.agencyId,
      l.number,
      l.reference,
      l.title,
      `<p>${l.title}: reported by the tenant.</p>`,
      l.jobTypeId,
      ctx.priority.code,
      l.propertyId,
      l.tenantId,
      l.staffId,
      state.status,
      ctx.contractorId,
      ctx.offeredTo,
      ctx.sla.dueAt,
      ctx.sla.breached,
      ctx.sla.warnedPercent,
      ctx.recallCount,
      ctx.noteCount,
      last!.seq,
      ctx.createdAt,
      last!.at,
      done ? lastAt('completed') : null,
      lastAt('closed'),
      l.search,
    ]),
    engine: line([l.id, state, last!.seq, last!.at]),
    timers: timer ? line([l.id, timer.key, timer.at]) : '',
    events: steps
      .map((s) => line([l.id, s.seq, s.type, s.actorId, s.actorRole, s.payload, s.from, s.to, s.at]))
      .join(''),
    audit: steps
      .map((s) =>
        line([
          l.agencyId,
          l.id,
          s.actorId,
          s.actorRole,
          `job.${s.type.toLowerCase()}`,
          { seq: s.seq, from: s.from, to: s.to, ...s.payload },
          s.at,
        ]),
      )
      .join(''),
  };
}

// Templates: one simulated history per (ending, priority), its rows rendered once with placeholder
// labels; each job then costs one pass that swaps labels and shifts every timestamp.
const TOKENS = {
  id: '@I@',
  agencyId: '@A@',
  number: '@N@',
  reference: '@R@',
  title: '@T@',
  jobTypeId: '@Y@',
  propertyId: '@P@',
  tenantId: '@E@',
  staffId: '@S@',
  contractorId: '@C@',
  search: '@X@',
} satisfies Record<keyof Labels, string>;
const TOKEN_KEYS: Record<string, keyof Labels> = Object.fromEntries(
  Object.entries(TOKENS).map(([k, v]) => [v.charAt(1), k as keyof Labels]),
);
const TOKEN_OR_ISO = /@[IANRTYPESCX]@|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

const templates = new Map<string, Lines>();
function template(ending: (typeof ENDINGS)[number], priority: PriorityPolicy): Lines {
  const key = `${ending}/${priority.code}`;
  let t = templates.get(key);
  if (!t) {
    const input: JobInput = {
      jobId: TOKENS.id,
      reference: TOKENS.reference,
      agencyId: TOKENS.agencyId,
      createdAt: new Date(TEMPLATE_BASE).toISOString(),
      priority,
      chase: CHASE,
    };
    const history = simulate(
      input,
      lifeScript(TOKENS.staffId, TOKENS.contractorId, TOKENS.reference, ending),
      TEMPLATE_BASE + SETTLED_MS,
    );
    if (pendingTimer(history.state)) throw new Error(`seed: template ${key} still has a pending timer`);
    t = linesOf(history, TOKENS);
    templates.set(key, t);
  }
  return t;
}

function fromTemplate(t: Lines, shiftMs: number, labels: Labels): Lines {
  const isoCache = new Map<string, string>();
  const swap = (s: string) =>
    s.replace(TOKEN_OR_ISO, (m) => {
      if (m[0] === '@') return String(labels[TOKEN_KEYS[m[1] ?? '']!]);
      let shifted = isoCache.get(m);
      if (!shifted) isoCache.set(m, (shifted = new Date(Date.parse(m) + shiftMs).toISOString()));
      return shifted;
    });
  return {
    status: t.status,
    jobs: swap(t.jobs),
    engine: swap(t.engine),
    timers: '',
    events: swap(t.events),
    audit: swap(t.audit),
  };
}

async function copyInto(sql: Sql, table: string, columns: string[], text: string[]): Promise<void> {
  if (text.length === 0) return;
  const writable = await sql.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable();
  function* chunks() {
    let buf = '';
    for (const t of text) {
      buf += t;
      if (buf.length > 1 << 20) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  await pipeline(Readable.from(chunks()), writable);
}

interface JobsOptions {
  count: number;
  /** First job number (references are JOB-000123). */
  startNumber: number;
  createdAt: (i: number) => Date;
  /** history: a realistic life up to now; fresh: just created, nothing sent yet. */
  mode: 'history' | 'fresh';
  priority?: (i: number) => PriorityPolicy;
  now?: number;
}

interface SeededJob {
  id: string;
  reference: string;
  status: JobStatus;
}

/**
 * Inserts jobs with their engine state, pending timer, history and audit rows. Pass a client whose
 * connections set `session_replication_role = replica` to skip foreign-key triggers (the rows are
 * consistent by construction), which halves the load time.
 */
export async function seedJobs(sql: Sql, agency: SeededAgency, options: JobsOptions): Promise<SeededJob[]> {
  const now = options.now ?? Date.now();
  const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length];
  // One emergency, three urgent, five routine and one planned job in every ten.
  const priorityOf = options.priority ?? ((i: number) => PRIORITIES[[0, 1, 1, 1, 2, 2, 2, 2, 2, 3][i % 10] ?? 2]!);
  const out: SeededJob[] = [];
  const CHUNK = 5_000;
  let copying: Promise<unknown> = Promise.resolve();
  for (let start = 0; start < options.count; start += CHUNK) {
    const rows = {
      jobs: [] as string[],
      engine: [] as string[],
      timers: [] as string[],
      events: [] as string[],
      audit: [] as string[],
    };
    for (let i = start; i < Math.min(options.count, start + CHUNK); i++) {
      const number = options.startNumber + i;
      const property = pick(agency.properties, i * 31);
      const labels: Labels = {
        id: randomUUID(),
        agencyId: agency.id,
        number,
        reference: `JOB-${String(number).padStart(6, '0')}`,
        title: `${pick(TITLES, i)} (${pick(['flat', 'house', 'maisonette'], i >> 2)})`,
        jobTypeId: pick(agency.jobTypes, i)!,
        propertyId: property!.id,
        tenantId: property!.tenantId,
        staffId: pick(agency.staff, i * 7)!.id,
        contractorId: pick(agency.contractors, i * 13)!.id,
        search: '',
      };
      labels.search = [
        labels.reference,
        labels.title,
        property!.postcode,
        property!.postcode.replace(' ', ''),
        property!.line1,
      ]
        .join(' ')
        .toLowerCase();
      const createdAt = options.createdAt(i).getTime();
      const input: JobInput = {
        jobId: labels.id,
        reference: labels.reference,
        agencyId: agency.id,
        createdAt: new Date(createdAt).toISOString(),
        priority: priorityOf(i),
        chase: CHASE,
      };
      let lines: Lines;
      if (options.mode === 'fresh') {
        lines = linesOf(simulate(input, [], createdAt), labels);
      } else if (now - createdAt > SETTLED_MS) {
        lines = fromTemplate(
          template(pick(ENDINGS, i * 7 + (i >> 3))!, input.priority),
          createdAt - TEMPLATE_BASE,
          labels,
        );
      } else {
        // Recent: a life cut short at a point that depends on the job, fired timers included.
        const script = lifeScript(
          labels.staffId,
          labels.contractorId,
          labels.reference,
          i % 9 === 0 ? 'cancelled' : 'paid',
        ).slice(0, i % 11);
        lines = linesOf(simulate(input, script, now), labels);
      }
      rows.jobs.push(lines.jobs);
      rows.engine.push(lines.engine);
      if (lines.timers) rows.timers.push(lines.timers);
      rows.events.push(lines.events);
      rows.audit.push(lines.audit);
      out.push({ id: labels.id, reference: labels.reference, status: lines.status });
    }
    // Load this chunk while the next one is built (PostgreSQL and Node each get a core).
    await copying;
    copying = (async () => {
      await copyInto(
        sql,
        'jobs',
        [
          'id',
          'agency_id',
          'number',
          'reference',
          'title',
          'description_html',
          'job_type_id',
          'priority_code',
          'property_id',
          'tenant_id',
          'created_by',
          'status',
          'contractor_id',
          'offered_to_id',
          'sla_due_at',
          'sla_breached',
          'sla_warned_percent',
          'recall_count',
          'note_count',
          'engine_version',
          'created_at',
          'updated_at',
          'completed_at',
          'closed_at',
          'search_text',
        ],
        rows.jobs,
      );
      await Promise.all([
        copyInto(sql, 'engine.jobs', ['job_id', 'state', 'version', 'updated_at'], rows.engine),
        copyInto(sql, 'engine.timers', ['job_id', 'key', 'due_at'], rows.timers),
        copyInto(
          sql,
          'job_events',
          ['job_id', 'seq', 'type', 'actor_id', 'actor_role', 'payload', 'from_status', 'to_status', 'at'],
          rows.events,
        ),
        copyInto(
          sql,
          'audit_log',
          ['agency_id', 'job_id', 'actor_id', 'actor_role', 'action', 'detail', 'at'],
          rows.audit,
        ),
      ]);
    })();
    copying.catch(() => {}); // surfaced by the next await
  }
  await copying;
  await sql`update agencies set next_job_number = greatest(next_job_number, ${options.startNumber + options.count}) where id = ${agency.id}`;
  return out;
}

/**
 * Runs `load` with the tables' secondary indexes dropped, then builds them again: one sort per index
 * instead of 900 000 inserts into each (the trigram GIN index on jobs most of all). Primary keys and
 * unique constraints stay, so the load still refuses duplicates.
 */
export async function withoutSecondaryIndexes<T>(sql: Sql, tables: string[], load: () => Promise<T>): Promise<T> {
  const indexes = await sql<{ name: string; def: string }[]>`
    select i.indexname as name, i.indexdef as def
    from pg_indexes i
    where i.schemaname = 'public' and i.tablename = any(${tables})
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`;
  for (const { name } of indexes) await sql.unsafe(`drop index "${name}"`);
  const result = await load();
  await Promise.all(indexes.map(({ def }) => sql.unsafe(def)));
  return result;
}
