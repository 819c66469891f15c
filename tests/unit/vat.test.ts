import { describe, expect, test } from 'vitest';
import { formatVatNumber, normaliseVatNumber, taxPoint } from '#workflows/vat.ts';

describe('UK VAT registration numbers', () => {
  test('are normalised however they are typed, and must pass the check digits', () => {
    // 1·8 + 2·7 + 3·6 + 4·5 + 5·4 + 6·3 + 7·2 = 112; 112 + 82 = 194 = 2 × 97 (the older scheme);
    // 112 + 27 + 55 = 194 (the scheme since 2010).
    for (const typed of ['GB123456782', 'gb 123 4567 82', '123456782', 'GB 123-4567-82'])
      expect(normaliseVatNumber(typed)).toBe('GB123456782');
    expect(normaliseVatNumber('123456727')).toBe('GB123456727');
    expect(normaliseVatNumber('XI 123 4567 82')).toBe('XI123456782');
    expect(normaliseVatNumber('GB123456782001')).toBe('GB123456782001');
    expect(normaliseVatNumber('GBGD001')).toBe('GBGD001');
    for (const wrong of ['GB123456781', '12345678', 'GB1234567820', 'FR123456782', 'VAT please', ''])
      expect(normaliseVatNumber(wrong)).toBeNull();
  });

  test('print as HMRC prints them', () => {
    expect(formatVatNumber('GB123456782')).toBe('GB 123 4567 82');
    expect(formatVatNumber('GB123456782001')).toBe('GB 123 4567 82 001');
    expect(formatVatNumber('GBGD001')).toBe('GBGD001');
  });
});

describe('the tax point of a repair', () => {
  test('is the invoice day when it is issued within 14 days of the work, else the day the work was done', () => {
    expect(taxPoint('2026-03-02', '2026-03-02')).toBe('2026-03-02');
    expect(taxPoint('2026-03-02', '2026-03-16')).toBe('2026-03-16');
    expect(taxPoint('2026-03-02', '2026-03-17')).toBe('2026-03-02');
    // Across the clocks changing and a month end: calendar days, not 24-hour periods.
    expect(taxPoint('2026-03-20', '2026-04-03')).toBe('2026-04-03');
    expect(taxPoint(null, '2026-03-17')).toBe('2026-03-17');
  });
});
