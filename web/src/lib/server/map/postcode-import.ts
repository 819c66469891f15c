// Loads the `postcode_districts` table from a file an operator downloads (scripts/postcodes-import.ts):
//  - the ONS Postcode Directory (ONSPD), as its CSV or the zip it comes in: one row per postcode, with
//    `pcds` (or `pcd`/`pcd7`/`pcd8`), `lat`, `long` and `doterm`. Terminated postcodes (a `doterm`) and those
//    without a grid reference (lat 99.999999) are skipped; the rest are grouped by district, whose centre is
//    their mean position and whose radius is the 90th percentile of their distances from it, so one outlying
//    postcode does not inflate the circle;
//  - a "postcode districts" CSV: one row per district (`postcode`/`outcode`/`district`, `latitude`,
//    `longitude`, optionally `radius_km`). Without a radius, half the distance to the nearest other district
//    in the file stands in (between 0.5 and 10 km).
// The file is streamed (the ONSPD is over a gigabyte unzipped); only positions are kept, grouped by district.
// Rows are upserted in batches, so running it again (or with a newer file) is safe.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { postcodeDistricts } from '#db/schema/index.ts';
import { normalisePostcode, outcodeOf } from '#lib/postcode.ts';
import { distanceKm } from './isochrone.ts';

export interface ImportCounts {
  /** "postcodes" (ONSPD-style, one row per postcode) or "districts" (one row per district). */
  format: 'postcodes' | 'districts';
  rows: number;
  /** Rows used. */
  live: number;
  terminated: number;
  /** No position (ONS's 99.999999 placeholder, or blank). */
  unplaced: number;
  /** Not a UK postcode or district. */
  invalid: number;
  districts: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

export class PostcodeFileError extends Error {
  override name = 'PostcodeFileError';
}

const POSTCODE_COLUMNS = [
  'pcds',
  'pcd',
  'pcd7',
  'pcd8',
  'pcd2',
  'postcode',
  'postcode district',
  'outcode',
  'district',
];
const LAT_COLUMNS = ['lat', 'latitude'];
const LNG_COLUMNS = ['long', 'lng', 'lon', 'longitude'];
const BATCH = 500;
export const PERCENTILE = 0.9;
const MIN_RADIUS_KM = 0.2;

/** One CSV line's fields (RFC 4180 quoting; the ONS files have no line breaks inside fields). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      const comma = line.indexOf(',', i);
      out.push(value);
      if (comma < 0) break;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      out.push((comma < 0 ? line.slice(i) : line.slice(i, comma)).trim());
      if (comma < 0) break;
      i = comma + 1;
    }
  }
  return out;
}

/** Where the ONS puts "no grid reference": lat 99.999999, long 0. */
const placed = (lat: number, lng: number) =>
  Number.isFinite(lat) && Number.isFinite(lng) && lat > 49 && lat < 61 && lng > -9 && lng < 3;

interface District {
  outcode: string;
  lat: number;
  lng: number;
  radiusKm: number;
  postcodes: number;
}

/** The centre and 90th-percentile radius of a district's postcodes (flat [lat, lng, lat, lng, …]). */
export function summarise(outcode: string, points: number[]): District {
  const n = points.length / 2;
  let sumLat = 0;
  let sumLng = 0;
  for (let i = 0; i < points.length; i += 2) {
    sumLat += points[i] ?? 0;
    sumLng += points[i + 1] ?? 0;
  }
  const lat = sumLat / n;
  const lng = sumLng / n;
  const distances: number[] = [];
  for (let i = 0; i < points.length; i += 2)
    distances.push(distanceKm(lat, lng, points[i] ?? lat, points[i + 1] ?? lng));
  distances.sort((a, b) => a - b);
  const p = distances[Math.min(distances.length - 1, Math.ceil(PERCENTILE * distances.length) - 1)] ?? 0;
  return {
    outcode,
    lat: round(lat, 6),
    lng: round(lng, 6),
    radiusKm: round(Math.max(p, MIN_RADIUS_KM), 2),
    postcodes: n,
  };
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** A radius for districts given only as centres: half the way to the nearest other one, within 0.5–10 km. */
function nearestNeighbourRadii(centres: { outcode: string; lat: number; lng: number; radiusKm?: number }[]) {
  return centres.map((c) => {
    if (c.radiusKm !== undefined) return { ...c, radiusKm: c.radiusKm };
    let nearest = Infinity;
    for (const o of centres) if (o !== c) nearest = Math.min(nearest, distanceKm(c.lat, c.lng, o.lat, o.lng));
    return { ...c, radiusKm: round(Math.min(10, Math.max(0.5, Number.isFinite(nearest) ? nearest / 2 : 2)), 2) };
  });
}

/** Reads the file's lines: a CSV as it is, or the CSV inside a zip (the largest one: ONSPD's whole-UK file). */
export async function openLines(path: string): Promise<{ lines: AsyncIterable<string>; name: string }> {
  const handle = await open(path, 'r');
  const magic = Buffer.alloc(4);
  try {
    await handle.read(magic, 0, 4, 0);
  } finally {
    await handle.close();
  }
  let stream: Readable;
  let name = basename(path);
  if (magic.readUInt32LE(0) === 0x04034b50) {
    const entry = await largestCsvInZip(path);
    name = basename(entry.name);
    const raw = createReadStream(path, { start: entry.dataStart, end: entry.dataStart + entry.compressedSize - 1 });
    stream = entry.method === 8 ? raw.pipe(createInflateRaw()) : raw;
    if (entry.method !== 8 && entry.method !== 0)
      throw new PostcodeFileError(`${entry.name} in the zip is compressed in a way this command cannot read`);
  } else stream = createReadStream(path);
  return { lines: createInterface({ input: stream, crlfDelay: Infinity }), name };
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  dataStart: number;
}

/** The central directory of a zip (with Zip64 sizes and offsets), and the biggest .csv it holds. */
async function largestCsvInZip(path: string): Promise<ZipEntry> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 65_557 + 20);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    if (eocd < 0) throw new PostcodeFileError(`${basename(path)} is not a readable zip file`);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (
      (cdOffset === 0xffffffff || cdSize === 0xffffffff) &&
      eocd >= 20 &&
      tail.readUInt32LE(eocd - 20) === 0x07064b50
    ) {
      const at = Number(tail.readBigUInt64LE(eocd - 20 + 8));
      const z64 = Buffer.alloc(56);
      await handle.read(z64, 0, 56, at);
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    const cd = Buffer.alloc(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    let best: (Omit<ZipEntry, 'dataStart'> & { size: number; localHeader: number; csv: boolean }) | null = null;
    let entries = 0;
    for (let p = 0; p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50;) {
      const method = cd.readUInt16LE(p + 10);
      let compressedSize = cd.readUInt32LE(p + 20);
      let size = cd.readUInt32LE(p + 24);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      let localHeader = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLength);
      // Zip64: the sizes and offset that overflowed 32 bits are in extra field 0x0001, in this order.
      for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength;) {
        const id = cd.readUInt16LE(e);
        const length = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let f = e + 4;
          const next = () => {
            const v = Number(cd.readBigUInt64LE(f));
            f += 8;
            return v;
          };
          if (size === 0xffffffff) size = next();
          if (compressedSize === 0xffffffff) compressedSize = next();
          if (localHeader === 0xffffffff) localHeader = next();
        }
        e += 4 + length;
      }
      const csv = /\.csv$/i.test(name);
      // The biggest .csv; failing any, a zip of one file is taken to be the CSV (e.g. zipped from a pipe).
      if ((csv || entries === 0) && (!best || (csv && !best.csv) || (csv === best.csv && size > best.size)))
        best = { name, method, compressedSize, size, localHeader, csv };
      entries++;
      p += 46 + nameLength + extraLength + commentLength;
    }
    if (!best || (!best.csv && entries > 1)) throw new PostcodeFileError(`${basename(path)} holds no .csv file`);
    const local = Buffer.alloc(30);
    await handle.read(local, 0, 30, best.localHeader);
    if (local.readUInt32LE(0) !== 0x04034b50) throw new PostcodeFileError(`${basename(path)} is a damaged zip file`);
    const dataStart = best.localHeader + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    return { name: best.name, method: best.method, compressedSize: best.compressedSize, dataStart };
  } finally {
    await handle.close();
  }
}

/** Reads the file and upserts its districts; `progress` hears how far it has got, now and then. */
export async function importPostcodeFile(
  db: Database,
  path: string,
  options: { progress?: (rows: number) => void } = {},
): Promise<ImportCounts & { source: string }> {
  const { lines, name: source } = await openLines(path);
  const counts: ImportCounts = {
    format: 'postcodes',
    rows: 0,
    live: 0,
    terminated: 0,
    unplaced: 0,
    invalid: 0,
    districts: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
  };
  let columns: { postcode: number; lat: number; lng: number; doterm: number; radius: number } | null = null;
  const points = new Map<string, number[]>();
  const centres = new Map<string, { outcode: string; lat: number; lng: number; radiusKm?: number }>();
  for await (const line of lines) {
    if (!columns) {
      const header = csvFields(line.replace(/^\uFEFF/, '')).map((h) => h.trim().toLowerCase());
      const find = (names: string[]) => names.map((n) => header.indexOf(n)).find((i) => i >= 0) ?? -1;
      columns = {
        postcode: find(POSTCODE_COLUMNS),
        lat: find(LAT_COLUMNS),
        lng: find(LNG_COLUMNS),
        doterm: find(['doterm']),
        radius: find(['radius_km', 'radius']),
      };
      if (columns.postcode < 0 || columns.lat < 0 || columns.lng < 0)
        throw new PostcodeFileError(
          `${source} has no ${columns.postcode < 0 ? 'postcode (pcds/pcd/postcode)' : columns.lat < 0 ? 'latitude (lat)' : 'longitude (long)'} column: ` +
            'expected the ONS Postcode Directory CSV (pcds, lat, long, doterm) or a districts CSV (postcode, latitude, longitude)',
        );
      continue;
    }
    if (!line.trim()) continue;
    counts.rows++;
    if (options.progress && counts.rows % 250_000 === 0) options.progress(counts.rows);
    const f = csvFields(line);
    const value = f[columns.postcode] ?? '';
    if (columns.doterm >= 0 && (f[columns.doterm] ?? '').trim()) {
      counts.terminated++;
      continue;
    }
    const lat = Number.parseFloat(f[columns.lat] ?? '');
    const lng = Number.parseFloat(f[columns.lng] ?? '');
    const full = normalisePostcode(value);
    const outcode = full ? outcodeOf(full) : outcodeOf(value);
    if (!outcode) {
      counts.invalid++;
      continue;
    }
    if (!placed(lat, lng)) {
      counts.unplaced++;
      continue;
    }
    counts.live++;
    if (full) {
      let list = points.get(outcode);
      if (!list) points.set(outcode, (list = []));
      list.push(lat, lng);
    } else {
      const radius = columns.radius >= 0 ? Number.parseFloat(f[columns.radius] ?? '') : NaN;
      centres.set(outcode, { outcode, lat, lng, ...(radius > 0 ? { radiusKm: radius } : {}) });
    }
  }
  if (!columns) throw new PostcodeFileError(`${source} is empty`);
  if (points.size === 0 && centres.size > 0) counts.format = 'districts';

  const districts: District[] = [...points].map(([outcode, list]) => summarise(outcode, list));
  // A file with both kinds of row: a district measured from its postcodes wins over a given centre.
  const given = [...centres.values()].filter((c) => !points.has(c.outcode));
  for (const c of nearestNeighbourRadii(given)) districts.push({ ...c, postcodes: 0 });
  districts.sort((a, b) => a.outcode.localeCompare(b.outcode));
  counts.districts = districts.length;

  for (let i = 0; i < districts.length; i += BATCH) {
    const batch = districts.slice(i, i + BATCH).map((d) => ({ ...d, source }));
    const written = await db
      .insert(postcodeDistricts)
      .values(batch)
      .onConflictDoUpdate({
        target: postcodeDistricts.outcode,
        set: {
          lat: sql`excluded.lat`,
          lng: sql`excluded.lng`,
          radiusKm: sql`excluded.radius_km`,
          postcodes: sql`excluded.postcodes`,
          source: sql`excluded.source`,
          importedAt: sql`now()`,
        },
        // The same file again changes nothing (and says so).
        setWhere: sql`(${postcodeDistricts.lat}, ${postcodeDistricts.lng}, ${postcodeDistricts.radiusKm}, ${postcodeDistricts.postcodes}) is distinct from (excluded.lat, excluded.lng, excluded.radius_km, excluded.postcodes)`,
      })
      .returning({ inserted: sql<boolean>`(xmax = 0)` });
    for (const w of written)
      if (w.inserted) counts.inserted++;
      else counts.updated++;
  }
  counts.unchanged = counts.districts - counts.inserted - counts.updated;
  return { ...counts, source };
}
