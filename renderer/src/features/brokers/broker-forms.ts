/**
 * The connect form of each broker kind. Which brokers exist, their credential fields (and which
 * are secret or required) and their option keys come from `GET /broker/kinds`; this file only adds
 * words for the kinds it knows (labels, a description, an example), and falls back to the field
 * names for kinds it does not. Every value is checked by the engine, whose errors come back per
 * field (`credentials.key_id`, `options.feed`).
 */
import type { BrokerKindDto } from '../../lib/api-types';

export interface CredentialInput {
  /** The API's field name under `credentials`. */
  readonly name: string;
  readonly label: string;
  /** A password input. */
  readonly secret: boolean;
  readonly hint?: string;
}

export interface BrokerForm {
  readonly broker: string;
  readonly title: string;
  /** "Kite" in "Log in to Kite". */
  readonly shortName: string;
  readonly description: string;
  readonly dailyLogin: boolean;
  readonly credentials: readonly CredentialInput[];
  /** Label of the free-form options JSON input; every kind takes one (all options are optional). */
  readonly optionsLabel: string;
  readonly optionsHint: string;
  readonly optionsExample?: string;
}

interface KnownKind {
  readonly shortName: string;
  readonly description: string;
  readonly optionsLabel?: string;
  readonly optionsLead?: string;
  readonly optionsExample?: string;
  readonly hints?: Readonly<Record<string, string>>;
}

const KNOWN: Readonly<Record<string, KnownKind>> = {
  paper: {
    shortName: 'Paper',
    description: 'A simulated market on this computer. No account or keys needed; orders fill at the simulated price.',
    optionsLabel: 'Simulation options (JSON, optional)',
    optionsLead: 'For tests and demos: scripted prices per "EXCHANGE:SYMBOL" (afterMs counts from START).',
    optionsExample: '{ "scripts": { "CRYPTO:BTC": [ { "afterMs": 0, "price": 100 }, { "afterMs": 8000, "price": 94 } ] } }',
  },
  alpaca: {
    shortName: 'Alpaca',
    description: 'API keys from your Alpaca dashboard. Paper keys trade on Alpaca\'s paper account; set "paper": false for live keys.',
    optionsExample: '{ "paper": true, "feed": "iex" }',
  },
  kite: {
    shortName: 'Kite',
    description: "Your Kite Connect app's API key and secret. Kite needs a login every day (the token expires at 06:00 IST): connect, then log in to Kite from the account.",
    optionsLead:
      'Usually none; "product": "CNC" for delivery instead of intraday (MIS). Kite takes orders only from your registered static IP: "proxy_url" sends them through your proxy on that IP (http://host:port or socks5://host:port; its user name and password go in the fields above). The other URLs are for test servers only.',
    optionsExample: '{ "product": "MIS" }',
    hints: {
      access_token: "Today's token, if you already have one. Otherwise log in to Kite after connecting.",
      proxy_username: 'Only when options.proxy_url names a proxy that asks for a user name and password.',
    },
  },
  binance: {
    shortName: 'Binance',
    description:
      'An API key and its secret key (HMAC) from Binance, with spot trading allowed. The account starts on the spot testnet (testnet.binance.vision, which has its own keys); set "testnet": false for live keys and real money.',
    optionsLead: 'Crypto pairs such as BTC/USDT. "rest_url" is for test servers only.',
    optionsExample: '{ "testnet": true }',
  },
};

/** Words for credential fields whose name alone reads badly. */
const CREDENTIAL_LABELS: Readonly<Record<string, string>> = {
  key_id: 'API key ID',
  secret_key: 'Secret key',
  api_key: 'API key',
  api_secret: 'API secret',
  secret: 'Secret key',
  access_token: 'Access token',
  proxy_username: 'Proxy user name',
  proxy_password: 'Proxy password',
};

/** "stale_after_ms" → "Stale after ms". */
export function humanizeField(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The short name of a title: "Zerodha Kite Connect (NSE, BSE)" → "Zerodha Kite Connect". */
const beforeParens = (title: string) => title.replace(/\s*\(.*$/, '').trim() || title;

export function brokerForm(kind: BrokerKindDto): BrokerForm {
  const known = KNOWN[kind.broker];
  const keys = kind.option_fields.map((f) => (f.required ? `${f.name} (required)` : f.name));
  const lead = known?.optionsLead ?? '';
  return {
    broker: kind.broker,
    title: kind.title,
    shortName: known?.shortName ?? beforeParens(kind.title),
    description: known?.description ?? kind.title,
    dailyLogin: kind.daily_login,
    credentials: kind.credential_fields.map((f) => {
      const hint = known?.hints?.[f.name];
      return {
        name: f.name,
        label: `${CREDENTIAL_LABELS[f.name] ?? humanizeField(f.name)}${f.required ? '' : ' (optional)'}`,
        secret: f.secret,
        ...(hint ? { hint } : {}),
      };
    }),
    optionsLabel: known?.optionsLabel ?? 'Advanced options (JSON, optional)',
    optionsHint: [lead, keys.length > 0 ? `Keys: ${keys.join(', ')}.` : 'This broker takes no options.'].filter(Boolean).join(' '),
    ...(known?.optionsExample ? { optionsExample: known.optionsExample } : {}),
  };
}

/** The name a trader knows a broker by, for an account whose kind may not be loaded (yet). */
export function brokerShortName(broker: string, kinds: readonly BrokerKindDto[] | null): string {
  const kind = kinds?.find((k) => k.broker === broker);
  return kind ? brokerForm(kind).shortName : (KNOWN[broker]?.shortName ?? broker);
}
