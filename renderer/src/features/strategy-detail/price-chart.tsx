/**
 * The live price of a strategy's instrument (TradingView lightweight-charts), with its exit levels
 * as price lines (exit-levels.ts: the stop, named Trailing stop once the trail moved it, the target
 * and the entry while in position; before the fill the levels given as prices) and a marker at
 * every fill: BUY below the line, SELL / SL / TRAIL SL / TARGET / EXIT above.
 * The library draws the arrows; the labels are ours (marker-labels.ts), so none is cut at an edge.
 * The series is the last price of each second, from the ticks seen since the app was opened,
 * plus the fill prices so every marker sits on a point.
 */
import { useEffect, useMemo, useRef } from 'react';
import {
  createSeriesMarkers,
  LineStyle,
  type AutoscaleInfoProvider,
  type IPriceLine,
  type ISeriesMarkersPluginApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { OrderDto } from '../../lib/api-types';
import type { ChartLevel } from '../strategies/exit-levels';
import { clockTime, price as fmtPrice } from '../../lib/format';
import type { PricePoint } from '../live/ticks-store';
import { chartData, precisionOf, toTime } from './chart-data';
import { palette, useLineChart, type Palette } from './line-chart';
import { arrowRoom, edgeBars, placeLabel } from './marker-labels';

interface PriceChartProps {
  readonly symbol: string;
  readonly points: readonly PricePoint[];
  readonly orders: readonly OrderDto[];
  readonly levels: readonly ChartLevel[];
}

/**
 * Markers sit at the fill price itself (not on the line, which may have ticked elsewhere in that
 * second): the BUY arrow points up at its price from below, exits point down at theirs from above.
 */
const MARKER: Record<string, { text: string; position: 'atPriceTop' | 'atPriceBottom'; shape: 'arrowUp' | 'arrowDown'; color: keyof Palette }> = {
  BUY: { text: 'BUY', position: 'atPriceBottom', shape: 'arrowUp', color: 'buy' },
  SELL: { text: 'SELL', position: 'atPriceTop', shape: 'arrowDown', color: 'sell' },
  STOPLOSS: { text: 'SL', position: 'atPriceTop', shape: 'arrowDown', color: 'stop' },
  TRAIL_STOP: { text: 'TRAIL SL', position: 'atPriceTop', shape: 'arrowDown', color: 'stop' },
  TARGET: { text: 'TARGET', position: 'atPriceTop', shape: 'arrowDown', color: 'buy' },
  MANUAL_EXIT: { text: 'EXIT', position: 'atPriceTop', shape: 'arrowDown', color: 'muted' },
  SQUARE_OFF: { text: 'SQ-OFF', position: 'atPriceTop', shape: 'arrowDown', color: 'sell' },
  BACKSTOP: { text: 'BACKSTOP', position: 'atPriceTop', shape: 'arrowDown', color: 'stop' },
  BACKSTOP_TARGET: { text: 'TARGET @BROKER', position: 'atPriceTop', shape: 'arrowDown', color: 'buy' },
};

interface Fill {
  readonly id: number;
  readonly leg: string;
  readonly time: UTCTimestamp;
  readonly price: number;
  readonly text: string;
  readonly marker: (typeof MARKER)[string];
}

function fillsOf(orders: readonly OrderDto[]): Fill[] {
  return orders
    .filter((o) => o.filled_at !== null && o.fill_price !== null)
    .sort((a, b) => a.filled_at! - b.filled_at!)
    .map((o) => {
      const m = MARKER[o.leg] ?? MARKER.SELL!;
      return { id: o.id, leg: o.leg, time: toTime(o.filled_at!), price: o.fill_price!, text: `${m.text} ${fmtPrice(o.fill_price)}`, marker: m };
    });
}

const markers = (fills: readonly Fill[], colors: Palette): SeriesMarker<Time>[] =>
  fills.map((f) => ({ time: f.time, position: f.marker.position, price: f.price, shape: f.marker.shape, color: colors[f.marker.color], id: String(f.id) }));

/** Pixels an arrow at the first or last point keeps from the plot's edge. */
const EDGE_PX = 12;

/** The visible price range always includes the exit levels, the entry and every fill. */
function withLevels(levels: readonly number[]): AutoscaleInfoProvider {
  return (base) => {
    const info = base();
    if (!info?.priceRange || levels.length === 0) return info;
    return {
      ...info,
      priceRange: { minValue: Math.min(info.priceRange.minValue, ...levels), maxValue: Math.max(info.priceRange.maxValue, ...levels) },
    };
  };
}

/** Until the series is long enough to scroll, show all of it rather than a sliver at the right. */
const FIT_BELOW_POINTS = 240;

const localTime = (time: Time) => (typeof time === 'number' ? clockTime(time * 1000) : String(time));

/** How each level's line is drawn. */
const LINE: Record<ChartLevel['tone'], { color: keyof Palette; style: LineStyle }> = {
  stop: { color: 'stop', style: LineStyle.Dashed },
  target: { color: 'buy', style: LineStyle.Dashed },
  entry: { color: 'muted', style: LineStyle.Dotted },
};

export function PriceChart({ symbol, points, orders, levels }: PriceChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const markerApi = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  const lines = useRef<IPriceLine[]>([]);
  const labelLayer = useRef<HTMLDivElement>(null);
  const fills = useMemo(() => fillsOf(orders), [orders]);
  const fillsNow = useRef(fills);
  fillsNow.current = fills;
  // A new array each render: the lines follow what they say, "Stop-loss:95|Target:105|Entry:100".
  const levelKey = levels.map((l) => `${l.title}:${l.price}`).join('|');
  const levelPrices = levels.map((l) => l.price);

  // Puts each label beside its arrow, inside the plot; hidden while its fill is scrolled out of view.
  const placeLabels = useRef(() => {
    const c = chart.current;
    const s = series.current;
    const layer = labelLayer.current;
    if (!c || !s || !layer) return;
    const plot = { width: c.timeScale().width(), height: c.paneSize(0).height };
    const gap = arrowRoom(c.timeScale().options().barSpacing);
    for (const el of layer.children) {
      const label = el as HTMLElement;
      const fill = fillsNow.current.find((f) => String(f.id) === label.dataset.fill);
      const x = fill ? c.timeScale().timeToCoordinate(fill.time) : null;
      const y = fill ? s.priceToCoordinate(fill.price) : null;
      label.hidden = x === null || y === null || x < 0 || x > plot.width;
      if (label.hidden || !fill) continue;
      const box = placeLabel({ x: x!, y: y! }, { width: label.offsetWidth, height: label.offsetHeight }, fill.marker.position === 'atPriceBottom' ? 'below' : 'above', plot, gap);
      label.style.transform = `translate(${Math.round(box.left)}px, ${Math.round(box.top)}px)`;
    }
  });
  // After the library has drawn (it lays out on the next frame).
  const placeLabelsSoon = () => requestAnimationFrame(() => placeLabels.current());

  // Until the series is long enough to scroll: all of it, with room at both ends for the first and
  // last point's arrows. Again on a resize (a phone turned, a window narrowed), or the first fill
  // slides out of view on the left.
  const fit = () => {
    const c = chart.current;
    const bars = series.current?.data().length ?? 0;
    if (!c || bars === 0 || bars >= FIT_BELOW_POINTS) return;
    const margin = edgeBars(bars, c.timeScale().width(), EDGE_PX);
    c.timeScale().setVisibleLogicalRange({ from: -margin, to: bars - 1 + margin });
  };

  const { chart, series, theme } = useLineChart(container, {
    secondsVisible: true,
    timeFormatter: localTime,
    // Room above and below for the marker labels at the extremes (an SL fill is often the low).
    scaleMargins: { top: 0.12, bottom: 0.16 },
    attach: (c, s) => {
      markerApi.current = createSeriesMarkers(s, []);
      const place = () => placeLabelsSoon();
      const resized = () => {
        fit();
        placeLabelsSoon();
      };
      c.timeScale().subscribeVisibleLogicalRangeChange(place);
      c.timeScale().subscribeSizeChange(resized);
      return () => {
        c.timeScale().unsubscribeVisibleLogicalRangeChange(place);
        c.timeScale().unsubscribeSizeChange(resized);
        markerApi.current = null;
        lines.current = [];
      };
    },
  });

  // Data and markers. A new tick extends or replaces the last point (update keeps the user's
  // scroll and zoom); new fills or a theme change redraw the whole set.
  const drawn = useRef<{ orders: readonly OrderDto[]; theme: string; lastTime: number; head: number | undefined } | null>(null);
  useEffect(() => {
    const s = series.current;
    if (!s) return;
    const tail = points.at(-1);
    const prev = drawn.current;
    // Recorded bars arriving (a new head) redraw the whole set too.
    if (prev && prev.orders === orders && prev.theme === theme && prev.head === points[0]?.time && tail && tail.time >= prev.lastTime) {
      s.update({ time: tail.time as UTCTimestamp, value: tail.price });
      drawn.current = { ...prev, lastTime: tail.time };
    } else {
      const data = chartData(points, orders);
      const precision = precisionOf([...levelPrices, ...data.map((d) => d.value)]);
      s.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } });
      s.setData(data);
      markerApi.current?.setMarkers(markers(fillsOf(orders), palette()));
      drawn.current = { orders, theme, lastTime: data.at(-1)?.time ?? 0, head: points[0]?.time };
    }
    fit();
    placeLabelsSoon();
  }, [points, orders, theme, levelKey]);

  // The level lines, kept in view with every fill; redrawn only when a level moves (the trail).
  const fillPrices = orders.flatMap((o) => (o.fill_price === null ? [] : [o.fill_price])).join(',');
  useEffect(() => {
    const s = series.current;
    if (!s) return;
    s.applyOptions({ autoscaleInfoProvider: withLevels([...levelPrices, ...(fillPrices ? fillPrices.split(',').map(Number) : [])]) });
    for (const l of lines.current) s.removePriceLine(l);
    const colors = palette();
    lines.current = levels.map((l) =>
      s.createPriceLine({ price: l.price, color: colors[LINE[l.tone].color], lineWidth: 1, lineStyle: LINE[l.tone].style, axisLabelVisible: true, title: l.title }),
    );
  }, [levelKey, fillPrices, theme]);

  const last = points.at(-1)?.price;
  const filled = orders.filter((o) => o.filled_at !== null).length;
  const levelWords = levels.map((l) => `${l.title.toLowerCase()} ${fmtPrice(l.price)}`).join(', ');
  return (
    <div
      className="chart"
      // A figure, not an img: the chart library's attribution link inside is focusable.
      role="figure"
      aria-label={`Price chart of ${symbol}: last price ${fmtPrice(last)}, ${levelWords ? `${levelWords}, ` : ''}${filled} fill${filled === 1 ? '' : 's'} marked`}
      data-points={points.length}
      data-levels={levelKey}
    >
      <div className="chart__canvas" ref={container} />
      <div className="chart__labels" ref={labelLayer}>
        {fills.map((f) => (
          <span key={f.id} className={`chart__label chart__label--${f.marker.color}`} data-fill={f.id} data-leg={f.leg} hidden>
            {f.text}
          </span>
        ))}
      </div>
    </div>
  );
}
