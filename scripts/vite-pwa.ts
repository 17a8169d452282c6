/**
 * The installable-app part of the renderer build (vite.config.ts): writes the web app manifest,
 * its icons (drawn by main/icon.ts, as the desktop icon is) and the service worker, built from
 * renderer/src/pwa/service-worker.ts with the list of shell files and a version made from their
 * contents, so each build that changes the shell replaces the installed app's cache.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build, type Plugin, type Rolldown } from 'vite';
import { drawIcon, encodePng, iconPng } from '../main/icon.ts';

/** The dark theme's page colour (renderer/src/styles/tokens.css, --bg). */
const BACKGROUND = '#0d1117';
/** The app icon's face (main/icon.ts), the maskable icon's full-bleed ground. */
const FACE: readonly [number, number, number] = [15, 118, 110];

export const MANIFEST_FILE = 'manifest.webmanifest';
export const WORKER_FILE = 'sw.js';

export const MANIFEST = {
  id: './',
  name: 'Tradeclock',
  short_name: 'Tradeclock',
  description: 'Time-based trading on your own PC: BUY at a time, SELL at a time, stop-loss always armed.',
  start_url: './',
  scope: './',
  display: 'standalone',
  theme_color: BACKGROUND,
  background_color: BACKGROUND,
  icons: [
    { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
} as const;

/**
 * The app icon inside the maskable safe zone (the middle 80 %), on a full-bleed square of the
 * face colour, so a launcher's circle or squircle crop never cuts the clock.
 */
export function maskableIconPng(size: number): Buffer {
  const inner = Math.round(size * 0.8);
  const icon = drawIcon(inner, 'app');
  const off = Math.floor((size - inner) / 2);
  const px = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) px.set([...FACE, 255], i * 4);
  for (let y = 0; y < inner; y++) {
    for (let x = 0; x < inner; x++) {
      const s = (y * inner + x) * 4;
      const d = ((y + off) * size + x + off) * 4;
      const a = icon[s + 3]! / 255;
      for (let c = 0; c < 3; c++) px[d + c] = Math.round(icon[s + c]! * a + px[d + c]! * (1 - a));
    }
  }
  return encodePng(size, size, px);
}

/** The plugin: adds the manifest, icons and sw.js to the build's output. */
export function pwa(): Plugin {
  return {
    name: 'tradeclock-pwa',
    apply: 'build',
    // After Vite's own html plugin has added index.html to the bundle.
    generateBundle: {
      order: 'post',
      async handler(_options, bundle) {
        const icons: Record<string, Buffer> = {
          'icons/icon-192.png': iconPng(192, 'app'),
          'icons/icon-512.png': iconPng(512, 'app'),
          'icons/maskable-512.png': maskableIconPng(512),
        };
        const files: Record<string, string | Uint8Array> = { ...icons, [MANIFEST_FILE]: `${JSON.stringify(MANIFEST, null, 2)}\n` };
        for (const [fileName, source] of Object.entries(files)) this.emitFile({ type: 'asset', fileName, source });
        for (const out of Object.values(bundle)) if (!out.fileName.endsWith('.map')) files[out.fileName] = out.type === 'chunk' ? out.code : out.source;
        const shell = ['', ...Object.keys(files).sort()];
        const version = createHash('sha256');
        for (const name of shell.slice(1)) version.update(name).update('\0').update(files[name]!).update('\0');
        this.emitFile({ type: 'asset', fileName: WORKER_FILE, source: await buildWorker(shell, version.digest('hex').slice(0, 16)) });
      },
    },
  };
}

async function buildWorker(shell: readonly string[], version: string): Promise<string> {
  const entry = fileURLToPath(new URL('../renderer/src/pwa/service-worker.ts', import.meta.url));
  const result = (await build({
    configFile: false,
    logLevel: 'warn',
    define: { __SHELL__: JSON.stringify(shell), __SHELL_VERSION__: JSON.stringify(version) },
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      lib: { entry, formats: ['iife'], name: 'tradeclockWorker', fileName: () => WORKER_FILE },
      rolldownOptions: { checks: { bundlerTimings: false } },
    },
  })) as Rolldown.RolldownOutput[] | Rolldown.RolldownOutput;
  const output = (Array.isArray(result) ? result[0]! : result).output[0];
  return output.code;
}
