// Reading an uploaded CSV (as a spreadsheet program saves it) into numbered rows of cells by column, for the
// import planner. Column names are matched loosely ("Line 1", "line_1" and "LINE1" are one column); every row
// keeps the line of the file it came from, so a refusal can point at it.
import { CsvError, parse } from 'csv-parse/sync';
import { TRPCError } from '@trpc/server';

/** The most rows one import takes: an agency's whole book at once, and still one transaction. */
export const IMPORT_MAX_ROWS = 20_000;

export interface CsvRow {
  /** The line of the file the row starts on (the header is line 1). */
  line: number;
  /** Cells by column key (see `columnKey`), trimmed; a column the file does not have is absent. */
  cells: Record<string, string>;
  /** Set when the row cannot be read as the header says (more or fewer cells). */
  problem: string | null;
}

/** "Landlord email", "landlord_email" → "landlordemail": how a header cell names a column. */
export const columnKey = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

const refuse = (message: string) => new TRPCError({ code: 'BAD_REQUEST', message });

/** The file's rows under its header row; a file that is not CSV, or has no rows, is refused in a sentence. */
export function readCsv(text: string): { columns: string[]; rows: CsvRow[] } {
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      raw: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
  } catch (e) {
    if (e instanceof CsvError)
      throw refuse(`The file is not a CSV file we can read (${e.message.replace(/^Invalid \w+ /, '')}).`);
    throw e;
  }
  const [head, ...body] = records;
  if (!head) throw refuse('The file is empty: it needs a header row and at least one row.');
  const columns = head.record.map(columnKey);
  if (body.length === 0) throw refuse('The file has a header row but no rows to import.');
  if (body.length > IMPORT_MAX_ROWS)
    throw refuse(`The file has ${body.length} rows; import at most ${IMPORT_MAX_ROWS} at a time.`);
  const rows = body.map(({ record, info, raw }) => {
    // `info.lines` is the line the record ends on; a quoted cell of several lines starts it earlier. (The raw
    // text carries the blank lines skipped before it, and its own line break, neither of which count.)
    const inner =
      raw
        .replace(/^[\r\n]+/, '')
        .replace(/\r?\n$/, '')
        .match(/\n/g)?.length ?? 0;
    const line = info.lines - inner;
    const cells: Record<string, string> = {};
    columns.forEach((c, i) => {
      if (c && !(c in cells)) cells[c] = record[i] ?? '';
    });
    const problem =
      record.length === columns.length
        ? null
        : `It has ${record.length} ${record.length === 1 ? 'value' : 'values'} where the header names ${columns.length} columns`;
    return { line, cells, problem };
  });
  return { columns, rows };
}
