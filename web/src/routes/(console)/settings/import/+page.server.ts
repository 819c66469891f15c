// Settings → Import: upload a CSV of properties (with landlords), tenants or contractors, see per row what an
// import would do, then import the valid rows. The work is the API's (imports router, #lib/server/import);
// the file's text goes back with the preview so "Import" plans again from the same file.
import { error } from '@sveltejs/kit';
import { api } from '#lib/server/api/caller.ts';
import { IMPORT_MAX_BYTES } from '#lib/server/api/routers/imports.ts';
import { attempt, refusal, text } from '#lib/server/forms.ts';
import { IMPORT_COLUMNS, IMPORT_KINDS, IMPORT_LABELS, type ImportKind } from '#lib/server/import/kinds.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import type { Actions, PageServerLoad } from './$types';

function requireAdmin(user: SessionUser | null) {
  if (!user || user.kind !== 'staff' || user.role !== 'admin') error(403, 'Only agency admins can import records.');
}

/** The kind posted, as the API checks it ('' when none was chosen, which it refuses in words). */
const kindOf = (f: FormData) => text(f, 'kind') as ImportKind;

export const load: PageServerLoad = ({ locals }) => {
  requireAdmin(locals.user);
  return {
    kinds: IMPORT_KINDS.map((k) => ({ kind: k, label: IMPORT_LABELS[k], columns: IMPORT_COLUMNS[k] })),
  };
};

export const actions: Actions = {
  preview: async (event) => {
    requireAdmin(event.locals.user);
    const f = await event.request.formData();
    const kind = kindOf(f);
    return attempt(
      'preview',
      async () => {
        const file = f.get('file');
        if (!(file instanceof File) || file.size === 0) throw refusal('Choose a CSV file to import.');
        if (file.size > IMPORT_MAX_BYTES)
          throw refusal(`The file is too large: import at most ${IMPORT_MAX_BYTES / 1_000_000} MB at a time.`);
        const csv = await file.text();
        const plan = await (await api(event)).imports.preview({ kind, csv });
        return { kind, csv, fileName: file.name, plan };
      },
      { values: { kind } },
    );
  },
  import: async (event) => {
    requireAdmin(event.locals.user);
    const f = await event.request.formData();
    const kind = kindOf(f);
    return attempt(
      'import',
      async () => ({ kind, counts: await (await api(event)).imports.run({ kind, csv: text(f, 'csv') }) }),
      {
        values: { kind },
      },
    );
  },
};
