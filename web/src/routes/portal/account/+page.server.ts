import { api } from '#lib/server/api/caller.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({ account: await (await api(event)).portal.account() });
