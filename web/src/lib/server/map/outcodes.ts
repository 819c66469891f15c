// Approximate centres of the postcode districts the demo uses (Bristol and central Manchester), so the
// coverage map works with no internet and no postcode service. Each district is drawn as a circle of
// `radiusKm` around its centre: a stand-in for the real boundary, good enough to see who covers where.
// It is the last source the postcode lookup asks (./postcode-lookup.ts), after postcodes.io and the districts
// an operator imports from the ONS Postcode Directory (`npm run postcodes:import`).
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
  ['BS6', 51.47, -2.601, 1.0],
  ['BS7', 51.484, -2.585, 1.4],
  ['BS8', 51.459, -2.6215, 1.1],
  ['BS9', 51.494, -2.622, 1.6],
  ['BS10', 51.51, -2.596, 1.8],
  ['BS13', 51.414, -2.612, 1.6],
  ['BS14', 51.412, -2.564, 1.6],
  ['BS16', 51.486, -2.514, 2.2],
  ['M1', 53.4788, -2.236, 0.7],
  ['M2', 53.4808, -2.2455, 0.5],
  ['M3', 53.4858, -2.253, 0.8],
  ['M4', 53.4848, -2.227, 0.9],
  ['M13', 53.4605, -2.226, 1.2],
  ['M14', 53.4495, -2.225, 1.5],
  ['M15', 53.4665, -2.2515, 1.1],
  ['M16', 53.46, -2.276, 1.4],
  ['M20', 53.426, -2.231, 1.9],
];

const BY_OUTCODE = new Map(TABLE.map(([outcode, lat, lng, radiusKm]) => [outcode, { outcode, lat, lng, radiusKm }]));

export const districtOf = (outcode: string): District | null => BY_OUTCODE.get(outcode.toUpperCase()) ?? null;

/** The district's approximate area as a [lat, lng] ring. */
export const districtRing = (d: District): [number, number][] => circleRing(d.lat, d.lng, d.radiusKm, 32);
