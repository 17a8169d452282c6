/**
 * Create or edit a strategy. Nothing is validated here: the form sends what was typed (numbers
 * as numbers when they read as numbers, else as typed) and shows each field error the API
 * returns next to its input, all at once, named by the input's label. Before saving it says where
 * and when the strategy will trade: the exchange (from the account's markets, never a hidden
 * "broker's default"), the time zone its times are in, the account with its PAPER or LIVE badge,
 * and the instrument's last price. The symbol field suggests the account's instruments as the
 * trader types, each with the exchange it is listed on. A stop-loss at or above the last price
 * would sell at once (the engine skips such a run at BUY time), so saving one asks first.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../../lib/api-client';
import type { Exchange, QuoteDto, Repeat, StrategyDto, StrategyFormBody } from '../../lib/api-types';
import { Field, FormError } from '../../ui/field';
import { labelledFormErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { STRATEGY_LABELS as LABEL } from '../../ui/field-labels';
import { Dialog } from '../../ui/dialog';
import { SymbolSearch } from './symbol-search';
import { stopAtOrAbove, type StopWarning } from './stop-loss-warning';
import { toast } from '../../ui/toast';
import { useBrokers } from '../brokers/brokers-store';
import { useStrategies } from './strategies-store';
import { AccountTag } from './which-money';
import { zoneLabel } from '../../lib/format';

/** Labels of the exchanges the API accepts; a Record so a new exchange fails this build. */
const EXCHANGES: Record<Exchange, string> = {
  NSE: 'NSE (India)',
  BSE: 'BSE (India)',
  NYSE: 'NYSE (US)',
  NASDAQ: 'NASDAQ (US)',
  CRYPTO: 'Crypto (24/7)',
};

const REPEATS: Record<Repeat, string> = {
  once: 'Once',
  daily: 'Every trading day',
};

const INPUTS = Object.keys(LABEL) as (keyof typeof LABEL)[];
type Input = keyof typeof LABEL;
type Values = Record<Input, string>;

const EMPTY: Values = {
  broker_account_id: '',
  symbol: '',
  exchange: '',
  qty: '',
  buy_time: '',
  sell_time: '',
  stop_loss: '',
  timezone: '',
  repeat: 'once',
  buy_grace_seconds: '',
};

function valuesOf(s: StrategyDto): Values {
  return {
    broker_account_id: String(s.broker_account_id),
    symbol: s.symbol,
    exchange: s.exchange,
    qty: String(s.qty),
    buy_time: s.buy_time,
    sell_time: s.sell_time,
    stop_loss: String(s.stop_loss),
    timezone: s.timezone,
    repeat: s.repeat,
    buy_grace_seconds: String(s.buy_grace_seconds),
  };
}

/** "12" → 12; "" → left out (the API says if it is required); "1,5" or "abc" → sent as typed. */
function numberOrText(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

function bodyOf(v: Values): StrategyFormBody {
  const text = (s: string) => (s.trim() === '' ? undefined : s.trim());
  const body: Record<string, unknown> = {
    broker_account_id: numberOrText(v.broker_account_id),
    symbol: v.symbol === '' ? undefined : v.symbol,
    exchange: text(v.exchange),
    qty: numberOrText(v.qty),
    buy_time: text(v.buy_time),
    sell_time: text(v.sell_time),
    stop_loss: numberOrText(v.stop_loss),
    timezone: text(v.timezone),
    repeat: text(v.repeat),
    buy_grace_seconds: numberOrText(v.buy_grace_seconds),
  };
  return Object.fromEntries(Object.entries(body).filter(([, x]) => x !== undefined)) as StrategyFormBody;
}

const timeZones = (): string[] => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
};

interface StrategyFormProps {
  /** Edit this strategy; create a new one when absent. */
  readonly editing?: StrategyDto | undefined;
  readonly onDone: (saved: StrategyDto | null) => void;
}

export function StrategyForm({ editing, onDone }: StrategyFormProps) {
  const accounts = useBrokers((s) => s.accounts);
  const [values, setValues] = useState<Values>(() =>
    editing ? valuesOf(editing) : { ...EMPTY, broker_account_id: accounts[0] ? String(accounts[0].id) : '' },
  );
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [quote, setQuote] = useState<QuoteDto | null>(null);
  const [warning, setWarning] = useState<StopWarning | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const zones = useMemo(timeZones, []);

  const account = accounts.find((a) => String(a.id) === values.broker_account_id);
  const markets = account?.markets ?? [];
  // The exchange that will be used: the one picked, else the account's first (what the engine picks).
  const exchange = values.exchange || markets[0]?.exchange || '';
  const offered = [...new Set([...markets.map((m) => m.exchange), ...(values.exchange ? [values.exchange] : [])])];
  const exchangeZone = markets.find((m) => m.exchange === exchange)?.timezone;
  const usedZone = values.timezone.trim() || exchangeZone || '';

  const accountId = account ? account.id : null;
  const symbol = values.symbol.trim().toUpperCase();
  const quoteFor = (signal?: AbortSignal): Promise<QuoteDto | null> =>
    accountId === null || !SYMBOL_TEXT.test(symbol) || !exchange
      ? Promise.resolve(null)
      : api('GET /broker/:id/quote', undefined, { id: accountId, query: { symbol, exchange }, ...(signal ? { signal } : {}) });

  // The last price of what is typed, once the typing pauses; a failed ask shows no price.
  useEffect(() => {
    setQuote(null);
    const abort = new AbortController();
    const timer = setTimeout(() => {
      quoteFor(abort.signal)
        .then(setQuote)
        .catch(() => undefined);
    }, 300);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
    // quoteFor reads exactly these.
  }, [accountId, symbol, exchange]);

  // Another account may trade other exchanges: its own default then applies, shown below.
  const set = (name: Input) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: e.target.value, ...(name === 'broker_account_id' && e.target.value !== v.broker_account_id ? { exchange: '' } : {}) }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    // The price shown for what is typed; asked now when typing outran it (saved before the pause).
    const shown = quote && quote.symbol === symbol && quote.exchange === exchange ? quote : null;
    const fresh = shown ?? (await quoteFor().catch(() => null));
    const ask = stopAtOrAbove(values.stop_loss, fresh);
    if (ask) {
      setQuote(fresh);
      setWarning(ask);
      setBusy(false);
      return;
    }
    await save();
  };

  const save = async () => {
    setBusy(true);
    try {
      const store = useStrategies.getState();
      const body = bodyOf({ ...values, exchange });
      const saved = editing ? await store.update(editing.id, body) : await store.create(body);
      const where = `${saved.symbol} found on ${saved.exchange}, times in ${saved.timezone}`;
      toast(editing ? `Saved ${saved.symbol} (#${saved.id}): ${where}` : `Created ${saved.symbol} (#${saved.id}): ${where}`);
      onDone(saved);
    } catch (err) {
      const next = labelledFormErrors(err, LABEL);
      setErrors(next);
      // Take the keyboard to the first field the API refused.
      const first = INPUTS.find((name) => next.fields[name]);
      if (first) requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus());
    } finally {
      setBusy(false);
    }
  };

  const err = errors.fields;
  const title = editing ? `Edit ${editing.symbol} (#${editing.id})` : 'New strategy';
  return (
    <form ref={formRef} className="card form strategy-form" onSubmit={submit} noValidate aria-labelledby="strategy-form-title">
      <h2 id="strategy-form-title" className="card__title">
        {title}
      </h2>
      {errors.form.length === 0 && Object.keys(err).length > 0 && (
        <p className="form-error" role="alert">
          {Object.keys(err).length === 1 ? 'One field needs a fix.' : `${Object.keys(err).length} fields need a fix.`}
        </p>
      )}
      <div className="form__grid form__grid--strategy">
        <Field label={LABEL.broker_account_id} name="broker_account_id" error={err.broker_account_id}>
          {(p) => (
            <select {...p} value={values.broker_account_id} onChange={set('broker_account_id')} disabled={Boolean(editing)}>
              {accounts.length === 0 && <option value="">No broker connected</option>}
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label} (#{a.id})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={LABEL.symbol} name="symbol" error={err.symbol} hint={lastPrice(quote, symbol, exchange)}>
          {(p) => (
            <SymbolSearch
              control={p}
              accountId={accountId}
              value={values.symbol}
              onType={(text) => setValues((v) => ({ ...v, symbol: text }))}
              onPick={(m) => setValues((v) => ({ ...v, symbol: m.symbol, exchange: m.exchange }))}
            />
          )}
        </Field>
        <Field label={LABEL.exchange} name="exchange" error={err.exchange} hint={account ? `${account.label} trades ${markets.map((m) => m.exchange).join(', ') || 'no listed exchange'}` : undefined}>
          {(p) => (
            <select {...p} value={exchange} onChange={set('exchange')}>
              {offered.map((x) => (
                <option key={x} value={x}>
                  {EXCHANGES[x as Exchange] ?? x}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={LABEL.qty} name="qty" error={err.qty}>
          {(p) => <input {...p} type="text" inputMode="numeric" value={values.qty} onChange={set('qty')} placeholder="shares" />}
        </Field>
        <Field label={LABEL.buy_time} name="buy_time" error={err.buy_time} hint="24-hour HH:MM:SS">
          {(p) => <input {...p} type="text" inputMode="numeric" value={values.buy_time} onChange={set('buy_time')} placeholder="09:20:00" className="mono" />}
        </Field>
        <Field label={LABEL.sell_time} name="sell_time" error={err.sell_time} hint="Same day, after the BUY">
          {(p) => <input {...p} type="text" inputMode="numeric" value={values.sell_time} onChange={set('sell_time')} placeholder="15:10:00" className="mono" />}
        </Field>
        <Field label={LABEL.stop_loss} name="stop_loss" error={err.stop_loss} hint="Sold at once if the price falls to it">
          {(p) => <input {...p} type="text" inputMode="decimal" value={values.stop_loss} onChange={set('stop_loss')} placeholder="required" />}
        </Field>
        <Field label={LABEL.timezone} name="timezone" error={err.timezone} hint={exchangeZone ? `Empty: ${exchangeZone}, ${exchange}'s own` : "Empty: the exchange's own"}>
          {(p) => (
            <>
              <input {...p} type="text" list="tz-list" value={values.timezone} onChange={set('timezone')} placeholder={exchangeZone ?? 'exchange default'} spellCheck={false} />
              <datalist id="tz-list">
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label={LABEL.repeat} name="repeat" error={err.repeat}>
          {(p) => (
            <select {...p} value={values.repeat} onChange={set('repeat')}>
              {(Object.keys(REPEATS) as Repeat[]).map((r) => (
                <option key={r} value={r}>
                  {REPEATS[r]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={LABEL.buy_grace_seconds} name="buy_grace_seconds" error={err.buy_grace_seconds} hint="How late a BUY may still go out">
          {(p) => <input {...p} type="text" inputMode="numeric" value={values.buy_grace_seconds} onChange={set('buy_grace_seconds')} placeholder="60" />}
        </Field>
      </div>
      <p className="form__where" data-testid="form-where" aria-live="polite">
        {account ? (
          <>
            Trades <strong>{values.symbol.trim().toUpperCase() || 'the symbol'}</strong> on <strong>{exchange || '—'}</strong>, BUY and SELL times in{' '}
            <strong>{usedZone || '—'}</strong>
            {usedZone && zoneLabel(usedZone) !== usedZone && ` (${zoneLabel(usedZone)} time)`}, with <AccountTag accountId={account.id} />
          </>
        ) : (
          'Connect a broker account first.'
        )}
      </p>
      <FormError messages={errors.form} />
      <Dialog
        open={warning !== null}
        title="Stop-loss at or above the last price"
        onCancel={() => setWarning(null)}
        actions={
          <>
            <button type="button" className="btn" data-autofocus onClick={() => setWarning(null)}>
              Keep editing
            </button>
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => {
                setWarning(null);
                void save();
              }}
            >
              Save anyway
            </button>
          </>
        }
      >
        {warning && (
          <p>
            The stop-loss <strong className="num">{warning.stopLoss}</strong> is at or above the last price of {warning.symbol} on {warning.exchange},{' '}
            <strong className="num">{warning.price}</strong>. It would sell as soon as it is armed: if the price is still there at the BUY
            time, the day's run is skipped and nothing is bought.
          </p>
        )}
      </Dialog>
      <div className="form__actions">
        <button type="button" className="btn" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Saving…' : editing ? 'Save changes' : 'Create strategy'}
        </button>
      </div>
    </form>
  );
}

/** What a symbol the engine accepts looks like; the quote is asked only for such text. */
const SYMBOL_TEXT = /^[A-Z0-9][A-Z0-9.&_-]{0,29}$/;

/** The instrument's last price, shown under the symbol, or why there is none; nothing before a quote. */
function lastPrice(quote: QuoteDto | null, symbol: string, exchange: string): ReactNode {
  if (!quote || quote.symbol !== symbol || quote.exchange !== exchange) return undefined;
  if (!quote.known) return <span data-testid="last-price">{`${symbol} is not listed on ${exchange} at this account`}</span>;
  if (quote.price === null) return <span data-testid="last-price">{`${symbol} on ${exchange}: no price yet`}</span>;
  return (
    <span data-testid="last-price">
      Last price of {symbol} on {exchange}: <strong className="num">{quote.price}</strong>
    </span>
  );
}
