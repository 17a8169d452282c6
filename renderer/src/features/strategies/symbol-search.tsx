/**
 * The symbol input of the strategy form, as a combobox: while the trader types it lists the
 * account's instruments that match (GET /broker/:id/instruments), each saying on which exchange
 * the broker lists it; Arrow keys move through the list, Enter or a click picks one, which sets
 * the symbol and the exchange, Escape closes it. Typing stays free: a symbol not in the list is
 * sent as typed and the engine says whether the broker knows it.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../../lib/api-client';
import type { InstrumentMatchDto } from '../../lib/api-types';
import type { ControlProps } from '../../ui/field';

/** Time without a keystroke before the list is asked for; one request per pause, not per key. */
const PAUSE_MS = 150;
const SHOWN = 8;

interface SymbolSearchProps {
  readonly control: ControlProps;
  readonly accountId: number | null;
  readonly value: string;
  readonly onType: (text: string) => void;
  readonly onPick: (match: InstrumentMatchDto) => void;
}

export function SymbolSearch({ control, accountId, value, onType, onPick }: SymbolSearchProps) {
  const listId = useId();
  const [matches, setMatches] = useState<readonly InstrumentMatchDto[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  // The text a pick put there: no search for it, the trader has chosen.
  const picked = useRef<string | null>(null);

  useEffect(() => {
    const text = value.trim();
    if (accountId === null || text === '' || text.length > 30 || picked.current === value) {
      setMatches([]);
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api('GET /broker/:id/instruments', undefined, { id: accountId, query: { q: text, limit: SHOWN }, signal: abort.signal })
        .then((res) => {
          setMatches(res.instruments);
          setActive(-1);
        })
        // A failed search only means no suggestions: the symbol can still be typed and saved.
        .catch(() => setMatches([]));
    }, PAUSE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [accountId, value]);

  const shown = open && matches.length > 0;
  const pick = (m: InstrumentMatchDto) => {
    picked.current = m.symbol;
    onPick(m);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (matches.length === 0) return;
      e.preventDefault();
      setOpen(true);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + matches.length) % matches.length);
    } else if (e.key === 'Enter' && shown && active >= 0) {
      // Enter picks the highlighted suggestion instead of submitting the form.
      e.preventDefault();
      pick(matches[active]!);
    } else if (e.key === 'Escape' && shown) {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  };

  const optionId = (i: number) => `${listId}-option-${i}`;
  return (
    <div className="combobox">
      <input
        {...control}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && active >= 0 ? optionId(active) : undefined}
        value={value}
        onChange={(e) => {
          picked.current = null;
          onType(e.target.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
        autoCapitalize="characters"
        autoComplete="off"
        spellCheck={false}
        placeholder="e.g. INFY, AAPL, BTC"
      />
      <ul id={listId} role="listbox" aria-label="Matching instruments" className="combobox__list" hidden={!shown}>
        {matches.map((m, i) => (
          <li
            key={`${m.exchange}:${m.symbol}`}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className={`combobox__option${i === active ? ' combobox__option--active' : ''}`}
            // mousedown, not click: the input keeps focus, so its blur does not close the list first.
            onMouseDown={(e) => {
              e.preventDefault();
              pick(m);
            }}
          >
            <span className="combobox__symbol">{m.symbol}</span>{' '}
            {m.name && <span className="combobox__name">{m.name}</span>}{' '}
            <span className="combobox__where">on {m.exchange}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
