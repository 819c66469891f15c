// Route parameter matchers. Every `[id=uuid]` in web/src/routes names a database row by its UUID: a
// malformed id matches no route, so pages, form posts and downloads alike answer SvelteKit's own 404 page
// before any load, action or API call runs (which used to answer with zod's raw issue list).
import { defineParams } from '@sveltejs/kit/params';
import { z } from 'zod';

export const params = defineParams({ uuid: z.uuid() });
