// Rows a statement is known to return: `insert … returning()` of N values returns N rows, a lookup by a
// key that a foreign key guarantees returns one. With noUncheckedIndexedAccess, `rows[0]` is `T | undefined`;
// these say what the code knows and fail loudly, with what was expected, if it ever stops being true.

type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Tuple<T, N, [T, ...R]>;

/** The only row of `rows`; throws if there is none (or more than one) instead of handing on `undefined`. */
export function one<T>(rows: readonly T[], what = 'row'): T {
  const [row] = rows;
  if (row === undefined || rows.length !== 1) throw new Error(`expected one ${what}, got ${rows.length}`);
  return row;
}

/** Exactly `n` rows, typed as a tuple of that length (`const [a, b] = exactly(await insert…returning(), 2)`). */
export function exactly<T, N extends number>(rows: readonly T[], n: N, what = 'rows'): Tuple<T, N> {
  if (rows.length !== n) throw new Error(`expected ${n} ${what}, got ${rows.length}`);
  return rows as unknown as Tuple<T, N>;
}
