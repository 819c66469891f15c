// UK VAT registration numbers and the tax point of an invoice for services: what makes an invoice a valid
// VAT invoice (HMRC VAT Notice 700, sections 14 and 16). Pure; the settings form, the API and the PDF use it.
import { addCalendarDays, type IsoDay } from './time.ts';

/**
 * A UK VAT registration number as people write it ("GB 123 4567 82", "123456782", "XI123456782") →
 * "GB123456782" (or XI… for Northern Ireland); null when it is not one. Nine digits pass HMRC's check-digit test
 * (the weighted sum of the first seven, plus the last two, is a multiple of 97, or is once 55 is added); a
 * twelve-digit number is a branch of a nine-digit one. Government departments (GBGD…) and health authorities
 * (GBHA…) have their own three-digit forms.
 */
export function normaliseVatNumber(input: string): string | null {
  const text = input.toUpperCase().replace(/[\s.-]+/g, '');
  const special = /^GB(GD|HA)\d{3}$/.exec(text);
  if (special) return text;
  const m = /^(GB|XI)?(\d{9})(\d{3})?$/.exec(text);
  if (!m?.[2]) return null;
  const digits = [...m[2]].map(Number);
  const weighted = digits.slice(0, 7).reduce((sum, d, i) => sum + d * (8 - i), 0);
  const total = weighted + Number(m[2].slice(7));
  if (total % 97 !== 0 && (total + 55) % 97 !== 0) return null;
  return `${m[1] ?? 'GB'}${m[2]}${m[3] ?? ''}`;
}

/** "GB123456782" → "GB 123 4567 82", as HMRC prints it. */
export function formatVatNumber(normalised: string): string {
  const m = /^(GB|XI)(\d{3})(\d{4})(\d{2})(\d{3})?$/.exec(normalised);
  return m ? [m[1], m[2], m[3], m[4], m[5]].filter(Boolean).join(' ') : normalised;
}

/**
 * The tax point of an invoice for a service (a repair): the day the work was completed, unless the invoice is
 * issued within 14 days after it, when the invoice's own day is the tax point (VAT Notice 700, 14.2–14.3).
 * With no completion day known, the invoice day.
 */
export function taxPoint(completedOn: IsoDay | null, invoicedOn: IsoDay): IsoDay {
  if (!completedOn || invoicedOn <= completedOn) return invoicedOn;
  return invoicedOn <= addCalendarDays(completedOn, 14) ? invoicedOn : completedOn;
}
