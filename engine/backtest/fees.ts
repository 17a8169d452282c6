/**
 * What an order costs beyond its price: brokerage, taxes and regulators' fees, per executed order,
 * in decimal (decimal.js) and rounded as each line says. The rates are a schedule passed in, so a
 * trader whose broker or year differs sets their own; the defaults and where they come from:
 *
 * India, equity intraday at Zerodha (zerodha.com/charges; support.zerodha.com "What is the
 * brokerage at Zerodha for equity?"):
 * - brokerage 0.03 % of the order's turnover or ₹20, whichever is lower;
 * - STT 0.025 % of the sell side's turnover, rounded to the nearest rupee (Zerodha's note on its
 *   charges: "STT/CTT charged will be rounded off to the nearest rupee");
 * - exchange transaction charges NSE 0.00297 %, BSE 0.00375 % of turnover (NSE's rate from
 *   1 Oct 2024; older pages show 0.00322 % and 0.00325 %: check the current charges list);
 * - SEBI turnover fees ₹10 a crore (0.0001 %);
 * - stamp duty 0.003 % of the buy side's turnover (₹300 a crore);
 * - GST 18 % on brokerage + SEBI fees + transaction charges.
 * Each line rounded half-up to the paisa per order (STT to the rupee): a contract note rounds
 * per scrip and day, so a day of several orders may differ by a few paise.
 *
 * India, index options (NFO, BFO) at Zerodha (zerodha.com/charges, "F&O - Options"; the rates
 * are per order and on the premium's turnover, premium × units):
 * - brokerage a flat ₹20 per executed order;
 * - STT 0.15 % of the sell side's premium, rounded to the rupee as above: the Finance Act 2026
 *   raised it from 0.1 % for trades from 1 April 2026 (Budget speech, 1 Feb 2026; the 0.1 % had
 *   applied from 1 Oct 2024): a backtest of earlier trades pays the later rate, leaning to more;
 * - exchange transaction charges NSE 0.03503 %, BSE 0.0325 % of the premium (the rates from
 *   1 Oct 2024; NSE's Investor Protection Fund charge is left out, as for equities);
 * - SEBI ₹10 a crore, stamp duty 0.003 % of the buy side, GST 18 % on brokerage + SEBI fees +
 *   transaction charges, as for equities.
 * STT on an option exercised at expiry is not charged: a backtest's runs close before the expiry.
 *
 * US equities (commission 0 by default, as at Alpaca):
 * - SEC Section 31 fee on sells: $27.80 per million of proceeds (the FY2025 rate; the SEC set $0.00
 *   from 14 May 2025 and published its FY2026 order on 27 Feb 2026, Release 34-104909: set the
 *   current rate, the default leans to paying more);
 * - FINRA TAF on sells: $0.000166 a share, at most $8.30 a trade;
 * both rounded up to the cent, as brokers pass them on.
 */
import Decimal from 'decimal.js';
import type { Exchange, OrderSide } from '../core/types';

/** A private Decimal: another module calling `Decimal.set` cannot change these roundings. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

export interface IndiaIntradaySchedule {
  readonly kind: 'india_intraday';
  readonly brokeragePct: number;
  readonly brokerageCap: number;
  readonly sttSellPct: number;
  readonly transactionPct: number;
  readonly sebiPerCrore: number;
  readonly stampBuyPct: number;
  readonly gstPct: number;
}

export interface IndiaOptionsSchedule {
  readonly kind: 'india_options';
  readonly brokeragePerOrder: number;
  readonly sttSellPct: number;
  readonly transactionPct: number;
  readonly sebiPerCrore: number;
  readonly stampBuyPct: number;
  readonly gstPct: number;
}

export interface UsEquitySchedule {
  readonly kind: 'us_equity';
  readonly commissionPerOrder: number;
  readonly secPerMillion: number;
  readonly tafPerShare: number;
  readonly tafCap: number;
}

export type FeeSchedule = IndiaIntradaySchedule | IndiaOptionsSchedule | UsEquitySchedule | { readonly kind: 'none' };

const INDIA = { kind: 'india_intraday', brokeragePct: 0.03, brokerageCap: 20, sttSellPct: 0.025, sebiPerCrore: 10, stampBuyPct: 0.003, gstPct: 18 } as const;
const INDIA_OPTIONS = { kind: 'india_options', brokeragePerOrder: 20, sttSellPct: 0.15, sebiPerCrore: 10, stampBuyPct: 0.003, gstPct: 18 } as const;

/** The default schedule of an exchange: equities on NSE, BSE and the US ones, index options on NFO and BFO; crypto: none. */
export function defaultFees(exchange: Exchange): FeeSchedule {
  switch (exchange) {
    case 'NSE':
      return { ...INDIA, transactionPct: 0.00297 };
    case 'BSE':
      return { ...INDIA, transactionPct: 0.00375 };
    case 'NYSE':
    case 'NASDAQ':
      return { kind: 'us_equity', commissionPerOrder: 0, secPerMillion: 27.8, tafPerShare: 0.000166, tafCap: 8.3 };
    case 'CRYPTO':
      return { kind: 'none' };
    case 'NFO':
      return { ...INDIA_OPTIONS, transactionPct: 0.03503 };
    case 'BFO':
      return { ...INDIA_OPTIONS, transactionPct: 0.0325 };
  }
}

/** One executed order's charges, each line rounded, and their total. */
export interface OrderFees {
  readonly total: number;
  readonly lines: Readonly<Record<string, number>>;
}

const pct = (turnover: Decimal, p: number) => turnover.mul(p).div(100);
const paisa = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
const centUp = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_UP);

/**
 * @example orderFees(defaultFees('NSE'), 'sell', 100, 2000).total // 80.85: ₹2,00,000 sold: brokerage 20, STT 50, NSE 5.94, SEBI 0.20, GST 4.71
 */
export function orderFees(schedule: FeeSchedule, side: OrderSide, qty: number, price: number): OrderFees {
  const turnover = new D(qty).mul(price);
  const lines: Record<string, Decimal> = {};
  if (schedule.kind === 'india_intraday' || schedule.kind === 'india_options') {
    lines.brokerage = schedule.kind === 'india_options' ? new D(schedule.brokeragePerOrder) : paisa(Decimal.min(pct(turnover, schedule.brokeragePct), schedule.brokerageCap));
    lines.stt = side === 'sell' ? pct(turnover, schedule.sttSellPct).toDecimalPlaces(0, Decimal.ROUND_HALF_UP) : new D(0);
    lines.transaction = paisa(pct(turnover, schedule.transactionPct));
    lines.sebi = paisa(turnover.mul(schedule.sebiPerCrore).div(1e7));
    lines.stamp = side === 'buy' ? paisa(pct(turnover, schedule.stampBuyPct)) : new D(0);
    lines.gst = paisa(pct(lines.brokerage.plus(lines.sebi).plus(lines.transaction), schedule.gstPct));
  } else if (schedule.kind === 'us_equity') {
    lines.commission = new D(schedule.commissionPerOrder);
    lines.sec = side === 'sell' ? centUp(turnover.mul(schedule.secPerMillion).div(1e6)) : new D(0);
    lines.taf = side === 'sell' ? centUp(Decimal.min(new D(qty).mul(schedule.tafPerShare), schedule.tafCap)) : new D(0);
  }
  const total = Object.values(lines).reduce((a, b) => a.plus(b), new D(0));
  return { total: total.toNumber(), lines: Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, v.toNumber()])) };
}
