// Every UK postcode district, from three sources in order: postcodes.io (here a real HTTP server started by
// the test, answering as postcodes.io does), the `postcode_districts` table an operator imports from the ONS
// Postcode Directory (here a generated fixture file, run through the real command), and the demo table.
// Nothing here calls the internet.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateRawSync } from 'node:zlib';
import type { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractors, postcodeDistricts, properties } from '#db/schema/index.ts';
import { createContext } from '#lib/server/api/context.ts';
import { createCaller } from '#lib/server/api/root.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { distanceKm } from '#lib/server/map/isochrone.ts';
import { districtOf } from '#lib/server/map/outcodes.ts';
import { csvFields, summarise } from '#lib/server/map/postcode-import.ts';
import {
  createPostcodeLookup,
  DEFAULT_RADIUS_KM,
  postcodesIoClient,
  type PostcodeLookup,
} from '#lib/server/map/postcode-lookup.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';

// ---------------------------------------------------------------------------------------------------------
// A stand-in postcodes.io: the two endpoints Fettle uses, with its JSON shapes, a 404, a hang and an outage.

interface FakeService {
  url: string;
  requests: string[];
  /** Every request gets a 500 while true. */
  down: boolean;
  close: () => Promise<void>;
}

const KNOWN_POSTCODES: Record<string, [number, number]> = {
  'TR1 1AA': [50.2641, -5.0512],
  'BS1 5LJ': [51.4498, -2.5814],
  'ZE2 9AA': [60.155, -1.148],
};
const KNOWN_OUTCODES: Record<string, [number, number]> = { TR1: [50.2632, -5.0567], ZE2: [60.19, -1.21] };

async function startFakePostcodesIo(): Promise<FakeService> {
  const hung: ServerResponse[] = [];
  const service: FakeService = { url: '', requests: [], down: false, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? '');
    service.requests.push(path);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (service.down) return json(500, { status: 500, error: 'Internal server error' });
    if (path.includes('SLOW')) return void hung.push(res); // answers never
    const pc = /^\/postcodes\/(.+)$/.exec(path)?.[1]?.toUpperCase();
    const oc = /^\/outcodes\/(.+)$/.exec(path)?.[1]?.toUpperCase();
    const known = pc ? KNOWN_POSTCODES[pc] : oc ? KNOWN_OUTCODES[oc] : undefined;
    if (!known) return json(404, { status: 404, error: pc ? 'Postcode not found' : 'Outcode not found' });
    const [latitude, longitude] = known;
    if (pc)
      return json(200, {
        status: 200,
        result: { postcode: pc, outcode: pc.split(' ')[0], latitude, longitude, admin_district: 'Cornwall' },
      });
    return json(200, { status: 200, result: { outcode: oc, latitude, longitude, admin_district: ['Cornwall'] } });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.close = async () => {
    for (const res of hung) res.destroy();
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  return service;
}

// ---------------------------------------------------------------------------------------------------------
// A generated ONS Postcode Directory: a few thousand postcodes in six Cornish and Devon districts (none of
// them in the demo table), with terminated ones, ones without a grid reference and a few far outliers.

/** Deterministic pseudo-random numbers (mulberry32), so the fixture is the same every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIXTURE_DISTRICTS: Record<string, { lat: number; lng: number; spreadKm: number; n: number }> = {
  TR1: { lat: 50.2632, lng: -5.0567, spreadKm: 1.2, n: 700 },
  TR2: { lat: 50.2, lng: -4.95, spreadKm: 4, n: 600 },
  TR3: { lat: 50.22, lng: -5.12, spreadKm: 3, n: 500 },
  EX1: { lat: 50.7266, lng: -3.5155, spreadKm: 1, n: 650 },
  EX2: { lat: 50.71, lng: -3.53, spreadKm: 1.5, n: 600 },
  PL1: { lat: 50.3703, lng: -4.1427, spreadKm: 0.8, n: 450 },
};
const LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

interface Fixture {
  csv: string;
  /** The live postcodes' positions by district, as the import should find them. */
  live: Map<string, number[]>;
  rows: number;
  terminated: number;
  unplaced: number;
  invalid: number;
}

function onspdFixture(): Fixture {
  const next = random(20261205);
  const header = [
    'pcd',
    'pcd2',
    'pcds',
    'dointr',
    'doterm',
    'usertype',
    'oseast1m',
    'osnrth1m',
    'ctry',
    'lat',
    'long',
    'imd',
  ];
  const lines = [header.map((h) => `"${h}"`).join(',')];
  const live = new Map<string, number[]>();
  let rows = 0;
  let terminated = 0;
  let unplaced = 0;
  let invalid = 0;
  const row = (pcds: string, doterm: string, lat: string, lng: string) => {
    rows++;
    const [out = '', inward = ''] = pcds.split(' ');
    const pcd = `${out.padEnd(4, ' ')}${inward}`;
    lines.push(
      [pcd, `${out.padEnd(5, ' ')}${inward}`, pcds, '198001', doterm, '0', '181000', '45000', 'E92000001']
        .map((v) => `"${v}"`)
        .concat([lat, lng, '"12345"'])
        .join(','),
    );
  };
  for (const [outcode, d] of Object.entries(FIXTURE_DISTRICTS)) {
    const points: number[] = [];
    for (let i = 0; i < d.n; i++) {
      const unit = `${outcode} ${i % 9}${LETTERS[Math.floor(i / 9) % 20]}${LETTERS[Math.floor(i / 180) % 20]}`;
      // Uniform in a disc of spreadKm; every 100th postcode far out (8 km), which the 90th percentile ignores.
      const r = (i % 100 === 99 ? 8 : d.spreadKm * Math.sqrt(next())) / 111.2;
      const θ = 2 * Math.PI * next();
      const lat = Math.round((d.lat + r * Math.cos(θ)) * 1e6) / 1e6;
      const lng = Math.round((d.lng + (r * Math.sin(θ)) / Math.cos((d.lat * Math.PI) / 180)) * 1e6) / 1e6;
      if (i % 37 === 5) {
        terminated++;
        row(unit, '201203', lat.toFixed(6), lng.toFixed(6));
      } else if (i % 53 === 7) {
        unplaced++;
        row(unit, '', '99.999999', '0.000000');
      } else {
        points.push(lat, lng);
        row(unit, '', lat.toFixed(6), lng.toFixed(6));
      }
    }
    live.set(outcode, points);
  }
  for (const bad of ['NOT A PC', '', '12345']) {
    invalid++;
    row(bad, '', '50.1', '-5.1');
  }
  return { csv: `${lines.join('\r\n')}\r\n`, live, rows, terminated, unplaced, invalid };
}

/** A zip as the ONS ships one: a user guide beside the data, deflated. */
function zipOf(entries: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const body = deflateRawSync(e.data);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(e.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(entry, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

const runImport = (url: string, args: string[]) =>
  promisify(execFile)(process.execPath, ['scripts/postcodes-import.ts', ...args], {
    env: { ...process.env, DATABASE_URL: url },
  }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

// ---------------------------------------------------------------------------------------------------------

let database: TestDatabase;
let service: FakeService;
let dir: string;
let fixture: Fixture;
let a: Awaited<ReturnType<typeof createAgency>>;

const staffOf = (fx: typeof a): SessionUser => ({
  kind: 'staff',
  userId: fx.staff.id,
  name: 'Sam',
  email: fx.staff.email,
  agencyId: fx.agency.id,
  role: 'staff',
});
const as = (user: SessionUser, postcodes?: PostcodeLookup) =>
  createCaller(
    createContext({
      db: database.db,
      engine: createEmbeddedEngine({ db: database.db }),
      user,
      temporalUiUrl: null,
      postcodes,
    }),
  );
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as TRPCError,
  );

beforeAll(async () => {
  [database, service, dir] = await Promise.all([
    createTestDatabase(),
    startFakePostcodesIo(),
    mkdtemp(join(tmpdir(), 'fettle-postcodes-')),
  ]);
  fixture = onspdFixture();
  a = await createAgency(database.db, 'Cornish Lettings');
});
afterAll(async () => {
  await service?.close();
  await database?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the postcodes.io client', () => {
  it('reads a postcode and an outcode, says "not found" for a 404, and fails on a timeout or a 500', async () => {
    const client = postcodesIoClient(service.url, 300);
    expect(await client.postcode('TR1 1AA')).toEqual({
      ok: true,
      value: { postcode: 'TR1 1AA', outcode: 'TR1', lat: 50.2641, lng: -5.0512, source: 'postcodes.io' },
    });
    expect(await client.outcode('TR1')).toEqual({ ok: true, value: { lat: 50.2632, lng: -5.0567 } });
    expect(await client.postcode('TR1 9ZZ')).toEqual({ ok: true, value: null });
    expect(await client.outcode('QQ9')).toEqual({ ok: true, value: null });
    const started = Date.now();
    expect(await client.outcode('SLOW1')).toEqual({ ok: false, why: 'no answer in 300 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
    service.down = true;
    try {
      expect(await client.postcode('TR1 1AA')).toEqual({ ok: false, why: 'HTTP 500' });
    } finally {
      service.down = false;
    }
    expect(await postcodesIoClient('http://127.0.0.1:9', 300).outcode('TR1')).toMatchObject({ ok: false });
  });
});

describe('npm run postcodes:import', () => {
  it('loads the districts of an ONS Postcode Directory CSV, skipping terminated and unplaced postcodes', async () => {
    const path = join(dir, 'ONSPD_TEST_2026_UK.csv');
    await writeFile(path, fixture.csv);
    expect(fixture.rows).toBeGreaterThan(3000);
    const first = await runImport(database.url, [path]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const live = fixture.rows - fixture.terminated - fixture.unplaced - fixture.invalid;
    const n = (x: number) => x.toLocaleString('en-GB');
    expect(first.out).toContain(
      `Read ${n(fixture.rows)} postcodes from ONSPD_TEST_2026_UK.csv: ${n(live)} live, ${n(fixture.terminated)} terminated, ` +
        `${n(fixture.unplaced)} without a location, ${n(fixture.invalid)} not UK postcodes.`,
    );
    expect(first.out).toContain('Postcode districts: 6 (6 new, 0 updated, 0 unchanged)');

    const rows = await database.db.select().from(postcodeDistricts);
    expect(rows.map((r) => r.outcode).sort()).toEqual(['EX1', 'EX2', 'PL1', 'TR1', 'TR2', 'TR3']);
    for (const row of rows) {
      const points = fixture.live.get(row.outcode)!;
      const spec = FIXTURE_DISTRICTS[row.outcode]!;
      // The centre is the mean of the live postcodes; the circle holds about 90% of them, and outliers 8 km out
      // do not stretch it past the district's real spread.
      const mean = (k: 0 | 1) => points.filter((_, i) => i % 2 === k).reduce((s, x) => s + x, 0) / (points.length / 2);
      expect(row.lat).toBeCloseTo(mean(0), 5);
      expect(row.lng).toBeCloseTo(mean(1), 5);
      expect(row.postcodes).toBe(points.length / 2);
      let inside = 0;
      for (let i = 0; i < points.length; i += 2)
        if (distanceKm(row.lat, row.lng, points[i]!, points[i + 1]!) <= row.radiusKm + 0.01) inside++;
      expect(inside / (points.length / 2)).toBeGreaterThanOrEqual(0.9);
      expect(inside / (points.length / 2)).toBeLessThan(0.95);
      expect(row.radiusKm).toBeLessThan(spec.spreadKm * 1.05);
      expect(row.source).toBe('ONSPD_TEST_2026_UK.csv');
    }

    // The same file again changes nothing, and says so.
    const again = await runImport(database.url, [path]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('Postcode districts: 6 (0 new, 0 updated, 6 unchanged)');
    expect(await database.db.select().from(postcodeDistricts)).toHaveLength(6);
  });

  it('reads the CSV inside the zip the ONS ships, and a smaller "postcode districts" CSV', async () => {
    const zip = join(dir, 'ONSPD_TEST_2026.zip');
    await writeFile(
      zip,
      zipOf([
        { name: 'User Guide/readme.csv', data: Buffer.from('name,value\nguide,1\n') },
        { name: 'Data/ONSPD_TEST_2026_UK.csv', data: Buffer.from(fixture.csv) },
      ]),
    );
    const fromZip = await runImport(database.url, [zip]);
    expect(fromZip.err).toBe('');
    expect(fromZip.out).toContain(`Read ${fixture.rows.toLocaleString('en-GB')} postcodes from ONSPD_TEST_2026_UK.csv`);
    expect(fromZip.out).toContain('Postcode districts: 6 (0 new, 0 updated, 6 unchanged)');

    // One row per district, as the "postcode districts" downloads have: centres given, radius estimated.
    const districts = join(dir, 'postcode districts.csv');
    await writeFile(
      districts,
      '\uFEFFPostcode,Latitude,Longitude,Easting,Northing,Town/Area,Region,Postcodes,Active postcodes\n' +
        'KW15,58.98,-2.96,345000,1010000,Kirkwall,Scotland,500,450\n' +
        'KW16,58.96,-3.30,325000,1008000,Stromness,Scotland,300,280\n' +
        'HS1,58.21,-6.39,142000,933000,Stornoway,Scotland,400,390\n' +
        'XX,1,1,0,0,Nowhere,None,0,0\n',
    );
    const small = await runImport(database.url, [districts]);
    expect(small.err).toBe('');
    expect(small.out).toContain(
      'Read 4 districts from postcode districts.csv: 3 with a location, 0 without, 1 not UK districts.',
    );
    expect(small.out).toContain('Postcode districts: 3 (3 new, 0 updated, 0 unchanged)');
    const [kw15] = await database.db.select().from(postcodeDistricts).where(eq(postcodeDistricts.outcode, 'KW15'));
    // Half the way to Stromness (about 18 km away), within 0.5–10 km.
    expect(kw15).toMatchObject({ lat: 58.98, lng: -2.96, postcodes: 0 });
    expect(kw15!.radiusKm).toBeCloseTo(distanceKm(58.98, -2.96, 58.96, -3.3) / 2, 1);
    const [hs1] = await database.db.select().from(postcodeDistricts).where(eq(postcodeDistricts.outcode, 'HS1'));
    expect(hs1!.radiusKm).toBe(10);
  });

  it('says what is wrong with a file it cannot read, and how to call it', async () => {
    const wrong = join(dir, 'addresses.csv');
    await writeFile(wrong, 'name,postcode\nOak House,BS1 5LJ\n');
    const refused = await runImport(database.url, [wrong]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('addresses.csv has no latitude (lat) column');
    const missing = await runImport(database.url, [join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.csv: no such file');
    const none = await runImport(database.url, []);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: npm run postcodes:import -- <ONSPD .zip or .csv');
  });

  it('parses quoted CSV and takes the 90th percentile', () => {
    expect(csvFields('"AB1 0AA","a ""b""",,3.5')).toEqual(['AB1 0AA', 'a "b"', '', '3.5']);
    expect(csvFields('x,')).toEqual(['x', '']);
    // Ten points about 1..10 km east of a point: nine of their distances from the centre are within the radius.
    const points = Array.from({ length: 10 }, (_, i) => [51.5, -0.1 + (i + 1) / 69.5]).flat();
    const d = summarise('W1', points);
    expect(d.postcodes).toBe(10);
    expect(d.lat).toBeCloseTo(51.5, 6);
    expect(d.lng).toBeCloseTo(-0.1 + 5.5 / 69.5, 6);
    const distances = Array.from({ length: 10 }, (_, i) => distanceKm(d.lat, d.lng, 51.5, -0.1 + (i + 1) / 69.5)).sort(
      (x, y) => x - y,
    );
    expect(d.radiusKm).toBeCloseTo(distances[8]!, 2);
    expect(distances.filter((x) => x <= d.radiusKm + 0.005)).toHaveLength(10);
  });
});

describe('the postcode lookup', () => {
  it('asks postcodes.io first, then the imported table, then the demo table', async () => {
    const lookup = createPostcodeLookup({ db: database.db, serviceUrl: service.url, timeoutMs: 300, warn: () => {} });
    const [tr1] = await database.db.select().from(postcodeDistricts).where(eq(postcodeDistricts.outcode, 'TR1'));
    // postcodes.io knows TR1's centre; the imported table gives its measured radius.
    expect(await lookup.district('tr1')).toEqual({
      outcode: 'TR1',
      lat: 50.2632,
      lng: -5.0567,
      radiusKm: tr1!.radiusKm,
      source: 'postcodes.io',
    });
    // ZE2 only postcodes.io knows: a default circle.
    expect(await lookup.district('ZE2')).toMatchObject({ source: 'postcodes.io', radiusKm: DEFAULT_RADIUS_KM });
    // postcodes.io has never heard of TR3 (404): the imported table answers; BS1: the demo table.
    expect(await lookup.district('TR3')).toMatchObject({ outcode: 'TR3', source: 'imported' });
    expect(await lookup.district('BS1')).toEqual({ ...districtOf('BS1'), source: 'offline' });
    expect(await lookup.district('QQ9')).toBeNull();
    expect(await lookup.postcode('tr11aa')).toMatchObject({ postcode: 'TR1 1AA', lat: 50.2641, lng: -5.0512 });
    expect(await lookup.postcode('TR1 9ZZ')).toBeNull();

    // Answers are remembered: asking again does not reach the service.
    const before = service.requests.length;
    await lookup.districts(['TR1', 'TR3', 'ZE2']);
    expect(await lookup.postcode('TR1 1AA')).not.toBeNull();
    expect(service.requests.length).toBe(before);
  });

  it('falls back when the service fails, says so once, and says when it is back', async () => {
    const warnings: string[] = [];
    const lookup = createPostcodeLookup({
      db: database.db,
      serviceUrl: service.url,
      timeoutMs: 300,
      retryAfterMs: 0,
      warn: (m) => warnings.push(m),
    });
    service.down = true;
    try {
      expect(await lookup.district('TR1')).toMatchObject({ source: 'imported' });
      expect(await lookup.district('BS1')).toMatchObject({ source: 'offline' });
      expect(await lookup.postcode('TR1 1AA')).toBeNull();
      expect((await lookup.districts(['TR2', 'EX1', 'PL1'])).size).toBe(3);
    } finally {
      service.down = false;
    }
    expect(warnings).toEqual([
      `postcodes.io at ${service.url} is not answering (HTTP 500): using the imported and offline district tables until it does`,
    ]);
    expect(await lookup.district('TR1')).toMatchObject({ source: 'postcodes.io' });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toBe(`postcodes.io at ${service.url} is answering again`);

    // A service that hangs costs one timeout, then is left alone for a while: the next answers are immediate.
    const patient = createPostcodeLookup({
      db: database.db,
      serviceUrl: `${service.url}/SLOW`,
      timeoutMs: 300,
      warn: (m) => warnings.push(m),
    });
    let started = Date.now();
    expect(await patient.district('TR1')).toMatchObject({ source: 'imported' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    started = Date.now();
    expect(await patient.district('EX1')).toMatchObject({ source: 'imported' });
    expect(Date.now() - started).toBeLessThan(250);
    expect(warnings[2]).toContain('is not answering (no answer in 300 ms)');
  });
});

describe('the coverage map and the directory with every district', () => {
  beforeAll(async () => {
    await database.db
      .update(contractors)
      .set({ coverage: ['TR1', 'TR3', 'BS1', 'QQ9'], baseOutcode: 'TR2', baseLat: null, baseLng: null })
      .where(eq(contractors.id, a.contractors[0].id));
  });

  it('draws a district known only from the imported directory', async () => {
    const map = await as(staffOf(a)).coverage.map({ postcode: 'TR3 6AB' });
    const [tr2] = await database.db.select().from(postcodeDistricts).where(eq(postcodeDistricts.outcode, 'TR2'));
    const [tr3] = await database.db.select().from(postcodeDistricts).where(eq(postcodeDistricts.outcode, 'TR3'));
    expect(map.searched).toMatchObject({ outcode: 'TR3', lat: tr3!.lat, lng: tr3!.lng, located: 'district' });
    const pat = map.contractors.find((c) => c.id === a.contractors[0].id)!;
    expect(pat.covers).toBe(true);
    // Pat's base district (TR2) is placed from the imported table too.
    expect(pat.base).toEqual({ lat: tr2!.lat, lng: tr2!.lng });
    const tr3Drawn = map.districts.find((d) => d.outcode === 'TR3')!;
    expect(tr3Drawn).toMatchObject({ centre: { lat: tr3!.lat, lng: tr3!.lng }, source: 'imported' });
    // The ring is the measured radius around the centre.
    for (const [lat, lng] of tr3Drawn.ring!)
      expect(distanceKm(tr3!.lat, tr3!.lng, lat, lng)).toBeCloseTo(tr3!.radiusKm, 1);
    expect(map.districts.find((d) => d.outcode === 'BS1')).toMatchObject({ source: 'offline' });
    expect(map.unplaced).toEqual(['QQ9', 'SW1A']);
  });

  it('places a searched postcode exactly when postcodes.io knows it', async () => {
    const lookup = createPostcodeLookup({ db: database.db, serviceUrl: service.url, timeoutMs: 300, warn: () => {} });
    const map = await as(staffOf(a), lookup).coverage.map({ postcode: 'tr1 1aa' });
    expect(map.searched).toMatchObject({ outcode: 'TR1', lat: 50.2641, lng: -5.0512, located: 'postcode' });
    expect(map.districts.find((d) => d.outcode === 'TR1')).toMatchObject({ source: 'postcodes.io' });
  });

  it("fills a new or edited property's position from postcodes.io, and saves without one when it cannot", async () => {
    const lookup = createPostcodeLookup({ db: database.db, serviceUrl: service.url, timeoutMs: 300, warn: () => {} });
    const saved = await as(staffOf(a), lookup).properties.save({
      line1: '1 Lemon Street',
      town: 'Truro',
      postcode: 'tr11aa',
    });
    expect(saved).toMatchObject({ postcode: 'TR1 1AA', outcode: 'TR1', lat: 50.2641, lng: -5.0512 });
    // Typed coordinates win.
    const typed = await as(staffOf(a), lookup).properties.save({
      id: saved.id,
      line1: '1 Lemon Street',
      town: 'Truro',
      postcode: 'TR1 1AA',
      lat: 50.3,
      lng: -5.1,
    });
    expect(typed).toMatchObject({ lat: 50.3, lng: -5.1 });
    // Unknown to postcodes.io: saved, unplaced (a district centre is not passed off as the property's position).
    const unknown = await as(staffOf(a), lookup).properties.save({
      line1: '2 Lemon Street',
      town: 'Truro',
      postcode: 'TR1 9ZZ',
    });
    expect(unknown).toMatchObject({ outcode: 'TR1', lat: null, lng: null });
    // A hanging service delays the save by its timeout at most; a new job's new property is placed the same way.
    const hanging = createPostcodeLookup({
      db: database.db,
      serviceUrl: `${service.url}/SLOW`,
      timeoutMs: 300,
      warn: () => {},
    });
    const started = Date.now();
    const slow = await as(staffOf(a), hanging).properties.save({
      line1: '3 Lemon Street',
      town: 'Truro',
      postcode: 'TR1 1AA',
    });
    expect(slow).toMatchObject({ lat: null, lng: null });
    expect(Date.now() - started).toBeLessThan(2000);
    const job = await as(staffOf(a), lookup).jobs.create({
      title: 'Dripping tap',
      priorityCode: 'P3',
      newProperty: { line1: '4 Lemon Street', town: 'Truro', postcode: 'TR1 1AA' },
    });
    const [placed] = await database.db.select().from(properties).where(eq(properties.line1, '4 Lemon Street'));
    expect(placed).toMatchObject({ lat: 50.2641, lng: -5.0512 });
    expect(job.id).toBeTruthy();
  });

  it("places a contractor's base in a district from the imported directory, and asks for coordinates elsewhere", async () => {
    const [tr3] = await database.db.select().from(postcodeDistricts).where(eq(postcodeDistricts.outcode, 'TR3'));
    const profile = { name: 'Kit Kernow', email: 'kit@kernow.example', trades: ['roofing'], coverage: ['TR3'] };
    const kit = await as(staffOf(a)).contractors.save({ ...profile, basePostcode: 'TR3 6AB' });
    expect(kit).toMatchObject({ baseOutcode: 'TR3', baseLat: tr3!.lat, baseLng: tr3!.lng });
    const refused = await failure(as(staffOf(a)).contractors.save({ ...profile, id: kit.id, basePostcode: 'QQ9' }));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toContain('No offline location for QQ9');
  });
});
