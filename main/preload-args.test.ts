import { describe, expect, it } from 'vitest';
import { apiBaseFromArgv } from './preload-args';

describe('apiBaseFromArgv', () => {
  it('reads the API origin the main process passed', () => {
    expect(apiBaseFromArgv(['/x/electron', '--type=renderer', '--tradeclock-api-base=http://127.0.0.1:5123'])).toBe('http://127.0.0.1:5123');
    expect(apiBaseFromArgv(['--tradeclock-api-base=http://[::1]:5123'])).toBe('http://[::1]:5123');
  });

  it.each([
    [[]],
    [['--tradeclock-api-base=']],
    [['--tradeclock-api-base=https://127.0.0.1:5123']],
    [['--tradeclock-api-base=http://evil.example:5123']],
    [['--tradeclock-api-base=http://127.0.0.1:5123/path']],
    [['--tradeclock-api-base=nonsense']],
  ])('exposes nothing for %j', (argv) => {
    expect(apiBaseFromArgv(argv)).toBeNull();
  });
});
