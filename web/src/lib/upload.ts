// Browser uploads that survive a flaky site connection: one file per request (its own progress bar),
// XMLHttpRequest for upload progress events, and retries with exponential backoff when the network
// drops or the server is briefly unavailable. A refusal (4xx, e.g. not a photo) is final.

export interface Uploaded {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  kind: string;
}

export class UploadFailed extends Error {
  override readonly name = 'UploadFailed';
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}

export interface UploadOptions {
  kind?: 'photo' | 'document' | 'invoice';
  onProgress?: (fraction: number) => void;
  /** Called before each retry with the attempt number (2, 3, …) and the wait in ms. */
  onRetry?: (attempt: number, waitMs: number, reason: string) => void;
  signal?: AbortSignal;
  attempts?: number;
  baseDelayMs?: number;
}

/** Delay before retry n (1-based): base · 2^(n-1), capped at 15 s, with ±20 % jitter so phones don't stampede. */
export const backoff = (retry: number, baseMs: number, random = Math.random) =>
  Math.min(15_000, baseMs * 2 ** (retry - 1)) * (0.8 + 0.4 * random());

function sendOnce(url: string, file: File, options: UploadOptions): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const form = new FormData();
    form.append('file', file);
    if (options.kind) form.append('kind', options.kind);
    xhr.open('POST', url);
    xhr.responseType = 'json';
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => e.lengthComputable && options.onProgress?.(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        const saved = (xhr.response as { attachments?: Uploaded[] } | null)?.attachments?.[0];
        if (saved) return resolve(saved);
        return reject(new UploadFailed('The server did not confirm the upload', true));
      }
      const message = (xhr.response as { message?: string } | null)?.message ?? `Upload failed (${xhr.status})`;
      // 408/429/5xx are worth another go; other refusals will not change on retry.
      reject(new UploadFailed(message, xhr.status === 408 || xhr.status === 429 || xhr.status >= 500));
    };
    xhr.onerror = () => reject(new UploadFailed('No connection', true));
    xhr.ontimeout = () => reject(new UploadFailed('The connection timed out', true));
    xhr.onabort = () => reject(new UploadFailed('Cancelled', false));
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(new UploadFailed('Cancelled', false))), {
      once: true,
    });
  });

export async function uploadWithRetry(url: string, file: File, options: UploadOptions = {}): Promise<Uploaded> {
  const attempts = options.attempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      options.onProgress?.(0);
      return await sendOnce(url, file, options);
    } catch (e) {
      const failure = e instanceof UploadFailed ? e : new UploadFailed(String(e), true);
      if (!failure.retryable || attempt >= attempts || options.signal?.aborted) throw failure;
      const wait = backoff(attempt, options.baseDelayMs ?? 1000);
      options.onRetry?.(attempt + 1, wait, failure.message);
      await sleep(wait, options.signal);
    }
  }
}
