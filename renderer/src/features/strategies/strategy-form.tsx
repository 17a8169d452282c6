/**
 * Create or edit a strategy. The fields, their groups and order, labels and hints are the
 * engine's (GET /strategy/form, see strategy-descriptor.ts): a field it does not trade yet is no
 * input, only named as coming later; a group with nothing that must be filled in (the days) starts
 * folded unless the strategy uses it. Nothing is validated here: the form sends what was typed
 * (numbers as numbers when they read as numbers, else as typed; a quantity always as typed) and shows each field error the API
 * returns next to its input, all at once, named by the input's label. Before saving it says where
 * and when the strategy will trade: the exchange (from the account's markets, never a hidden
 * "broker's default"), the time zone its times are in, the account with its PAPER or LIVE badge,
 * and the instrument's last price (and, for a crypto pair, its quantity step, least quantity and
 * least order value beside the quantity). The symbol field suggests the account's instruments as the
 * trader types, each with the exchange it is listed on. Each exit level has its unit beside it
 * (price, points or % of entry; a trail in points or % of the best price). A stop-loss price at
 * or above the last price would sell at once (the engine skips such a run at BUY time), and so
 * would a price target at or below it: saving either asks first. For a sell-first strategy (a
 * short, the side chosen in the form) both are the other way round. A level in points or percent
 * is a distance from the fill and is never asked about. A field that applies only with another
 * (the re-entry cut-off with re-entries, weekdays with a daily repeat) shows only then. A strategy's
 * positions (issue 19) are rows (positions-editor.tsx); the API's answer about a row's key
 * (`positions.1.stop_loss`) is shown under that key in its row.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../../lib/api-client';
import type { Exchange, QuoteDto, StrategyDto, StrategyFormDto } from '../../lib/api-types';
import { FormError, type ControlProps } from '../../ui/field';
import { NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { SymbolSearch } from './symbol-search';
import { stopReached, targetReached, type LevelWarning } from './stop-loss-warning';
import { toast } from '../../ui/toast';
import { useBrokers } from '../brokers/brokers-store';
import { useStrategies } from './strategies-store';
import { AccountTag } from './which-money';
import { zoneLabel } from '../../lib/format';
import { useStrategyForm } from './strategy-form-store';
import { bodyOf, groupsOf, inputKindOf, isInitial, isModeOf, isRows, isShown, labelsOf, modeOf, valuesOf, type FieldGroup, type FormField, type FormValue } from './strategy-descriptor';
import { SpecInput } from './spec-input';
import { PositionsEditor } from './positions-editor';
import { rowsFormErrors } from './position-rows';
import { FormGroups } from './strategy-form-groups';
import { StopLossConfirm } from './stop-loss-confirm';
import { qtyRulesWords } from './pair-words';

/** Labels of the exchanges the API accepts; a Record so a new exchange fails this build. */
const EXCHANGES: Record<Exchange, string> = {
  NSE: 'NSE (India)',
  BSE: 'BSE (India)',
  NFO: 'NFO (NSE derivatives)',
  BFO: 'BFO (BSE derivatives)',
  NYSE: 'NYSE (US)',
  NASDAQ: 'NASDAQ (US)',
  CRYPTO: 'Crypto (24/7)',
};

/** Fields whose empty input means "as the engine settles it" on an edit too: never sent as null. */
const KEPT_WHEN_EMPTY: ReadonlySet<string> = new Set(['exchange', 'timezone']);

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

/** The form once the engine has described its fields; until then what is happening, or why not and a retry. */
export function StrategyForm({ editing, onDone }: StrategyFormProps) {
  const descriptor = useStrategyForm((s) => s.descriptor);
  const error = useStrategyForm((s) => s.error);
  useEffect(() => {
    void useStrategyForm.getState().load();
  }, []);

  if (descriptor) return <StrategyFields descriptor={descriptor} editing={editing} onDone={onDone} />;
  return (
    <section className="card form strategy-form" aria-labelledby="strategy-form-title">
      <h2 id="strategy-form-title" className="card__title">
        {titleOf(editing)}
      </h2>
      {error ? (
        <div className="form-error" role="alert">
          Could not load the strategy form: {error}{' '}
          <button type="button" className="link" onClick={() => void useStrategyForm.getState().load()}>
            Try again
          </button>
        </div>
      ) : (
        <p className="muted" role="status">
          Loading the strategy form…
        </p>
      )}
      <div className="form__actions">
        <button type="button" className="btn" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </section>
  );
}

const titleOf = (editing: StrategyDto | undefined) => (editing ? `Edit ${editing.symbol} (#${editing.id})` : 'New strategy');

function StrategyFields({ descriptor, editing, onDone }: StrategyFormProps & { readonly descriptor: StrategyFormDto }) {
  const accounts = useBrokers((s) => s.accounts);
  const groups = useMemo(() => groupsOf(descriptor.fields), [descriptor]);
  const offered = useMemo(() => groups.flatMap((g) => g.offered), [groups]);
  const labels = useMemo(() => labelsOf(descriptor.fields), [descriptor]);
  const [values, setValues] = useState<Record<string, FormValue>>(() => {
    const v = valuesOf(offered, editing);
    if (!editing && 'broker_account_id' in v) v.broker_account_id = accounts[0] ? String(accounts[0].id) : '';
    return v;
  });
  const [open, setOpen] = useState<ReadonlySet<FieldGroup>>(() => new Set(groups.filter((g) => !g.optional || g.offered.some((f) => isShown(f, values, offered) && !isInitial(f, values[f.name]))).map((g) => g.group)));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [focusAsk, setFocusAsk] = useState<{ readonly name: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [quote, setQuote] = useState<QuoteDto | null>(null);
  const [warning, setWarning] = useState<LevelWarning | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const zones = useMemo(timeZones, []);

  const text = (name: string): string => {
    const v = values[name];
    return typeof v === 'string' ? v : '';
  };
  const account = accounts.find((a) => String(a.id) === text('broker_account_id'));
  const markets = account?.markets ?? [];
  // The exchange that will be used: the one picked, else the account's first (what the engine picks).
  const exchange = text('exchange') || markets[0]?.exchange || '';
  const offeredExchanges = [...new Set([...markets.map((m) => m.exchange), ...(text('exchange') ? [text('exchange')] : [])])];
  const exchangeZone = markets.find((m) => m.exchange === exchange)?.timezone;
  const usedZone = text('timezone').trim() || exchangeZone || '';

  const accountId = account ? account.id : null;
  const symbol = text('symbol').trim().toUpperCase();
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

  // Take the keyboard to the field asked for, once its group is drawn open.
  useEffect(() => {
    if (!focusAsk) return;
    const frame = requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`[name="${focusAsk.name}"]`)?.focus());
    return () => cancelAnimationFrame(frame);
  }, [focusAsk]);

  // Another account may trade other exchanges: its own default then applies, shown below.
  const change = (name: string, value: FormValue) =>
    setValues((v) => ({ ...v, [name]: value, ...(name === 'broker_account_id' && value !== v.broker_account_id ? { exchange: '' } : {}) }));
  const set = (name: string) => (e: { target: { value: string } }) => change(name, e.target.value);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    // The price shown for what is typed; asked now when typing outran it (saved before the pause).
    const shown = quote && quote.symbol === symbol && quote.exchange === exchange ? quote : null;
    const fresh = shown ?? (await quoteFor().catch(() => null));
    // The side chosen here, not the one saved: a short's stop sits above the price and its target below.
    const side = text('side') === 'sell' ? 'sell' : 'buy';
    const ask =
      stopReached(text('stop_loss'), text('stop_loss_mode') || 'price', fresh, side) ?? targetReached(text('target'), text('target_mode') || 'price', fresh, side);
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
      const body = bodyOf(offered, { ...values, exchange }, editing, KEPT_WHEN_EMPTY);
      const saved = editing ? await store.update(editing.id, body) : await store.create(body);
      const where = `${saved.symbol} found on ${saved.exchange}, times in ${saved.timezone}`;
      toast(editing ? `Saved ${saved.symbol} (#${saved.id}): ${where}` : `Created ${saved.symbol} (#${saved.id}): ${where}`);
      onDone(saved);
    } catch (err) {
      // A field hidden now (its show_when does not hold) has no input to show its error under: the form-level alert names it.
      const { errors: next, inputs } = rowsFormErrors(err, labels, offered.filter((f) => isShown(f, values, offered)), values);
      setErrors(next);
      // Open every group with a refused field (a row's key counts for its rows field), and take the keyboard to the first one.
      const refused = offered.filter((f) => Object.keys(next.fields).some((n) => n === f.name || n.startsWith(`${f.name}.`)));
      const first = inputs.find((n) => next.fields[n]);
      if (refused.length > 0 && first !== undefined) {
        setOpen((o) => new Set([...o, ...refused.map((f) => f.group)]));
        setFocusAsk({ name: first });
      }
    } finally {
      setBusy(false);
    }
  };

  const err = errors.fields;

  /** The controls only the form can draw: they need the accounts, their markets and the instruments. */
  const controls: Readonly<Record<string, (p: ControlProps) => ReactNode>> = {
    broker_account_id: (p) => (
      <select {...p} value={text('broker_account_id')} onChange={set('broker_account_id')} disabled={Boolean(editing)}>
        {accounts.length === 0 && <option value="">No broker connected</option>}
        {accounts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.label} (#{a.id})
          </option>
        ))}
      </select>
    ),
    symbol: (p) => (
      <SymbolSearch
        control={p}
        accountId={accountId}
        value={text('symbol')}
        onType={(typed) => change('symbol', typed)}
        onPick={(m) => setValues((v) => ({ ...v, symbol: m.symbol, exchange: m.exchange }))}
      />
    ),
    exchange: (p) => (
      <select {...p} value={exchange} onChange={set('exchange')}>
        {offeredExchanges.map((x) => (
          <option key={x} value={x}>
            {EXCHANGES[x as Exchange] ?? x}
          </option>
        ))}
      </select>
    ),
    timezone: (p) => (
      <>
        <input {...p} type="text" list="tz-list" value={text('timezone')} onChange={set('timezone')} placeholder={exchangeZone ?? 'exchange default'} spellCheck={false} />
        <datalist id="tz-list">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </>
    ),
  };
  /** Hints that need what the form knows; the engine's hint otherwise. */
  const hints: Readonly<Record<string, ReactNode>> = {
    symbol: lastPrice(quote, symbol, exchange),
    qty: qtyRules(quote, symbol, exchange),
    exchange: account ? `${account.label} trades ${markets.map((m) => m.exchange).join(', ') || 'no listed exchange'}` : undefined,
    timezone: exchangeZone ? `Empty: ${exchangeZone}, ${exchange}'s own` : undefined,
  };

  const input = (f: FormField) => {
    if (inputKindOf(f) === 'rows') {
      const v = values[f.name];
      return <PositionsEditor key={f.name} field={f} value={isRows(v) ? v : { rows: [] }} onChange={change} errors={err} values={values} fields={offered} />;
    }
    const mode = modeOf(f, offered);
    return (
      <SpecInput
        key={f.name}
        field={f}
        value={values[f.name]}
        onChange={change}
        error={err[f.name]}
        mode={mode && { field: mode, value: values[mode.name], error: err[mode.name] }}
        hint={hints[f.name]}
        control={controls[f.name]}
      />
    );
  };
  return (
    <form ref={formRef} className="card form strategy-form" onSubmit={submit} noValidate aria-labelledby="strategy-form-title">
      <h2 id="strategy-form-title" className="card__title">
        {titleOf(editing)}
      </h2>
      {errors.form.length === 0 && Object.keys(err).length > 0 && (
        <p className="form-error" role="alert">
          {Object.keys(err).length === 1 ? 'One field needs a fix.' : `${Object.keys(err).length} fields need a fix.`}
        </p>
      )}
      <FormGroups
        groups={groups}
        values={values}
        open={open}
        onToggle={(group, isOpen) => setOpen((o) => (isOpen === o.has(group) ? o : isOpen ? new Set([...o, group]) : new Set([...o].filter((x) => x !== group))))}
        drawn={(f) => !isModeOf(f, offered) && isShown(f, values, offered)}
        input={input}
      />
      <p className="form__where" data-testid="form-where" aria-live="polite">
        {account ? (
          <>
            Trades <strong>{symbol || 'the symbol'}</strong> on <strong>{exchange || '—'}</strong>, BUY and SELL times in{' '}
            <strong>{usedZone || '—'}</strong>
            {usedZone && zoneLabel(usedZone) !== usedZone && ` (${zoneLabel(usedZone)} time)`}, with <AccountTag accountId={account.id} />
          </>
        ) : (
          'Connect a broker account first.'
        )}
      </p>
      <FormError messages={errors.form} />
      <StopLossConfirm
        warning={warning}
        onKeepEditing={() => setWarning(null)}
        onSaveAnyway={() => {
          setWarning(null);
          void save();
        }}
      />
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

/** What a symbol the engine accepts looks like (strategy-spec.ts, a pair BASE/QUOTE too); the quote is asked only for such text. */
const SYMBOL_TEXT = /^(?=.{1,30}$)[A-Z0-9][A-Z0-9.&_-]*(\/[A-Z0-9][A-Z0-9.&_-]*)?$/;

/** Beside the quantity, once the symbol is known: the pair's step, least quantity and least order value; the engine's hint until then, or when it states none. */
function qtyRules(quote: QuoteDto | null, symbol: string, exchange: string): ReactNode {
  if (!quote?.instrument || quote.symbol !== symbol || quote.exchange !== exchange) return undefined;
  const words = qtyRulesWords(symbol, quote.instrument);
  return words === null ? undefined : <span data-testid="qty-rules">{words}</span>;
}

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
