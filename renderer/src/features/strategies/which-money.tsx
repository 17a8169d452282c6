/**
 * Which money and when: the account a strategy trades on with its PAPER or LIVE badge, and its
 * next trigger with day, time and zone (and the trader's own time when that reads differently).
 * Used by the list, the detail page and the confirmation dialogs, so they all say it the same way.
 */
import type { BrokerAccountDto, StrategyDto } from '../../lib/api-types';
import { triggerText } from '../../lib/format';
import { useBrokers } from '../brokers/brokers-store';

export type Mode = BrokerAccountDto['mode'];

/** The account of a strategy, or undefined while the accounts load. */
export function useAccount(id: number): BrokerAccountDto | undefined {
  return useBrokers((s) => s.accounts.find((a) => a.id === id));
}

/** An account not (yet) known reads as live: the safe assumption about someone's money. */
export const modeOf = (account: BrokerAccountDto | undefined): Mode => account?.mode ?? 'live';

/** "PAPER" or "LIVE", loud enough to be unmistakable. */
export function MoneyBadge({ mode }: { readonly mode: Mode }) {
  return (
    <span className={`money money--${mode}`} data-mode={mode} title={mode === 'live' ? 'Real money: orders go to your live broker account' : 'Simulated or paper account: no real money'}>
      {mode === 'live' ? 'LIVE' : 'PAPER'}
    </span>
  );
}

/** "Alpaca live  LIVE": the account's label and its badge. */
export function AccountTag({ accountId }: { readonly accountId: number }) {
  const account = useAccount(accountId);
  return (
    <span className="account-tag" data-testid="account-tag">
      <span className="account-tag__label">{account?.label ?? `Account #${accountId}`}</span> <MoneyBadge mode={modeOf(account)} />
    </span>
  );
}

/** The next trigger of a running strategy, or null when nothing is scheduled. */
export function nextOf(s: StrategyDto): { readonly kind: string; readonly at: number } | null {
  return s.status === 'running' ? (s.runtime?.next_trigger ?? null) : null;
}

/** "BUY Mon 7 Dec 09:30 New York, in 18h 31m" and, below, "Mon 7 Dec 15:30 your time (Berlin)". */
export function NextTrigger({ strategy, now, compact = false }: { readonly strategy: StrategyDto; readonly now: number; readonly compact?: boolean }) {
  const next = nextOf(strategy);
  if (!next) return <span className="muted">—</span>;
  const t = triggerText(next.kind, next.at, strategy.timezone, now);
  return (
    <span className="next-trigger" data-testid="next-trigger">
      <span className={compact ? 'next-trigger__when next-trigger__when--line' : 'next-trigger__when'}>{t.when},</span> <strong className="tnum">{t.countdown}</strong>
      {t.local && (
        <>
          {' '}
          <span className="next-trigger__local muted small">{t.local}</span>
        </>
      )}
    </span>
  );
}
