// Where uploaded files live: local disk under the data directory (an object store is a drop-in later).
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export interface FileStore {
  put(prefix: string, bytes: Uint8Array): Promise<string>;
  get(key: string): Promise<Buffer>;
  /** Deletes the file; one already gone is not an error. */
  remove(key: string): Promise<void>;
}

export function diskStore(dataDir: string): FileStore {
  const root = resolve(dataDir, 'files');
  const pathOf = (key: string) => {
    const path = resolve(root, key);
    if (!path.startsWith(root + '/')) throw new Error('Invalid storage key');
    return path;
  };
  return {
    async put(prefix, bytes) {
      const key = join(prefix, randomUUID());
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes, { flag: 'wx' });
      return key;
    },
    async get(key) {
      return readFile(pathOf(key));
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
