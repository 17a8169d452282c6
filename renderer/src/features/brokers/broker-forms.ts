/**
 * The connect form of each broker kind the engine offers (engine/brokers/broker-kinds.ts): which
 * credential inputs it has and whether it takes options. Only the labels live here; every value
 * is checked by the engine, whose errors come back per field.
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
];

export const brokerForm = (broker: string): BrokerForm | undefined => BROKER_FORMS.find((f) => f.broker === broker);
