import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The web tsconfig has DOM types, not Node's; these are the two Node bits used here.
declare const process: { env: Record<string, string | undefined> };

const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

// The Worker serves web/dist as static assets with an SPA fallback, and the API
// lives on the same origin under /api, so the dev server proxies /api to a
// locally running `wrangler dev` (port 8787 unless API_ORIGIN says otherwise).
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': process.env.API_ORIGIN ?? 'http://127.0.0.1:8787',
    },
  },
});
