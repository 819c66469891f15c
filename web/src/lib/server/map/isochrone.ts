// Travel-time areas around a contractor's base. Offline (the default) it is an estimate: a circle whose
// radius is how far an average urban speed gets you in the time, straight-line, and it says so.
// Set ISOCHRONE_URL to use a real service: GET {url}?lat=&lng=&minutes= returning a GeoJSON Polygon
// (or a Feature / FeatureCollection with one); any failure falls back to the estimate.
export interface TravelArea {
  /** [lat, lng] ring. */
  ring: [number, number][];
  minutes: number;
  estimate: boolean;
  source: string;
}

export const ESTIMATE_KMH = 20;
const EARTH_KM = 6371;

/** Straight-line (great-circle) distance in km between two points. */
export function distanceKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.sqrt(h));
}

/** A ring of `points` around a centre at `radiusKm` (spherical approximation, fine at city scale). */
export function circleRing(lat: number, lng: number, radiusKm: number, points = 48): [number, number][] {
  const ring: [number, number][] = [];
  const d = radiusKm / EARTH_KM;
  const φ1 = (lat * Math.PI) / 180;
  const λ1 = (lng * Math.PI) / 180;
  for (let i = 0; i < points; i++) {
    const θ = (2 * Math.PI * i) / points;
    const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(θ));
    const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
    ring.push([(φ2 * 180) / Math.PI, (λ2 * 180) / Math.PI]);
  }
  return ring;
}

export function estimatedArea(lat: number, lng: number, minutes: number): TravelArea {
  return {
    ring: circleRing(lat, lng, (ESTIMATE_KMH * minutes) / 60),
    minutes,
    estimate: true,
    source: `estimate: straight line at ${ESTIMATE_KMH} km/h`,
  };
}

type Geo = { type: string; coordinates?: number[][][]; geometry?: Geo; features?: Geo[] };
function firstRing(g: Geo | undefined): [number, number][] | null {
  if (!g) return null;
  if (g.type === 'Polygon' && g.coordinates?.[0])
    return g.coordinates[0].flatMap(([x, y]) =>
      x === undefined || y === undefined ? [] : [[y, x] as [number, number]],
    );
  if (g.type === 'Feature') return firstRing(g.geometry);
  if (g.type === 'FeatureCollection') return firstRing(g.features?.[0]);
  return null;
}

/**
 * Areas from the service, remembered for an hour: a map search asks for every contractor's base, and bases
 * rarely move, so without this each search would make one service call per contractor. Bounded, oldest out.
 */
const remembered = new Map<string, { area: TravelArea; until: number }>();
const REMEMBER_MS = 60 * 60 * 1000;
const REMEMBER_MAX = 1000;

export async function travelArea(
  lat: number,
  lng: number,
  minutes: number,
  serviceUrl?: string,
  now = Date.now(),
): Promise<TravelArea> {
  if (!serviceUrl) return estimatedArea(lat, lng, minutes);
  const key = `${serviceUrl}|${lat}|${lng}|${minutes}`;
  const hit = remembered.get(key);
  if (hit && hit.until > now) return hit.area;
  const area = await askService(lat, lng, minutes, serviceUrl);
  // Only real answers are remembered: an estimate after a failure should not outlive the outage.
  if (!area.estimate) {
    remembered.delete(key);
    remembered.set(key, { area, until: now + REMEMBER_MS });
    if (remembered.size > REMEMBER_MAX) remembered.delete(remembered.keys().next().value!);
  }
  return area;
}

async function askService(lat: number, lng: number, minutes: number, serviceUrl: string): Promise<TravelArea> {
  try {
    const u = new URL(serviceUrl);
    u.searchParams.set('lat', String(lat));
    u.searchParams.set('lng', String(lng));
    u.searchParams.set('minutes', String(minutes));
    const res = await fetch(u, { signal: AbortSignal.timeout(3000) });
    const ring = res.ok ? firstRing((await res.json()) as Geo) : null;
    if (ring && ring.length >= 3) return { ring, minutes, estimate: false, source: u.host };
  } catch {
    // Unreachable or malformed: the estimate is better than no area.
  }
  return estimatedArea(lat, lng, minutes);
}
