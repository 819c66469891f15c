// What loads read from the query string. A link is shared, bookmarked and hand-edited: a value that is not what
// it should be counts as absent (the list is not filtered by it), never bad input sent on to the API.
import { z } from 'zod';

const id = z.uuid().optional().catch(undefined);

/** The row id in `?key=` (a branch, a contractor, a property), or undefined when absent or not an id. */
export const queryId = (url: URL, key: string): string | undefined => id.parse(url.searchParams.get(key) ?? undefined);
