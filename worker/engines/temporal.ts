// The Temporal engine: the job machine hosted in one workflow per job (workflows/temporal/job-workflow.ts).
// start = start the workflow (its business id; starting twice finds the existing one), send = the
// `event` Update (a validator refusal becomes EventRejected with the machine's reason), get = the
// snapshot the workflow projects into Postgres with every transition (engine.jobs), so a job stays
// readable with no worker running and after the namespace's retention. Every call to the server runs
// under a deadline: an engine that does not answer is EngineUnavailable (the API's 503), never a hang.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  ApplicationFailure,
  Client,
  Connection,
  isGrpcDeadlineError,
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { status as GrpcStatus } from '@grpc/grpc-js';
import { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { eq } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { engineJobs, jobs, properties } from '#db/schema/index.ts';
import type { LoopCarry, LoopProgress } from '#workflows/temporal/job-loop.ts';
import type { jobWorkflow } from '#workflows/temporal/job-workflow.ts';
import { startJob, validateEvent, viewOf, type JobState, type JobView } from '#workflows/job-host.ts';
import type { JobCommand, JobInput } from '#workflows/model.ts';
import { STATUS_LABELS } from '#workflows/model.ts';
import { JOB_SEARCH_ATTRIBUTES, searchAttributePairs } from '#workflows/temporal/search-attributes.ts';
import {
  DEFAULT_MAX_HISTORY_EVENTS,
  EVENT_REJECTED,
  JOB_WORKFLOW_TYPE,
  eventUpdate,
  progressQuery,
  stateQuery,
  syncUpdate,
  workflowIdFor,
  type JobMemo,
} from '#workflows/temporal/temporal-api.ts';
import { EngineUnavailable, EventRejected, JobNotFound, type JobEngine } from './port.ts';

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_TASK_QUEUE = 'fettle-jobs';

interface TemporalEngineOptions {
  db: Database;
  /** host:port of the Temporal frontend, e.g. localhost:7233. */
  address: string;
  namespace?: string;
  taskQueue?: string;
  /** TLS / API key for a remote cluster; defaults from TEMPORAL_API_KEY and TEMPORAL_TLS_CLIENT_{CERT,KEY}_PATH. */
  connection?: RemoteConnectionOptions;
  /** Continue-as-new threshold handed to each workflow at its start (tests make it small). */
  maxHistoryEvents?: number;
  /** How long one start, update or query may take before the engine counts as not answering. */
  callTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface TemporalEngine extends JobEngine {
  readonly kind: 'temporal';
  readonly client: Client;
  /** Whether jobs carry the custom search attributes (the server had or accepted them). */
  readonly searchAttributes: boolean;
  workflowId(jobId: string): Promise<string>;
  /** How far the job's loop has got (queued events, effects in flight): used to wait until a job is quiet. */
  progress(jobId: string): Promise<LoopProgress>;
  /**
   * Starts a new run of a job whose workflow was terminated, timed out or failed, from the snapshot its
   * last recorded transition projected into Postgres (scripts/resume-job.ts). Refuses a running job and
   * one that reached its final state.
   */
  resume(jobId: string): Promise<JobView>;
}

/**
 * Connection options for a remote cluster from the environment (Temporal's own variable names):
 * TEMPORAL_API_KEY (implies TLS), or mTLS with TEMPORAL_TLS_CLIENT_CERT_PATH + TEMPORAL_TLS_CLIENT_KEY_PATH;
 * TEMPORAL_TLS=true for TLS with neither.
 */
interface RemoteConnectionOptions {
  tls?: boolean | { clientCertPair: { crt: Buffer; key: Buffer } };
  apiKey?: string;
}

export function connectionOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RemoteConnectionOptions {
  const certPath = env.TEMPORAL_TLS_CLIENT_CERT_PATH;
  const keyPath = env.TEMPORAL_TLS_CLIENT_KEY_PATH;
  if (certPath && keyPath) {
    return { tls: { clientCertPair: { crt: readFileSync(certPath), key: readFileSync(keyPath) } } };
  }
  if (env.TEMPORAL_API_KEY) return { apiKey: env.TEMPORAL_API_KEY, tls: true };
  if (env.TEMPORAL_TLS === 'true') return { tls: true };
  return {};
}

/** Something with the operator and workflow services: a client Connection or a worker's NativeConnection. */
interface OperatorConnection {
  operatorService: Pick<Connection['operatorService'], 'listSearchAttributes' | 'addSearchAttributes'>;
  workflowService: Pick<Connection['workflowService'], 'countWorkflowExecutions'>;
}

/** A visibility query naming every job attribute: it fails with "no mapping defined" until all are usable. */
const PROBE_QUERY = JOB_SEARCH_ATTRIBUTES.map((k) =>
  k.type === 'DATETIME'
    ? `${k.name} < "1970-01-02T00:00:00Z"`
    : k.type === 'BOOL'
      ? `${k.name} = true`
      : `${k.name} = "probe"`,
).join(' AND ');

/** A registered attribute's type as people write it (KEYWORD, BOOL, …). */
const typeName = (encoded: unknown) =>
  Object.values(SearchAttributeType).find((t) => encodeSearchAttributeIndexedValueType(t) === encoded) ??
  String(encoded);

interface EnsureSearchAttributesOptions {
  /** How long to wait for attributes registered here to become usable (the namespace cache refreshes). */
  usableWithinMs?: number;
}

/**
 * Makes sure the namespace has the job's custom search attributes, of the right types, registering
 * missing ones where the server allows it (a dev server or self-hosted cluster does; Temporal Cloud
 * wants them created in its console or with tcld), and then waits until queries can use them: the
 * server answers "no mapping defined for search attribute" until its namespace cache refreshes
 * (temporalio/temporal#4017). Returns whether all of them are usable: workflows only upsert them when
 * they are, so a job start never fails or half-seeds because of them.
 */
export async function ensureSearchAttributes(
  connection: OperatorConnection,
  namespace: string,
  log: (m: string) => void = console.log,
  { usableWithinMs = 30_000 }: EnsureSearchAttributesOptions = {},
): Promise<boolean> {
  const registered = async () =>
    (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  const manual = JOB_SEARCH_ATTRIBUTES.map(
    (k) => `--name ${k.name} --type ${k.type === 'DATETIME' ? 'Datetime' : k.type === 'BOOL' ? 'Bool' : 'Keyword'}`,
  );
  try {
    const existing = await registered();
    const wrongType = JOB_SEARCH_ATTRIBUTES.filter(
      (k) => k.name in existing && existing[k.name] !== encodeSearchAttributeIndexedValueType(k.type),
    );
    if (wrongType.length > 0) {
      log(
        `temporal: search attributes with the wrong type in namespace ${namespace}: ` +
          wrongType.map((k) => `${k.name} is ${typeName(existing[k.name])}, jobs need ${k.type}`).join('; ') +
          '. Jobs run without search attributes until an operator removes and re-creates them with the right types.',
      );
      return false;
    }
    const absent = JOB_SEARCH_ATTRIBUTES.filter((k) => !(k.name in existing));
    if (absent.length > 0) {
      try {
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(
            absent.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!]),
          ),
        });
        log(`temporal: registered search attributes ${absent.map((k) => k.name).join(', ')} in namespace ${namespace}`);
      } catch (e) {
        // Another process may have registered them first; look again before giving up.
        const now = await registered();
        if (absent.some((k) => !(k.name in now))) throw e;
      }
    }
    const deadline = Date.now() + usableWithinMs;
    for (;;) {
      try {
        await connection.workflowService.countWorkflowExecutions({ namespace, query: PROBE_QUERY });
        return true;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } catch (e) {
    log(
      `temporal: custom search attributes unavailable in namespace ${namespace} (${e instanceof Error ? e.message : String(e)}); ` +
        `jobs run without them. Register them with: ${manual.map((m) => `temporal operator search-attribute create --namespace ${namespace} ${m}`).join(' ; ')}`,
    );
    return false;
  }
}

// grpc-js comes with the Temporal client, not as a dependency of ours: its enum is used as a type only.
const GRPC_UNAVAILABLE: GrpcStatus = 14; // status.UNAVAILABLE

/** The server did not answer in time, or cannot be reached: the engine is unavailable, not the job. */
function unanswered(e: unknown): boolean {
  // The SDK's own wrapper for an update whose call ran out of time (our deadline cancels it).
  if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  for (let cause = e, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (isGrpcServiceError(cause) && cause.code === GRPC_UNAVAILABLE) return true;
  }
  return isGrpcDeadlineError(e);
}

const DEFAULT_CALL_TIMEOUT_MS = 15_000;

/**
 * The update id of a command: its idempotency key where it has one (a payment's), so a retried request
 * finds the first one's outcome on the server instead of applying the event twice; otherwise one id
 * per call, reused by every retry of that call.
 */
function updateIdFor(command: JobCommand): string {
  return 'key' in command && typeof command.key === 'string' && command.key
    ? `${command.type}:${command.key}`
    : `${command.type}:${randomUUID()}`;
}

function rejection(e: unknown): EventRejected | null {
  if (
    e instanceof WorkflowUpdateFailedError &&
    e.cause instanceof ApplicationFailure &&
    e.cause.type === EVENT_REJECTED
  ) {
    return new EventRejected(e.cause.message);
  }
  return null;
}

export async function createTemporalEngine(opts: TemporalEngineOptions): Promise<TemporalEngine> {
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  const log = opts.log ?? console.log;
  const connection = await Connection.connect({
    address: opts.address,
    ...(opts.connection ?? connectionOptionsFromEnv()),
  });
  const client = new Client({ connection, namespace });
  const searchAttributes = await ensureSearchAttributes(connection, namespace, log);
  const { db } = opts;
  const callTimeoutMs = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  // Fixed into each workflow's arguments at its start: a constant read at run time would change what
  // old histories replay to whenever it changed.
  const maxHistoryEvents = opts.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;

  /** Runs one exchange with the server under the deadline; not answering becomes EngineUnavailable. */
  async function answered<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await connection.withDeadline(Date.now() + callTimeoutMs, call);
    } catch (e) {
      if (unanswered(e)) throw new EngineUnavailable(what, e);
      throw e;
    }
  }

  /** The snapshot the workflow projected with its latest recorded transition, if any. */
  async function projected(jobId: string): Promise<JobView | null> {
    const [row] = await db
      .select({ state: engineJobs.state, version: engineJobs.version })
      .from(engineJobs)
      .where(eq(engineJobs.jobId, jobId));
    if (!row) return null;
    return viewOf(jobId, row.version, row.state as JobState);
  }

  /**
   * Starts a run of the job's workflow: its first (`state` from the input), or, with `carry`, a new run of
   * a terminated one. A start never reuses a finished job's id; a resume is the one place that does.
   */
  async function startRun(id: string, input: JobInput, carry?: LoopCarry) {
    const memo = await memoFor(input.jobId);
    const state = carry?.state ?? startJob(input).state;
    return answered('start', () =>
      client.workflow.start<typeof jobWorkflow>(JOB_WORKFLOW_TYPE, {
        workflowId: id,
        taskQueue,
        args: [{ input, memo, searchAttributes, maxHistoryEvents, ...(carry ? { carry } : {}) }],
        // The business id, never random: a second start fails and the caller answers with the existing job.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: carry ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
        memo: memo ? { ...memo } : undefined,
        typedSearchAttributes: searchAttributes ? searchAttributePairs(state) : undefined,
      }),
    );
  }
  // jobId → workflow id. Both are immutable, so the cache never goes stale; it is only bounded.
  const ids = new Map<string, string>();
  async function workflowId(jobId: string): Promise<string> {
    const known = ids.get(jobId);
    if (known) return known;
    const [row] = await db
      .select({ reference: jobs.reference, agencyId: jobs.agencyId })
      .from(jobs)
      .where(eq(jobs.id, jobId));
    if (!row) throw new JobNotFound(jobId);
    const id = workflowIdFor(row);
    if (ids.size >= 50_000) ids.clear();
    ids.set(jobId, id);
    return id;
  }

  async function memoFor(jobId: string): Promise<JobMemo | undefined> {
    const [row] = await db
      .select({ title: jobs.title, line1: properties.line1, town: properties.town, postcode: properties.postcode })
      .from(jobs)
      .leftJoin(properties, eq(properties.id, jobs.propertyId))
      .where(eq(jobs.id, jobId));
    if (!row) return undefined;
    const address = [row.line1, row.town, row.postcode].filter(Boolean).join(', ');
    return { title: row.title, address };
  }

  const handleOf = (id: string) => client.workflow.getHandle<typeof jobWorkflow>(id);

  /** The view of a job whose workflow is no longer running (final state): its last state, by query. */
  async function closedView(id: string, jobId: string): Promise<JobView | null> {
    try {
      const description = await answered('describe', () => handleOf(id).describe());
      if (description.status.name === 'RUNNING') return null;
      return (await projected(jobId)) ?? (await answered('query', () => handleOf(id).query(stateQuery)));
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new JobNotFound(jobId);
      throw e;
    }
  }

  return {
    kind: 'temporal',
    client,
    searchAttributes,
    workflowId,

    async start(input: JobInput) {
      const id = workflowIdFor(input);
      ids.set(input.jobId, id);
      try {
        await startRun(id, input);
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
      try {
        // Answers once the start (and anything since) is recorded in the read model.
        return await answered('start', () => handleOf(id).executeUpdate(syncUpdate));
      } catch (e) {
        if (e instanceof EngineUnavailable) throw e;
        // A finished job's workflow has closed (the server answers an update with not-found or a
        // failed precondition, depending on its version): answer with its last state.
        const view = await closedView(id, input.jobId);
        if (!view) throw e;
        return view;
      }
    },

    async send(jobId: string, command: JobCommand) {
      const id = await workflowId(jobId);
      const updateId = updateIdFor(command);
      try {
        return await answered(command.type, () =>
          handleOf(id).executeUpdate(eventUpdate, { args: [command], updateId }),
        );
      } catch (e) {
        const refused = rejection(e);
        if (refused) throw refused;
        if (e instanceof WorkflowUpdateFailedError || e instanceof EngineUnavailable) throw e;
        // A finished job's workflow has closed: the machine refuses everything, with its own words.
        const view = await closedView(id, jobId);
        if (!view) throw e;
        const reason = validateEvent(view, { ...command, at: new Date().toISOString() });
        throw new EventRejected(reason ?? `The job is ${STATUS_LABELS[view.status]} and takes no more events`);
      }
    },

    async get(jobId: string) {
      const view = await projected(jobId);
      if (view) return view;
      // Started but its first transition not yet recorded (or never started): ask the workflow.
      const id = await workflowId(jobId);
      try {
        return await answered('query', () => handleOf(id).query(stateQuery));
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) throw new JobNotFound(jobId);
        throw e;
      }
    },

    async progress(jobId: string) {
      const id = await workflowId(jobId);
      return answered('query', () => handleOf(id).query(progressQuery));
    },

    async resume(jobId: string) {
      const view = await projected(jobId);
      if (!view) throw new Error(`Job ${jobId} has no recorded snapshot to resume from`);
      const id = await workflowId(jobId);
      const description = await answered('describe', () => handleOf(id).describe()).catch((e: unknown) => {
        if (e instanceof WorkflowNotFoundError) return null;
        throw e;
      });
      if (description?.status.name === 'RUNNING')
        throw new Error(`Job ${jobId}'s workflow ${id} is running: nothing to resume`);
      if (description?.status.name === 'COMPLETED')
        throw new Error(`Job ${jobId} reached ${STATUS_LABELS[view.status]}: a finished job is not resumed`);
      const { jobId: _, reference, agencyId, createdAt, priority, chase } = view.context;
      const input: JobInput = { jobId, reference, agencyId, createdAt, priority, chase };
      // Its previous run is closed and not completed (checked above): the id is reused for a new run.
      await startRun(id, input, {
        state: { status: view.status, context: view.context },
        version: view.version,
        refusedTimers: [],
      });
      log(`temporal: resumed job ${jobId} (${reference}) at version ${view.version}, ${STATUS_LABELS[view.status]}`);
      return answered('sync', () => handleOf(id).executeUpdate(syncUpdate));
    },

    async close() {
      await connection.close();
    },
  };
}
