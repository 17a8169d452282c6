/**
 * Guards on db/migrations: landed migrations are never edited, and schema.ts never drifts from
 * them (a column changed in schema.ts without `npm run db:generate` would ship a database that
 * does not match the code).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from './migrate';

/**
 * sha256 of every landed migration. Add a line when you generate a migration; never change one
 * (the migrator would skip the edit on every existing install). To change the schema, generate
 * a new migration instead.
 */
const LANDED: Record<string, string> = {
  '0000_init': '83f122f59ff0bb2ddd16b7bd7c1e364443faca33acfe5a56ed63a732bbbbec3a',
  '0001_instruments': '78163c3d565f203eb2a6c30da4360a8f7ccb4af0a265534a9e0afa45e26476d7',
  '0002_exit_attempts': '495fcd92842175c7c4d9b036d85522839992d1779d12a3761a6d2cef406b1362',
  '0003_price_bars': '2a3da21c6892a61d1480a1ac8dc3d9fb89465abfafaf17679f92afe1018a9d7e',
  '0004_sessions': 'a013e8afbbc1c0981d13f108d84c4972e67a98d7a3427e0526551258a646dabc',
  '0005_leg_numbers': 'f3da4247ce942fc07fb6521af5fe07d71df159f6b4bf80b098a8f2c443ff4f52',
  '0006_strategy_spec': 'fee5f340613e2dc96a84fb1e3b09aa3918ce894912ffef47ff1bc8b62fab1ba3',
  '0007_stop_keep': '7c3c0f171bd6e1c653367b5ca3c60277a07e914c3fe4abd71517cbacf3a31324',
  '0008_strategy_spec_only': '5e578fb943964d7e93c4674e0356938f2a52731956995babce628541622b55d1',
  '0009_run_cutoffs': 'd5722cb1fc3e3deabe5c79c493f28b83be4828eed757a072baa9360a263beff6',
  '0010_backstops': '014a6fe2c27684aaca489de4f2c8ee931624c51f0f8551f795af5d589ebf2a70',
  '0011_notify_channels': '53de072123cb5c5c80fd4eeada68918de55162efa7712b2feccca7f5af31af14',
  '0012_historical_bars': 'ca2c302cf16f32971c4c2303470a57010e79bad05318933190d1756ba3f96db2',
  '0013_backstop_oco': '718af48da685c20e99dc558c0fdd0a9af728e980000a64b76608ebc959b8b57c',
  '0014_devices': 'b0e17b6d69128af56624e3a05f921ac2c7f8dcc0c62822b18ccfac28d63ce640',
  '0015_instrument_qty_step': 'ae4dea4d96221197d4214609cb9774fa9e5693ead1c8004ec39729af892ab818',
  '0016_notify_channel_device': '48e3e99d1a2e229329e8f1e7b9558787803f74080dd6bb088b6f78eba3f4e872',
  '0017_backstop_modifies_sent_at': '8694e1182ef5bf60558eb1f8aefa8ef646943b8be60aeebee46af36f4739184b',
  '0018_runs_position_no': '6f03fb8b6e89a03fd9e0eb12ec5979e5e47f7d32009ff022567518020605c865',
  '0019_historical_ticks': 'fa0bc6231c9a991c72fffd53f21158f2b12223d66ccd0dff7366ca8e5bf3521d',
  '0020_order_sending_mark': 'f9794a84484931e321e5b601e10b3919248869278f3420e8bfdcee645264de53',
  '0021_runs_exit_all': '9e7699a6c9ce0262240448e0c0e586828c632edf3cbf56268e9d40f5f3a1154a',
  '0022_runs_unsold_qty': '3df551dfe297fcad30a7352839909533e32fd1bf5ee885f27ff88c3183ebfe48',
};

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('db/migrations', () => {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: { idx: number; when: number; tag: string }[];
  };

  it('landed migrations are unchanged, and every migration is pinned here', () => {
    const actual = Object.fromEntries(
      // Line endings normalized, so a CRLF checkout (Windows autocrlf) is not an edit.
      journal.entries.map((e) => {
        const sql = readFileSync(join(MIGRATIONS_FOLDER, `${e.tag}.sql`), 'utf8').replace(/\r\n/g, '\n');
        return [e.tag, createHash('sha256').update(sql).digest('hex')];
      }),
    );
    expect(actual).toEqual(LANDED);
  });

  it('journal entries are in order (the migrator skips one older than the last applied)', () => {
    journal.entries.forEach((e, i) => {
      expect(e.idx).toBe(i);
      if (i > 0) expect(e.when).toBeGreaterThan(journal.entries[i - 1]!.when);
    });
  });

  it('schema.ts matches the migrations (drizzle-kit generate finds nothing to do)', () => {
    const out = mkdtempSync(join(tmpdir(), 'tradeclock-drift-'));
    try {
      cpSync(MIGRATIONS_FOLDER, out, { recursive: true });
      const before = readdirSync(out).sort();
      // drizzle-kit prefixes --out with "./", so it must be relative to the cwd.
      execFileSync(
        process.execPath,
        [join(ROOT, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--dialect', 'sqlite', '--schema', './db/schema.ts', '--out', relative(ROOT, out)],
        { cwd: ROOT, stdio: 'pipe' },
      );
      expect(readdirSync(out).sort()).toEqual(before);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
