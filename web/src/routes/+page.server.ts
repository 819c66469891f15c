import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (!locals.user) redirect(303, '/sign-in');
  redirect(303, locals.user.kind === 'staff' ? '/jobs' : '/portal');
};
