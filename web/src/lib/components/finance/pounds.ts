// Money typed by people ("£1,234.5", "80") to integer pence, without floating point; shared by forms
// (server actions) and their live previews.

/** Pence for a pounds amount, or null when it is not a non-negative amount with at most two decimals. */
export function parsePounds(input: string): number | null {
  const text = input
    .trim()
    .replace(/^£/, '')
    .replace(/,(?=\d{3}(\D|$))/g, '');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Pence as a form value: 123456 → "1234.56". */
export const poundsValue = (pence: number | null | undefined) =>
  pence == null ? '' : `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
