import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundlePaths } from './bundle-paths';

describe('bundlePaths', () => {
  const dir = join('/app', 'dist-electron');

  it('finds the preload beside the bundle and the renderer one level up', () => {
    expect(bundlePaths(dir, {}, true)).toEqual({ preload: join(dir, 'preload.cjs'), staticDir: join('/app', 'renderer', 'dist') });
  });

  it('lets development (the e2e test) swap the UI, never a packaged app', () => {
    expect(bundlePaths(dir, { TRADECLOCK_STATIC_DIR: '/fixture' }, false).staticDir).toBe('/fixture');
    expect(bundlePaths(dir, { TRADECLOCK_STATIC_DIR: '/fixture' }, true).staticDir).toBe(join('/app', 'renderer', 'dist'));
  });
});
