/**
 * The connect form of each broker kind (engine/brokers/broker-kinds.ts): which credential inputs
 * it has and whether it takes options. Only labels live here; every value is checked by the
 * engine, whose errors come back per field (`credentials.key_id`, `options.feed`). A kind the
 * engine does not offer is refused with an error under "Broker".
 */

export interface CredentialInput {
  /** The API's field name under `credentials`. */
  readonly name: string;
  readonly label: string;
  readonly secret: boolean;
  readonly hint?: string;
}

export interface BrokerForm {
  readonly broker: string;
  readonly title: string;
  readonly description: string;
  readonly credentials: readonly CredentialInput[];
  /** Label of the free-form options JSON input; null when the broker takes none. */
  readonly optionsLabel: string | null;
  readonly optionsHint?: string;
  readonly optionsExample?: string;
}

export const BROKER_FORMS: readonly BrokerForm[] = [
  {
    broker: 'paper',
    title: 'Paper trading',
    description: 'A simulated market on this computer. No account or keys needed; orders fill at the simulated price.',
    credentials: [],
    optionsLabel: 'Simulation options (JSON, optional)',
    optionsHint:
      'For tests and demos: scripted prices per "EXCHANGE:SYMBOL" (afterMs counts from START), startPrices, tickIntervalMs, volatilityBps, slippageBps, ackLatencyMs, fillLatencyMs, seed, tickSize.',
    optionsExample: '{ "scripts": { "CRYPTO:BTC": [ { "afterMs": 0, "price": 100 }, { "afterMs": 8000, "price": 94 } ] } }',
  },
  {
    broker: 'alpaca',
    title: 'Alpaca (US stocks)',
    description: 'API keys from your Alpaca dashboard. Paper keys trade on Alpaca\'s paper account; set "paper": false for live keys.',
    credentials: [
      { name: 'key_id', label: 'API key ID', secret: false },
      { name: 'secret_key', label: 'Secret key', secret: true },
    ],
    optionsLabel: 'Options (JSON, optional)',
    optionsHint: 'paper (default true), feed ("iex" or "sip").',
    optionsExample: '{ "paper": true, "feed": "iex" }',
  },
  {
    broker: 'kite',
    title: 'Zerodha Kite (NSE, BSE)',
    description: 'Your Kite Connect app\'s API key and secret. Kite needs a login every day; the access token expires at 06:00 IST.',
    credentials: [
      { name: 'api_key', label: 'API key', secret: false },
      { name: 'api_secret', label: 'API secret', secret: true },
      { name: 'access_token', label: 'Access token (optional)', secret: true, hint: "Today's token, if you already have one." },
    ],
    optionsLabel: 'Options (JSON, optional)',
    optionsHint: 'product ("MIS" intraday or "CNC" delivery), mode, exchanges, market_protection.',
    optionsExample: '{ "product": "MIS" }',
  },
];

export const brokerForm = (broker: string): BrokerForm | undefined => BROKER_FORMS.find((f) => f.broker === broker);
