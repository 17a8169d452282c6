/**
 * Where the chart's fill labels go. The chart library draws marker text centred on the fill and
 * clips it at the edges of the plot, so on a phone a BUY at the first point or an exit at the last
 * lost half its label. The labels are drawn by us instead (DOM, over the canvas), placed here:
 * centred on the fill, below a BUY and above an exit, then moved just enough to lie inside the plot.
 */

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface LabelBox {
  readonly left: number;
  readonly top: number;
}

const clamp = (v: number, min: number, max: number) => Math.min(Math.max(v, min), Math.max(min, max));

/**
 * Between the fill's point and its label: the library's arrow and its margin, which grow with the
 * bar spacing (lightweight-charts 5 series-markers: shape height = spacing within 12..30 px,
 * margin = a tenth of it, at least 3 px).
 */
export function arrowRoom(barSpacing: number): number {
  const shape = clamp(barSpacing, 12, 30);
  return Math.ceil(shape + Math.max(shape / 10, 3)) + 1;
}

/**
 * The label's top-left corner in plot pixels, `gap` (arrowRoom) from its point.
 *
 * @example
 *   placeLabel({ x: 2, y: 100 }, { width: 80, height: 16 }, 'below', { width: 300, height: 260 }, 16) // { left: 0, top: 116 }
 */
export function placeLabel(point: { readonly x: number; readonly y: number }, label: Size, side: 'below' | 'above', plot: Size, gap: number): LabelBox {
  const top = side === 'below' ? point.y + gap : point.y - gap - label.height;
  return { left: clamp(point.x - label.width / 2, 0, plot.width - label.width), top: clamp(top, 0, plot.height - label.height) };
}

/**
 * How many bars of empty space to leave at each end so a marker's arrow at the first or last point
 * keeps `px` pixels from the edge, for `bars` points over `plotWidth` pixels (each end gets m bars
 * of the width's share: m · w / (bars + 2m) ≥ px).
 */
export function edgeBars(bars: number, plotWidth: number, px: number): number {
  if (bars <= 0 || plotWidth <= 2 * px) return 0;
  return Math.ceil((px * bars) / (plotWidth - 2 * px));
}
