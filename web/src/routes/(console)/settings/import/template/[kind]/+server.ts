// A CSV template per kind of import: the header row and one example row, to fill in a spreadsheet.
import { error } from '@sveltejs/kit';
import { IMPORT_KINDS, templateCsv, type ImportKind } from '#lib/server/import/kinds.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ locals, params }) => {
  if (locals.user?.kind !== 'staff') error(403, 'Only agency staff can download import templates.');
  if (!IMPORT_KINDS.includes(params.kind as ImportKind)) error(404, 'No such import template.');
  const kind = params.kind as ImportKind;
  return new Response(templateCsv(kind), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="fettle-${kind}-template.csv"`,
    },
  });
};
