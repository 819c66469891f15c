// Reference data shared by every agency: UK postcode districts and where they are, imported by an operator
// from the ONS Postcode Directory (`npm run postcodes:import`, scripts/postcodes-import.ts). The coverage map
// and base locations read it through the postcode lookup (web/src/lib/server/map/postcode-lookup.ts).
import { doublePrecision, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const postcodeDistricts = pgTable('postcode_districts', {
  /** The outward code ("BS1", "SW1A"), upper case. */
  outcode: text().primaryKey(),
  /** The centroid of the district's live postcodes (WGS84). */
  lat: doublePrecision().notNull(),
  lng: doublePrecision().notNull(),
  /** How far from the centre most of its postcodes lie (the 90th percentile): the circle the map draws. */
  radiusKm: doublePrecision().notNull(),
  /** Live postcodes the centre was computed from; 0 when the file gave district centres only. */
  postcodes: integer().notNull().default(0),
  /** Where the row came from, e.g. "ONSPD_MAY_2025_UK.csv". */
  source: text().notNull(),
  importedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
