/**
 * What `npm test` does about missing system packages: install them where this user may, else stop
 * at once with the line to run (the keyring wrapper would stop the suite before its first test).
 */
import { describe, expect, it } from 'vitest';
import { INSTALL_LINE, systemDepsPlan } from './system-deps.mjs';

describe('systemDepsPlan', () => {
  it('does nothing when all are installed, under CI (.ci/run installed them first), or where dpkg cannot tell', () => {
    expect(systemDepsPlan({ ci: false, missing: [], canInstall: false })).toEqual({ action: 'none' });
    expect(systemDepsPlan({ ci: true, missing: ['redis-server'], canInstall: true })).toEqual({ action: 'none' });
    expect(systemDepsPlan({ ci: false, missing: null, canInstall: true })).toEqual({ action: 'none' });
  });

  it('installs what is missing as root or with passwordless sudo, saying what', () => {
    expect(systemDepsPlan({ ci: false, missing: ['redis-server', 'chromium'], canInstall: true })).toEqual({
      action: 'install',
      message: 'launch: installing the system packages the tests use (missing: redis-server, chromium)',
    });
  });

  it('otherwise stops with the exact line to run', () => {
    const plan = systemDepsPlan({ ci: false, missing: ['gnome-keyring'], canInstall: false });
    expect(plan).toEqual({
      action: 'stop',
      message: 'npm test needs system packages that are not installed: gnome-keyring.\nInstall them (Debian/Ubuntu) with:\n\n    sudo bash scripts/install-system-deps.sh\n\nthen run npm test again.',
    });
    expect(INSTALL_LINE).toBe('sudo bash scripts/install-system-deps.sh');
  });
});
