import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// The portal opens on the contractor's jobs.
export const load: PageServerLoad = () => redirect(303, '/portal/jobs');
