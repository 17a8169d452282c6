/**
 * The brokers Tradeclock can connect to, each with the shape of its credentials and options and
 * how to build it. Adding a broker is adding an entry here; nothing else asks which broker it is.
 */
import { z } from 'zod';
import type { Clock } from '../core/clock';
import type { Broker } from './broker';
import { createPaperBroker } from './paper/paper-broker';
import { paperBrokerOptionsSchema } from './paper/paper-config';

export interface BrokerKind {
  /** Label for the connect form. */
  readonly title: string;
  /** Credentials as the trader enters them; validated before anything is stored. */
  readonly credentialsSchema: z.ZodType<Record<string, string>>;
  /** Endpoint overrides and settings; never secret. */
  readonly optionsSchema: z.ZodType<Record<string, unknown>>;
  /** False for paper: nothing to encrypt, no keychain needed. */
  readonly needsSecret: boolean;
  create(args: { readonly clock: Clock; readonly credentials: Record<string, string>; readonly options: Record<string, unknown> }): Broker;
}

export type BrokerKinds = Readonly<Record<string, BrokerKind>>;

export function defaultBrokerKinds(): BrokerKinds {
  return {
    paper: {
      title: 'Paper trading (simulated market)',
      credentialsSchema: z.strictObject({}),
      optionsSchema: paperBrokerOptionsSchema,
      needsSecret: false,
      create: ({ clock, options }) => createPaperBroker({ clock, ...options }),
    },
  };
}
