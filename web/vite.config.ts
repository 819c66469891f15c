import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// Run from the repository root (`vite build --config web/vite.config.ts`): SvelteKit takes its files from
// `root`, while adapter-node reads the root package.json to keep runtime dependencies external.
export default defineConfig({
  root,
  // SvelteKit 3 takes its options here; there is no svelte.config.js.
  plugins: [sveltekit({ adapter: adapter({ out: fileURLToPath(new URL('../build', import.meta.url)) }) })],
  // The server imports the engine, activities and schema from the repository root.
  server: { fs: { allow: ['..'] } },
});
