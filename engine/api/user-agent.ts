/**
 * A User-Agent in a few words, so the trader can tell their sessions apart ("Chrome on Linux",
 * "Tradeclock desktop app on Windows", "curl"). Only recognises what it needs to; anything else
 * is named by its first product token. Never the full header: it is long and says little more.
 */

const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bElectron\//, 'Tradeclock desktop app'],
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\b(Chrome|CriOS)\//, 'Chrome'],
  [/\bChromium\//, 'Chromium'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\bWindows\b/, 'Windows'],
  [/\bAndroid\b/, 'Android'],
  [/\b(iPhone|iPad|iPod)\b/, 'iOS'],
  [/\b(Macintosh|Mac OS X)\b/, 'macOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bLinux\b/, 'Linux'],
];

/**
 * @example describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36') // 'Chrome on Linux'
 * @example describeUserAgent('curl/8.5.0') // 'curl'
 * @example describeUserAgent('') // 'Unknown client'
 */
export function describeUserAgent(userAgent: string): string {
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser) return system ? `${browser} on ${system}` : browser;
  const product = /^([A-Za-z][\w.-]{0,39})/.exec(userAgent.trim())?.[1];
  if (!product || product === 'Mozilla') return system ? `A browser on ${system}` : 'Unknown client';
  return product;
}
