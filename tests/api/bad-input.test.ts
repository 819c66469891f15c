// Bad input on every tRPC procedure: each one that takes input answers malformed input with BAD_REQUEST
// (the validation error, not a crash or a database error) and writes nothing. Procedures are enumerated
// from the router, so a new procedure is covered the day it is added. Semantic checks (a valid shape with
// wrong values) live in each area's own tests.
import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { sql } from 'drizzle-orm';
import { ZodError } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenants } from '#db/schema/index.ts';
import { createContext } from '#lib/server/api/context.ts';
import { appRouter, createCaller } from '#lib/server/api/root.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';

interface ProcedureDef {
  _def: { inputs: unknown[] };
}
const procedures = Object.entries(
  (appRouter as unknown as { _def: { procedures: Record<string, ProcedureDef> } })._def.procedures,
).sort(([a], [b]) => a.localeCompare(b));
const withInput = procedures.filter(([, p]) => p._def.inputs.length > 0).map(([path]) => path);

/** Shapes no procedure's input accepts: every input is an object (or nothing at all). */
const GARBAGE: unknown[] = ['garbage', 12345, [{ id: 'x' }], true];

let db: TestDatabase;
let admin: SessionUser;
let contractor: SessionUser;

function call(user: SessionUser, path: string, input: unknown): Promise<unknown> {
  // The router's caller is a tree of functions keyed by path segment; walking it by string needs a cast.
  const caller = createCaller(
    createContext({ db: db.db, engine: createEmbeddedEngine({ db: db.db }), user, temporalUiUrl: null }),
  ) as unknown as Record<string, unknown>;
  let fn: unknown = caller;
  for (const part of path.split('.')) fn = (fn as Record<string, unknown>)[part];
  return (fn as (input: unknown) => Promise<unknown>)(input);
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  );

/** A digest of every row of every table: equal digests mean nothing was written. */
async function fingerprint(): Promise<Record<string, string>> {
  const tables = await db.sql<
    { schema: string; name: string }[]
  >`select table_schema as schema, table_name as name from information_schema.tables
     where table_schema in ('public', 'engine') and table_type = 'BASE TABLE' order by 1, 2`;
  const digest: Record<string, string> = {};
  for (const { schema, name } of tables) {
    const [row] = await db.db.execute<{ md5: string }>(
      sql`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as md5 from ${sql.identifier(schema)}.${sql.identifier(name)} t`,
    );
    digest[`${schema}.${name}`] = row!.md5;
  }
  return digest;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const a = await createAgency(db.db, 'Agency A');
  await db.db
    .insert(tenants)
    .values({ agencyId: a.agency.id, propertyId: a.property.id, name: 'Tess Tenant', email: 'tess@example.test' });
  admin = {
    kind: 'staff',
    userId: a.staff.id,
    name: 'Sam',
    email: a.staff.email,
    agencyId: a.agency.id,
    role: 'admin',
  };
  contractor = {
    kind: 'contractor',
    userId: '00000000-0000-4000-8000-000000000001',
    name: a.contractors[0].name,
    email: a.contractors[0].email,
    agencyId: a.agency.id,
    contractorId: a.contractors[0].id,
  };
});
afterAll(() => db?.close());

describe('bad input on every procedure', () => {
  it('finds the procedures that take input', () => {
    expect(withInput.length).toBeGreaterThan(10);
  });

  it('answers malformed input with BAD_REQUEST from validation, for the caller the procedure is for', async () => {
    for (const path of withInput) {
      for (const input of GARBAGE) {
        // Staff procedures refuse contractors and vice versa before reading input: ask whoever may call it.
        let error = await failure(call(admin, path, input));
        if (error instanceof TRPCError && error.code === 'FORBIDDEN')
          error = await failure(call(contractor, path, input));
        const label = `${path}(${JSON.stringify(input)})`;
        expect(error, `${label} accepted garbage`).toBeInstanceOf(TRPCError);
        expect((error as TRPCError).code, label).toBe('BAD_REQUEST');
        expect((error as TRPCError).cause, `${label}: not a validation error`).toBeInstanceOf(ZodError);
      }
    }
  });

  it('says what is wrong over HTTP in a sentence, not as the raw validation issues', async () => {
    const res = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req: new Request('http://localhost/api/trpc/jobs.send', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: '00000000-0000-4000-8000-000000000000',
          command: { type: 'RECALL', reason: '   ' },
        }),
      }),
      router: appRouter,
      createContext: () =>
        createContext({ db: db.db, engine: createEmbeddedEngine({ db: db.db }), user: admin, temporalUiUrl: null }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; data: { fieldErrors: unknown } } };
    expect(body.error.message).toBe('Enter the reason');
    expect(body.error.data.fieldErrors).toEqual({ command: [expect.any(String)] });
  });

  it('writes nothing when it refuses', async () => {
    const before = await fingerprint();
    for (const path of withInput) {
      await failure(call(admin, path, GARBAGE[0]));
      await failure(call(contractor, path, GARBAGE[0]));
    }
    expect(await fingerprint()).toEqual(before);
  });
});
