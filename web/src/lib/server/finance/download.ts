// Finance downloads (PDFs, CSV): data comes from the finance API with the request's user, so the
// download answers exactly as the API would (401/403/404), then the document is rendered.
import type { RequestEvent } from '@sveltejs/kit';
import { api } from '../api/caller.ts';
import { toHttpError } from '../forms.ts';

/** Calls the API, turning its refusals into HTTP errors (forms.ts). */
export async function fromApi<T>(
  event: Pick<RequestEvent, 'locals'>,
  fn: (caller: Awaited<ReturnType<typeof api>>) => Promise<T>,
): Promise<T> {
  return fn(await api(event)).catch(toHttpError);
}

/** `?download` asks the browser to save rather than show the file. */
export function fileResponse(
  event: Pick<RequestEvent, 'url'>,
  body: Buffer | string,
  contentType: string,
  fileName: string,
): Response {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);
  const inline = contentType === 'application/pdf' && !event.url.searchParams.has('download');
  return new Response(bytes, {
    headers: {
      'content-type': contentType,
      'content-length': String(bytes.byteLength),
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${fileName.replace(/[^\w.-]/g, '_')}"`,
      'cache-control': 'private, no-store',
    },
  });
}
