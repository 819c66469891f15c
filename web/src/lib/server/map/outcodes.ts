// Approximate centres of the postcode districts the demo uses (Bristol and central Manchester), so the
// coverage map works with no internet and no postcode service. Each district is drawn as a circle of
// `radiusKm` around its centre: a stand-in for the real boundary, good enough to see who covers where.
// A real deployment would load the ONS postcode directory (or a boundary set) into a table instead.
import { circleRing } from './isochrone.ts';

export interface District {
  outcode: string;
  lat: number;
  lng: number;
  radiusKm: number;
}

const TABLE: [string, number, number, number][] = [
  ['BS1', 51.4537, -2.5935, 0.9],
  ['BS2', 51.4605, -2.5765, 1.1],
  ['BS3', 51.4395, -2.6055, 1.4],
  ['BS4', 51.4325, -2.5625, 1.6],
  ['BS5', 51.4625, -2.5545, 1.4],
  ['BS6', 51.4700, -2.6010, 1.0],
  ['BS7', 51.4840, -2.5850, 1.4],
  ['BS8', 51.4590, -2.6215, 1.1],
  ['BS9', 51.4940, -2.6220, 1.6],
  ['BS10', 51.5100, -2.5960, 1.8],
  ['BS13', 51.4140, -2.6120, 1.6],
  ['BS14', 51.4120, -2.5640, 1.6],
  ['BS16', 51.4860, -2.5140, 2.2],
  ['M1', 53.4788, -2.2360, 0.7],
  ['M2', 53.4808, -2.2455, 0.5],
  ['M3', 53.4858, -2.2530, 0.8],
  ['M4', 53.4848, -2.2270, 0.9],
  ['M13', 53.4605, -2.2260, 1.2],
  ['M14', 53.4495, -2.2250, 1.5],
  ['M15', 53.4665, -2.2515, 1.1],
  ['M16', 53.4600, -2.2760, 1.4],
  ['M20', 53.4260, -2.2310, 1.9],
];

const BY_OUTCODE = new Map(TABLE.map(([outcode, lat, lng, radiusKm]) => [outcode, { outcode, lat, lng, radiusKm }]));

export const districtOf = (outcode: string): District | null => BY_OUTCODE.get(outcode.toUpperCase()) ?? null;

/** The district's approximate area as a [lat, lng] ring. */
export const districtRing = (d: District): [number, number][] => circleRing(d.lat, d.lng, d.radiusKm, 32);
