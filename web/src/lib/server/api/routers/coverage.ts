// Data for the Coverage Map: where a searched postcode is, which contractors cover its district, each
// contractor's coverage areas (postcode districts, drawn as circles around centres from the postcode lookup —
// postcodes.io, the imported ONS directory, or the demo table: map/postcode-lookup.ts) and an estimated
// travel-time area around their base (or a real isochrone when ISOCHRONE_URL is set).
import { and, asc, eq, ilike } from 'drizzle-orm';
import { z } from 'zod';
import { contractors, properties } from '#db/schema/index.ts';
import { normalisePostcode, outcodeOf } from '#lib/postcode.ts';
import { distanceKm, travelArea } from '#lib/server/map/isochrone.ts';
import { districtRing } from '#lib/server/map/outcodes.ts';
import { postcodesOf } from '../context.ts';
import { router, staffProcedure } from '../trpc.ts';
import { TRPCError } from '@trpc/server';

const mapInput = z.object({
  /** A full postcode ("BS1 5LJ") or a district ("BS1"); empty shows every contractor. */
  postcode: z.string().trim().max(10).optional(),
  travelMinutes: z.number().int().min(5).max(60).default(20),
});

export const coverageRouter = router({
  map: staffProcedure.input(mapInput).query(async ({ ctx, input }) => {
    const lookup = postcodesOf(ctx);
    let searched: {
      outcode: string;
      postcode: string | null;
      lat: number | null;
      lng: number | null;
      /** From a property of ours there, the postcode itself (postcodes.io), its district's centre, or nowhere. */
      located: 'property' | 'postcode' | 'district' | 'unknown';
    } | null = null;
    if (input.postcode) {
      const outcode = outcodeOf(input.postcode);
      if (!outcode)
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `“${input.postcode}” is not a UK postcode or district, e.g. BS1 5LJ or BS1`,
        });
      const postcode = normalisePostcode(input.postcode);
      // A property of ours at that postcode has an exact position; otherwise the district's centre.
      const [property] = postcode
        ? await ctx.db
            .select({ lat: properties.lat, lng: properties.lng })
            .from(properties)
            .where(and(eq(properties.agencyId, ctx.agencyId), ilike(properties.postcode, postcode)))
            .limit(1)
        : [];
      const hasPosition = property?.lat != null && property.lng != null;
      const exact = !hasPosition && postcode ? await lookup.postcode(postcode) : null;
      const district = hasPosition || exact ? null : await lookup.district(outcode);
      if (property?.lat != null && property.lng != null)
        searched = { outcode, postcode, lat: property.lat, lng: property.lng, located: 'property' };
      else if (exact) searched = { outcode, postcode, lat: exact.lat, lng: exact.lng, located: 'postcode' };
      else if (district) searched = { outcode, postcode, lat: district.lat, lng: district.lng, located: 'district' };
      else searched = { outcode, postcode, lat: null, lng: null, located: 'unknown' };
    }

    const rows = await ctx.db
      .select()
      .from(contractors)
      .where(and(eq(contractors.agencyId, ctx.agencyId), eq(contractors.active, true)))
      .orderBy(asc(contractors.name));
    // Every district the page needs, in one go: coverage, bases without coordinates, and the searched one.
    const known = await lookup.districts([
      ...new Set([
        ...rows.flatMap((c) => c.coverage),
        ...rows.flatMap((c) => (c.baseOutcode && c.baseLat == null ? [c.baseOutcode] : [])),
        ...(searched ? [searched.outcode] : []),
      ]),
    ]);
    const list = await Promise.all(
      rows.map(async (c) => {
        const baseDistrict = c.baseOutcode ? known.get(c.baseOutcode) : null;
        const base =
          c.baseLat != null && c.baseLng != null
            ? { lat: c.baseLat, lng: c.baseLng }
            : baseDistrict
              ? { lat: baseDistrict.lat, lng: baseDistrict.lng }
              : null;
        return {
          id: c.id,
          name: c.name,
          company: c.company,
          trades: c.trades,
          coverage: c.coverage,
          baseOutcode: c.baseOutcode,
          base,
          covers: searched ? c.coverage.includes(searched.outcode) : null,
          /** From the searched postcode to their base, straight line, to one decimal; null when either is not placed. */
          distanceKm:
            base && searched?.lat != null && searched.lng != null
              ? Math.round(distanceKm(searched.lat, searched.lng, base.lat, base.lng) * 10) / 10
              : null,
          travel: base ? await travelArea(base.lat, base.lng, input.travelMinutes, ctx.isochroneUrl) : null,
        };
      }),
    );

    const outcodes = [...new Set(list.flatMap((c) => c.coverage).concat(searched ? [searched.outcode] : []))].sort();
    const districts = outcodes.map((outcode) => {
      const d = known.get(outcode);
      return {
        outcode,
        centre: d ? { lat: d.lat, lng: d.lng } : null,
        ring: d ? districtRing(d) : null,
        /** postcodes.io, the imported ONS directory, or the offline demo table. */
        source: d?.source ?? null,
      };
    });
    return {
      searched,
      travelMinutes: input.travelMinutes,
      contractors: list,
      districts,
      /** Districts without a known position: listed, not drawn. */
      unplaced: districts.filter((d) => !d.centre).map((d) => d.outcode),
    };
  }),
});
