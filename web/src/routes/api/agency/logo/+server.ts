// The signed-in person's agency logo: staff see their agency's, a contractor the agency they work for in this
// session (the console's header, the portal's agency bar). Nobody else's, and nothing when signed out.
import { error } from '@sveltejs/kit';
import { agencyLogo } from '#lib/server/files/logo.ts';
import { diskStore } from '#lib/server/files/storage.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  if (!locals.user) error(401, 'Sign in to see this');
  if (!locals.user.agencyId) error(404, 'No agency chosen');
  const runtime = await useRuntime();
  const logo = await agencyLogo(runtime.db, diskStore(runtime.env.DATA_DIR), locals.user.agencyId);
  if (!logo) error(404, 'This agency has no logo');
  return new Response(new Uint8Array(logo.bytes), {
    headers: {
      'content-type': logo.contentType,
      'content-length': String(logo.bytes.byteLength),
      // Its URL carries the logo's version (`?v=`): a new logo is a new URL, so this one may be kept a while.
      'cache-control': 'private, max-age=86400',
      'x-content-type-options': 'nosniff',
    },
  });
};
