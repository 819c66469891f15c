import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
  user: locals.user ? { kind: locals.user.kind, name: locals.user.name, email: locals.user.email } : null,
});
