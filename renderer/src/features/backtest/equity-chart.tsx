/**
 * A backtest's equity after each trade, from 0 at the first entry (report.equity), on the same
 * line chart as the live price (line-chart.ts). Times read in the strategy's zone: the axis by
 * day, the crosshair to the minute.
 */
import { useEffect, useRef } from 'react';
import type { Time } from 'lightweight-charts';
import type { BacktestDto } from '../../lib/api-types';
import { signedMoney, zonedDayTime } from '../../lib/format';
import { useLineChart } from '../strategy-detail/line-chart';
import { equityPoints } from './backtest-view';

const DAY = new Map<string, Intl.DateTimeFormat>();
function dayOf(ms: number, zone: string): string {
  let f = DAY.get(zone);
  if (!f) DAY.set(zone, (f = new Intl.DateTimeFormat(undefined, { timeZone: zone, day: 'numeric', month: 'short' })));
  return f.format(ms);
}

export function EquityChart({ answer, zone }: { readonly answer: BacktestDto; readonly zone: string }) {
  const container = useRef<HTMLDivElement>(null);
  const seconds = (t: Time) => (typeof t === 'number' ? t * 1000 : 0);
  const { chart, series, theme } = useLineChart(container, {
    secondsVisible: false,
    timeFormatter: (t) => zonedDayTime(seconds(t), zone),
    tickFormatter: (t) => dayOf(seconds(t), zone),
    scaleMargins: { top: 0.1, bottom: 0.1 },
    rightOffset: 2,
  });
  const points = equityPoints(answer.trades, answer.report.equity);

  useEffect(() => {
    series.current?.setData(points);
    chart.current?.timeScale().fitContent();
  }, [answer, theme]);

  const r = answer.report;
  return (
    <div
      className="chart chart--equity"
      role="figure"
      aria-label={`Equity over the backtest: ${r.trades} trade${r.trades === 1 ? '' : 's'}, net ${signedMoney(r.net)}, largest drawdown ${signedMoney(-r.max_drawdown)}`}
      data-points={points.length}
    >
      <div className="chart__canvas" ref={container} />
    </div>
  );
}
