/**
 * The one line chart (TradingView lightweight-charts) the price chart and the backtest's equity
 * chart are drawn on: created once in a container that sizes it (autoSize), transparent on the
 * card, its text, grid and line coloured from the theme's CSS variables and again when the theme
 * changes. What each chart adds (markers, level lines, labels) it attaches in `attach`, which runs
 * right after the chart exists and whose cleanup runs before it is removed.
 */
import { useEffect, useRef, type RefObject } from 'react';
import { ColorType, createChart, LineSeries, type IChartApi, type ISeriesApi, type Time } from 'lightweight-charts';
import { useTheme } from '../../app/theme';

export interface Palette {
  readonly text: string;
  readonly grid: string;
  readonly line: string;
  readonly buy: string;
  readonly sell: string;
  readonly stop: string;
  readonly muted: string;
}

/** The theme's colours as the CSS variables say them now. */
export function palette(): Palette {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return { text: v('--text-muted'), grid: v('--grid'), line: v('--accent'), buy: v('--pos'), sell: v('--accent'), stop: v('--neg'), muted: v('--text-muted') };
}

export interface LineChartOptions {
  /** Seconds on the time axis (live ticks), or none (trades days apart). */
  readonly secondsVisible: boolean;
  /** How a time reads under the crosshair, and on the axis unless `tickFormatter` says otherwise. */
  readonly timeFormatter: (time: Time) => string;
  readonly tickFormatter?: (time: Time) => string;
  /** Room above and below the line, as fractions of the height. */
  readonly scaleMargins: { readonly top: number; readonly bottom: number };
  readonly rightOffset?: number;
  /** Runs once the chart and its line exist; what it returns runs before the chart is removed. */
  readonly attach?: (chart: IChartApi, series: ISeriesApi<'Line'>) => () => void;
}

/**
 * @example const { chart, series } = useLineChart(container, { secondsVisible: false, timeFormatter: dayOf, scaleMargins: { top: 0.1, bottom: 0.1 } });
 */
export function useLineChart(
  container: RefObject<HTMLDivElement | null>,
  options: LineChartOptions,
): { readonly chart: RefObject<IChartApi | null>; readonly series: RefObject<ISeriesApi<'Line'> | null>; readonly theme: string } {
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<'Line'> | null>(null);
  const theme = useTheme((s) => s.theme);
  const first = useRef(options);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const o = first.current;
    const c = createChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, fontFamily: 'inherit', attributionLogo: true },
      timeScale: { timeVisible: true, secondsVisible: o.secondsVisible, tickMarkFormatter: o.tickFormatter ?? o.timeFormatter, rightOffset: o.rightOffset ?? 4 },
      localization: { timeFormatter: o.timeFormatter },
      rightPriceScale: { borderVisible: false, scaleMargins: o.scaleMargins },
      crosshair: { mode: 0 },
      handleScroll: { vertTouchDrag: false },
    });
    const s = c.addSeries(LineSeries, { lineWidth: 2, priceLineVisible: true, lastValueVisible: true });
    chart.current = c;
    series.current = s;
    const detach = o.attach?.(c, s);
    return () => {
      detach?.();
      c.remove();
      chart.current = null;
      series.current = null;
    };
  }, [container]);

  // Colours follow the theme.
  useEffect(() => {
    const colors = palette();
    chart.current?.applyOptions({
      layout: { textColor: colors.text },
      grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
    });
    series.current?.applyOptions({ color: colors.line });
  }, [theme]);

  return { chart, series, theme };
}
