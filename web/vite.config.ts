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
  plugins: [
    sveltekit({
      adapter: adapter({ out: fileURLToPath(new URL('../build', import.meta.url)) }),
      // Content-Security-Policy on every page: SvelteKit adds a nonce (or hash, when prerendered) for its own
      // hydration script, so no other inline script runs; an injected <img onerror> or <script> does nothing.
      csp: {
        mode: 'auto',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          // 'unsafe-inline' for styles only: Leaflet positions its panes, markers and tooltips with inline
          // styles, and pages set a few style="" attributes (colour dots). With it present SvelteKit adds no
          // style nonce (a nonce would make browsers ignore 'unsafe-inline'). Styles cannot run script.
          'style-src': ['self', 'unsafe-inline'],
          // Photos are served by the app; previews of picked files are blob: URLs; Leaflet's CSS uses data:
          // images. A configured map tile host (MAP_TILE_URL) is added at run time in hooks.server.ts.
          'img-src': ['self', 'data:', 'blob:'],
          'font-src': ['self', 'data:'],
          // tRPC and form posts go to this origin only (isochrone and tile lookups are made by the server).
          'connect-src': ['self'],
          'form-action': ['self'],
          'frame-ancestors': ['none'],
          'base-uri': ['self'],
          'object-src': ['none'],
        },
      },
    }),
  ],
  // The server imports the engine, activities and schema from the repository root.
  server: { fs: { allow: ['..'] } },
});
