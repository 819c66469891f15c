// Form fields → API input for the directory's forms (shared by "add" pages and each record's page).
import { outcodeOf, parseDistricts } from '#lib/postcode.ts';
import { checked, list, num, optional, text } from './forms.ts';

export const propertyFrom = (f: FormData) => ({
  line1: text(f, 'line1'),
  line2: text(f, 'line2'),
  town: text(f, 'town'),
  postcode: text(f, 'postcode'),
  branchId: text(f, 'branchId'),
  lat: num(f, 'lat'),
  lng: num(f, 'lng'),
  accessNotes: optional(f, 'accessNotes'),
  // The landlord picker: one of the agency's, none (''), or "new" with the inline landlord's fields. A form
  // without the picker sends nothing, which leaves the landlord as it was.
  ...(!f.has('landlordId')
    ? {}
    : text(f, 'landlordId') === 'new'
      ? {
          newLandlord: {
            name: text(f, 'landlordName'),
            email: text(f, 'landlordEmail'),
            phone: text(f, 'landlordPhone'),
            billingAddress: text(f, 'landlordAddress'),
          },
        }
      : { landlordId: text(f, 'landlordId') }),
});

export const tenantFrom = (f: FormData) => ({
  name: text(f, 'name'),
  email: text(f, 'email'),
  phone: text(f, 'phone'),
  propertyId: text(f, 'propertyId'),
});

export const contractorFrom = (f: FormData) => {
  // Districts arrive as typed ("bs1, BS2 bs6 6la"); what is not a district goes on to the API as typed,
  // so the refusal names it.
  const { districts, invalid } = parseDistricts(text(f, 'coverage'));
  const trades = [...f.getAll('trades').map(String), ...list(f, 'otherTrades')];
  // The form shows the stored latitude and longitude, which for most bases are the old district's centre.
  // Left as shown while the base postcode changes, they are not a choice: send none, so the API locates
  // the new postcode. Edited, or with the postcode unchanged, they are sent as typed.
  const basePostcode = text(f, 'basePostcode');
  const [shownPostcode = '', shownLat = '', shownLng = ''] = text(f, 'baseShown').split('|');
  const district = (s: string) => outcodeOf(s) ?? s.trim().toUpperCase();
  const stale =
    f.has('baseShown') &&
    district(basePostcode) !== district(shownPostcode) &&
    text(f, 'baseLat').trim() === shownLat &&
    text(f, 'baseLng').trim() === shownLng;
  return {
    name: text(f, 'name'),
    company: text(f, 'company'),
    email: text(f, 'email'),
    phone: text(f, 'phone'),
    trades,
    coverage: [...districts, ...invalid],
    basePostcode,
    baseLat: stale ? undefined : num(f, 'baseLat'),
    baseLng: stale ? undefined : num(f, 'baseLng'),
    active: f.has('activeShown') ? checked(f, 'active') : true,
  };
};

/** "20", "17.5" or "17.5 %" → basis points (2000, 1750); null unless a percentage with at most two decimals. */
export function percentToBp(input: string): number | null {
  const m = /^\s*(\d{1,3})(?:\.(\d{1,2}))?\s*%?\s*$/.exec(input);
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : null;
}
