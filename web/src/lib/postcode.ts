// UK postcodes: normalising what people type, and the district ("outcode") coverage is matched on.
const FULL = /^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$/;
const DISTRICT = /^[A-Z]{1,2}\d[A-Z\d]?$/;

/** "bs15lj" → "BS1 5LJ"; null when it is not a UK postcode. */
export function normalisePostcode(input: string): string | null {
  const m = FULL.exec(input.trim().toUpperCase().replace(/\s+/g, ' '));
  return m ? `${m[1]} ${m[2]}` : null;
}

/** The district of a full postcode or a bare district ("BS1 5LJ" or "bs1" → "BS1"); null otherwise. */
export function outcodeOf(input: string): string | null {
  const text = input.trim().toUpperCase().replace(/\s+/g, ' ');
  const full = FULL.exec(text);
  if (full?.[1]) return full[1];
  return DISTRICT.test(text) ? text : null;
}

/**
 * A list of districts as people type them ("bs1, BS2  bs6 6la") → unique districts in order, plus the
 * entries that are not postcodes, so a form can say exactly which one is wrong.
 */
export function parseDistricts(input: string): { districts: string[]; invalid: string[] } {
  const districts: string[] = [];
  const invalid: string[] = [];
  const tokens = input.split(/[\s,;]+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const next = tokens[i + 1];
    // "BS6 6LA" arrives as two tokens: take them together when they make one full postcode.
    const pair = next === undefined ? null : normalisePostcode(`${token} ${next}`);
    const d = outcodeOf(pair ?? token);
    if (pair) i++;
    if (!d) invalid.push(pair ?? token);
    else if (!districts.includes(d)) districts.push(d);
  }
  return { districts, invalid };
}
