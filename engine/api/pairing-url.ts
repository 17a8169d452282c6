/**
 * What the pairing QR code carries: the daemon's URL with the one-time code in the fragment
 * (`#pair=CODE`). A fragment never leaves the phone's browser, so the code is in no request line
 * and no log; the UI reads it and asks the trader for the phone's name.
 */
import QRCode from 'qrcode';

/**
 * @example pairingUrl('https://192.168.1.20:7420', 'ABCDEFGH') // 'https://192.168.1.20:7420/#pair=ABCDEFGH'
 */
export function pairingUrl(origin: string, code: string): string {
  return `${new URL('/', origin).href}#pair=${code}`;
}

/** The QR code of `text` as an SVG data: URL (the page's CSP allows data: images). */
export async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
