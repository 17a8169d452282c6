/**
 * What a daily-login broker account's card says about its login, from the account's `status`
 * and `session` (engine/api/contract.ts): one line and a tone, and whether to ask for a login.
 */
import type { BrokerAccountDto } from '../../lib/api-types';
import { dayTime } from '../../lib/format';

export interface SessionSummary {
  readonly text: string;
  readonly tone: 'ok' | 'warn' | 'bad' | 'neutral';
  /** The trader must log in before this account can trade. */
  readonly needsLogin: boolean;
}

export function sessionSummary(account: Pick<BrokerAccountDto, 'status' | 'session'>): SessionSummary {
  const s = account.session;
  if (account.status === 'login_required') return { text: 'Login needed', tone: 'bad', needsLogin: true };
  switch (s?.state) {
    case 'valid':
      return { text: s.expires_at === null ? 'Logged in' : `Logged in until ${dayTime(s.expires_at)}`, tone: 'ok', needsLogin: false };
    case 'expired':
      return { text: 'Login expired: login needed', tone: 'bad', needsLogin: true };
    case 'no_token':
      return { text: 'Login needed', tone: 'bad', needsLogin: true };
    case 'unverified':
      return { text: 'Logged in, not checked yet', tone: 'warn', needsLogin: false };
    default:
      // Closed broker, no login through this engine since it started: a token is stored, unchecked.
      return { text: 'Token saved, checked when a strategy starts', tone: 'neutral', needsLogin: false };
  }
}
