// Where a postcode or a postcode district is, from the best source that answers:
//   1. postcodes.io at POSTCODES_IO_URL, when set (the public https://api.postcodes.io, or a self-hosted one:
//      the compose profile `postcodes`), with a short timeout and an in-process cache;
//   2. the `postcode_districts` table, loaded by an operator from the ONS Postcode Directory
//      (`npm run postcodes:import`, scripts/postcodes-import.ts);
//   3. the small offline table of demo districts (./outcodes.ts), so the demo works with nothing else.
// A service that fails (unreachable, slow, a 5xx, nonsense) is skipped for that call and logged once per
// outage; "no such postcode" (404) is an answer, not a failure. Nothing here throws for lack of a location.
import { inArray } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { postcodeDistricts } from '#db/schema/index.ts';
import { normalisePostcode, outcodeOf } from '#lib/postcode.ts';
import { districtOf, type District } from './outcodes.ts';

/** A district's centre and the radius its circle is drawn with, and which source said so. */
export interface DistrictPlace extends District {
  source: 'postcodes.io' | 'imported' | 'offline';
}

/** A full postcode's own position (not its district's centre). */
export interface PostcodePlace {
  postcode: string;
  outcode: string;
  lat: number;
  lng: number;
  source: 'postcodes.io';
}

export interface PostcodeLookup {
  /** The postcode's own position; null when no source knows it precisely (the district may still be known). */
  postcode(postcode: string): Promise<PostcodePlace | null>;
  /** The district's centre; null when no source knows it. */
  district(outcode: string): Promise<DistrictPlace | null>;
  /** Several districts at once (the coverage map): the ones some source knows, by outcode. */
  districts(outcodes: readonly string[]): Promise<Map<string, DistrictPlace>>;
}

/** A district postcodes.io places but nobody has measured: a circle of this radius stands in. */
export const DEFAULT_RADIUS_KM = 2;
export const SERVICE_TIMEOUT_MS = 1500;
const SERVICE_CONCURRENCY = 8;

export interface PostcodeLookupOptions {
  /** The app database, for the imported `postcode_districts` table; without it, only the other sources. */
  db?: Database;
  /** postcodes.io's base URL (POSTCODES_IO_URL); unset: the service is not asked. */
  serviceUrl?: string;
  timeoutMs?: number;
  /** Where "the service is failing" goes, once per outage. */
  warn?: (message: string) => void;
  /** How long answers from the service are remembered; "not found" for a tenth of that. */
  cacheMs?: number;
  cacheMax?: number;
  /** After a failure the service is left alone this long (every source after it still answers). */
  retryAfterMs?: number;
  now?: () => number;
}

type ServiceAnswer<T> = { ok: true; value: T | null } | { ok: false };

/** postcodes.io's JSON, as far as it is read here. */
interface PostcodeResult {
  postcode?: unknown;
  outcode?: unknown;
  latitude?: unknown;
  longitude?: unknown;
}

const latLng = (lat: unknown, lng: unknown): { lat: number; lng: number } | null =>
  typeof lat === 'number' &&
  typeof lng === 'number' &&
  Number.isFinite(lat) &&
  Number.isFinite(lng) &&
  Math.abs(lat) <= 90 &&
  Math.abs(lng) <= 180
    ? { lat, lng }
    : null;

/**
 * A client for postcodes.io's `/postcodes/<postcode>` and `/outcodes/<outcode>`: the answer, `value: null` for a
 * 404 (no such postcode), or `ok: false` when the service failed. Exported for the tests.
 */
export function postcodesIoClient(baseUrl: string, timeoutMs = SERVICE_TIMEOUT_MS) {
  const base = baseUrl.replace(/\/+$/, '');
  async function get(path: string): Promise<ServiceAnswer<PostcodeResult> & { why?: string }> {
    try {
      const res = await fetch(`${base}${path}`, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { accept: 'application/json' },
      });
      if (res.status === 404) {
        await res.body?.cancel();
        return { ok: true, value: null };
      }
      if (!res.ok) {
        await res.body?.cancel();
        return { ok: false, why: `HTTP ${res.status}` };
      }
      const body = (await res.json()) as { result?: unknown };
      const result = body?.result;
      if (result === null) return { ok: true, value: null };
      if (typeof result !== 'object' || Array.isArray(result)) return { ok: false, why: 'an answer without a result' };
      return { ok: true, value: result };
    } catch (e) {
      const err = e as Error;
      return { ok: false, why: err.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : err.message };
    }
  }
  return {
    async postcode(postcode: string): Promise<ServiceAnswer<PostcodePlace> & { why?: string }> {
      const a = await get(`/postcodes/${encodeURIComponent(postcode)}`);
      if (!a.ok || !a.value) return a.ok ? { ok: true, value: null } : a;
      const { latitude, longitude, outcode } = a.value;
      // A real postcode without a grid reference (some new or non-geographic ones) has null coordinates.
      const at = latLng(latitude, longitude);
      if (!at) return { ok: true, value: null };
      return {
        ok: true,
        value: {
          postcode: normalisePostcode(typeof a.value.postcode === 'string' ? a.value.postcode : postcode) ?? postcode,
          outcode: typeof outcode === 'string' ? outcode.toUpperCase() : (outcodeOf(postcode) ?? postcode),
          ...at,
          source: 'postcodes.io',
        },
      };
    },
    async outcode(outcode: string): Promise<ServiceAnswer<{ lat: number; lng: number }> & { why?: string }> {
      const a = await get(`/outcodes/${encodeURIComponent(outcode)}`);
      if (!a.ok || !a.value) return a.ok ? { ok: true, value: null } : a;
      return { ok: true, value: latLng(a.value.latitude, a.value.longitude) };
    },
  };
}

/** The imported table's rows for these districts. */
async function imported(db: Database, outcodes: readonly string[]): Promise<Map<string, DistrictPlace>> {
  if (outcodes.length === 0) return new Map();
  const rows = await db
    .select({
      outcode: postcodeDistricts.outcode,
      lat: postcodeDistricts.lat,
      lng: postcodeDistricts.lng,
      radiusKm: postcodeDistricts.radiusKm,
    })
    .from(postcodeDistricts)
    .where(inArray(postcodeDistricts.outcode, [...outcodes]));
  return new Map(rows.map((r) => [r.outcode, { ...r, source: 'imported' as const }]));
}

export function createPostcodeLookup(options: PostcodeLookupOptions = {}): PostcodeLookup {
  const {
    db,
    serviceUrl,
    timeoutMs = SERVICE_TIMEOUT_MS,
    warn = (m: string) => console.warn(m),
    cacheMs = 24 * 60 * 60 * 1000,
    cacheMax = 5000,
    retryAfterMs = 30_000,
    now = Date.now,
  } = options;
  const service = serviceUrl ? postcodesIoClient(serviceUrl, timeoutMs) : null;
  const cache = new Map<string, { value: unknown; until: number }>();
  let failing = false;
  let failedAt = 0;

  /** Asks the service through the cache; undefined when it failed (then the next source answers). */
  async function ask<T>(
    key: string,
    call: () => Promise<ServiceAnswer<T> & { why?: string }>,
  ): Promise<T | null | undefined> {
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.value as T | null;
    // During an outage each page would otherwise wait out the timeout: ask again only now and then.
    if (failing && now() - failedAt < retryAfterMs) return undefined;
    const answer = await call();
    if (!answer.ok) {
      if (!failing)
        warn(
          `postcodes.io at ${serviceUrl} is not answering (${answer.why ?? 'failed'}): using the imported and offline district tables until it does`,
        );
      failing = true;
      failedAt = now();
      return undefined;
    }
    if (failing) warn(`postcodes.io at ${serviceUrl} is answering again`);
    failing = false;
    cache.delete(key);
    cache.set(key, { value: answer.value, until: now() + (answer.value ? cacheMs : cacheMs / 10) });
    const oldest = cache.keys().next();
    if (cache.size > cacheMax && !oldest.done) cache.delete(oldest.value);
    return answer.value;
  }

  async function districts(list: readonly string[]): Promise<Map<string, DistrictPlace>> {
    const outcodes = [...new Set(list.map((o) => o.trim().toUpperCase()).filter(Boolean))];
    const out = new Map<string, DistrictPlace>();
    // The imported table and the demo table also give each district's radius, whoever gives its centre.
    let table = new Map<string, DistrictPlace>();
    if (db)
      try {
        table = await imported(db, outcodes);
      } catch (e) {
        warn(`The postcode_districts table could not be read (${(e as Error).message}): using the other sources`);
      }
    // A few at a time: a cold map of many contractors would otherwise fire hundreds of requests at once.
    const fromService: ({ lat: number; lng: number } | null | undefined)[] = [];
    if (service)
      for (let i = 0; i < outcodes.length; i += SERVICE_CONCURRENCY)
        fromService.push(
          ...(await Promise.all(
            outcodes.slice(i, i + SERVICE_CONCURRENCY).map((o) => ask(`outcode:${o}`, () => service.outcode(o))),
          )),
        );
    outcodes.forEach((outcode, i) => {
      const demo = districtOf(outcode);
      const known = table.get(outcode) ?? (demo ? { ...demo, source: 'offline' as const } : null);
      const centre = fromService[i];
      if (centre)
        out.set(outcode, {
          outcode,
          lat: centre.lat,
          lng: centre.lng,
          radiusKm: known?.radiusKm ?? DEFAULT_RADIUS_KM,
          source: 'postcodes.io',
        });
      else if (known) out.set(outcode, known);
    });
    return out;
  }

  return {
    async postcode(input) {
      const postcode = normalisePostcode(input);
      if (!postcode || !service) return null;
      return (await ask(`postcode:${postcode}`, () => service.postcode(postcode))) ?? null;
    },
    async district(outcode) {
      const key = outcode.trim().toUpperCase();
      return (await districts([key])).get(key) ?? null;
    },
    districts,
  };
}

/** One lookup per database and service URL, so its cache lasts across requests. */
const shared = new WeakMap<Database, Map<string, PostcodeLookup>>();
export function sharedPostcodeLookup(db: Database, serviceUrl?: string): PostcodeLookup {
  let byUrl = shared.get(db);
  if (!byUrl) shared.set(db, (byUrl = new Map<string, PostcodeLookup>()));
  let lookup = byUrl.get(serviceUrl ?? '');
  if (!lookup) byUrl.set(serviceUrl ?? '', (lookup = createPostcodeLookup({ db, serviceUrl })));
  return lookup;
}
