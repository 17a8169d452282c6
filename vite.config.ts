/**
 * Builds the renderer (renderer/ → renderer/dist), which the daemon serves at / and the Electron
 * shell loads. `npx vite` serves it with hot reload against a running daemon: set
 * TRADECLOCK_URL (default http://127.0.0.1:7420); the proxy rewrites Host and Origin to the
 * daemon's own, because the daemon refuses any other (engine/api/hardening.ts).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { pwa } from './scripts/vite-pwa.ts';
import { API_ROOTS } from './renderer/src/pwa/sw-route.ts';

const daemon = process.env.TRADECLOCK_URL ?? 'http://127.0.0.1:7420';
/** The API's first path segments (the service worker's list, checked against the daemon's routes by api-static.test.ts). */
const apiRoots = API_ROOTS.map((root) => `/${root}`);

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), pwa()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // A build on a busy machine otherwise ends with rolldown's nine-line plugin profile, which
    // `npm run daemon` would show a trader on the first start.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    proxy: Object.fromEntries(
      apiRoots.map((root) => [
        root,
        {
          target: daemon,
          changeOrigin: true,
          ws: root === '/events',
          configure: (proxy: { on(event: string, fn: (req: { setHeader(k: string, v: string): void }) => void): void }) => {
            proxy.on('proxyReq', (req) => req.setHeader('origin', daemon));
            proxy.on('proxyReqWs', (req) => req.setHeader('origin', daemon));
          },
        },
      ]),
    ),
  },
});
