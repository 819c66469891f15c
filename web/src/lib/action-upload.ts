// Posting a form action with its files over a phone connection: upload progress (XMLHttpRequest reports it;
// fetch does not), and retries with backoff (upload.ts) when the connection drops or the server is briefly
// unavailable. Only for actions whose retry is safe, because the form carries an idempotency key. The
// answer is SvelteKit's action result, for `applyAction`.
import { deserialize, type ActionResult } from '$app/forms';
import { backoff } from './upload.ts';

class Retryable extends Error {}

function postOnce(url: string, body: FormData, onProgress: (fraction: number) => void): Promise<ActionResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    // What SvelteKit's own enhance sends: the action answers with a serialized ActionResult.
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('x-sveltekit-action', 'true');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status === 408 || xhr.status === 429 || xhr.status >= 502)
        if (!xhr.responseText.startsWith('{')) return reject(new Retryable(`The server is busy (${xhr.status})`));
      try {
        resolve(deserialize(xhr.responseText));
      } catch {
        reject(new Retryable(`The server answered ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new Retryable('No connection'));
    xhr.ontimeout = () => reject(new Retryable('The connection timed out'));
    xhr.send(body);
  });
}

export async function postAction(
  url: string,
  body: FormData,
  options: {
    onProgress: (fraction: number) => void;
    onRetry: (attempt: number, waitMs: number, reason: string) => void;
    attempts?: number;
    baseDelayMs?: number;
  },
): Promise<ActionResult> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      options.onProgress(0);
      return await postOnce(url, body, options.onProgress);
    } catch (e) {
      if (!(e instanceof Retryable) || attempt >= attempts) throw e;
      const wait = backoff(attempt, options.baseDelayMs ?? 1000);
      options.onRetry(attempt + 1, wait, e.message);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
