/** The order in which a symbol search lists what it found; shared by every broker's search. */

/**
 * Listings whose symbol starts with `text` first (shortest symbol first, so "V" finds Visa before
 * VOD), then those whose name contains it; case-insensitive, at most `limit`.
 */
export function rankMatches<L extends { readonly symbol: string; readonly name: string }>(listings: readonly L[], text: string, limit: number): L[] {
  const q = text.trim().toUpperCase();
  if (q === '') return [];
  const bySymbol = listings.filter((l) => l.symbol.startsWith(q)).sort((a, b) => a.symbol.length - b.symbol.length || a.symbol.localeCompare(b.symbol));
  const byName = listings.filter((l) => !l.symbol.startsWith(q) && l.name.toUpperCase().includes(q));
  return [...bySymbol, ...byName].slice(0, limit);
}
