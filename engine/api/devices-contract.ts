/**
 * The wire shapes of pairing a phone and managing paired devices (issue 21): POST
 * /devices/pairing-code, POST /devices/pair, GET /devices, PATCH and DELETE /devices/:id,
 * GET /devices/authority.crt.
 * Types only; the renderer imports them through contract.ts.
 */

/** The certificate the daemon serves over HTTPS, for the trader to compare on the phone. */
export interface ServedCertificateDto {
  /** SHA-256 of the certificate (DER), upper-case hex in colon-separated pairs, as browsers show it. */
  readonly sha256: string;
  /** true for the one the daemon made itself: the phone warns about it the first time. */
  readonly self_signed: boolean;
  /** Where a phone downloads the daemon's authority to trust it for good; null for the trader's own certificate. */
  readonly authority_url: string | null;
}

/** POST /devices/pairing-code: a one-time code and where the phone should go. */
export interface PairingCodeDto {
  /** 8 characters shown as XXXX-XXXX; pairs once, until expires_at. */
  readonly code: string;
  readonly expires_at: number;
  /** The URL in the QR code: the daemon's LAN address with the code in its fragment (never sent to a server). */
  readonly pair_url: string;
  /** The daemon's other LAN URLs (another interface, a --public-host name), for a phone on another of them. */
  readonly other_urls: string[];
  /** The QR code of pair_url, an SVG as a data: URL. */
  readonly qr: string;
  /** false when the daemon listens on loopback only: no phone can reach pair_url. */
  readonly reachable_from_lan: boolean;
  /** null when the daemon serves plain HTTP only. */
  readonly certificate: ServedCertificateDto | null;
}

/** POST /devices/pair's body: the code and the trader's name for the phone. */
export interface PairBodyDto {
  readonly code: string;
  readonly name: string;
}

/** A paired device as listed; its token is never shown. */
export interface DeviceDto {
  readonly id: number;
  readonly name: string;
  readonly paired_at: number;
  /** To the minute: a use is recorded at most once a minute. */
  readonly last_seen_at: number;
  /** The address it paired from, as the daemon saw it. */
  readonly paired_from: string;
  /** true for the device of the token that asked. */
  readonly current: boolean;
}

/** POST /devices/pair's answer: the only time the device token is ever sent. */
export interface PairedDto {
  readonly token: string;
  readonly device: DeviceDto;
  readonly user: { readonly id: number; readonly email: string };
}

export interface DevicesDto {
  readonly devices: DeviceDto[];
}
