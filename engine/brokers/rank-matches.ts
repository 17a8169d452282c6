/** The order in which a symbol search lists what it found; shared by every broker's search. */

/**
 * Listings whose symbol starts with `text` first (shortest symbol first, so "V" finds Visa before
 * VOD), then those whose name contains it; case-insensitive, at most `limit`. `symbolOf` reads a
 * listing's symbol where it is not called `symbol` (a broker's own rows, searched without copying).
 */
export function rankMatches<L extends { readonly symbol: string; readonly name: string }>(listings: readonly L[], text: string, limit: number): L[];
export function rankMatches<L extends { readonly name: string }>(listings: readonly L[], text: string, limit: number, symbolOf: (l: L) => string): L[];
export function rankMatches<L extends { readonly name: string }>(
  listings: readonly L[],
  text: string,
  limit: number,
  symbolOf: (l: L) => string = (l) => (l as L & { readonly symbol: string }).symbol,
): L[] {
  const q = text.trim().toUpperCase();
  if (q === '') return [];
  const bySymbol = listings.filter((l) => symbolOf(l).startsWith(q)).sort((a, b) => symbolOf(a).length - symbolOf(b).length || symbolOf(a).localeCompare(symbolOf(b)));
  const byName = listings.filter((l) => !symbolOf(l).startsWith(q) && l.name.toUpperCase().includes(q));
  return [...bySymbol, ...byName].slice(0, limit);
}
