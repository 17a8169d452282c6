/**
 * E-mail over SMTP through nodemailer. A password never crosses the network in the clear: with
 * `security: none` a login is accepted only to a loopback host (a local relay).
 */
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { DeliveryError, scrub, type ChannelSender, type OutgoingNotification } from '../channel';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;
const address = (field: string) => z.email({ error: `${field} must be an e-mail address` }).max(254, { error: `${field} must be at most 254 characters` });

export const emailConfig = z
  .strictObject({
    host: z.string({ error: 'host is required' }).min(1, { error: 'host is required' }).max(253, { error: 'host must be at most 253 characters' }),
    port: z.number({ error: 'port must be a number' }).int({ error: 'port must be a whole number' }).min(1, { error: 'port must be 1-65535' }).max(65535, { error: 'port must be 1-65535' }),
    /** tls: TLS from the first byte (465); starttls: plain, then TLS required (587); none: no TLS. */
    security: z.enum(['tls', 'starttls', 'none'], { error: 'security must be tls, starttls or none' }),
    /** The login; absent: the server takes mail without one. */
    username: z.string().min(1, { error: 'username must not be empty' }).max(254, { error: 'username must be at most 254 characters' }).optional(),
    from: address('from'),
    to: z.array(address('each of to'), { error: 'to must be a list of addresses' }).min(1, { error: 'to needs at least one address' }).max(5, { error: 'to takes at most 5 addresses' }),
  })
  .refine((c) => c.security !== 'none' || c.username === undefined || LOOPBACK.test(c.host), {
    error: 'security none would send the password in the clear: use tls or starttls, or a relay on this machine (127.0.0.1)',
    path: ['security'],
  });
export type EmailConfig = z.infer<typeof emailConfig>;

export const emailSecret = z.strictObject({
  password: z.string({ error: 'password is required' }).max(1024, { error: 'password must be at most 1024 characters' }),
});
export type EmailSecret = z.infer<typeof emailSecret>;

/** nodemailer's error codes that mean the same message will be refused again. */
const FOR_GOOD = new Set(['EAUTH', 'EENVELOPE', 'EMESSAGE', 'ETLS', 'ENOAUTH']);

export function createEmailSender(input: { readonly config: EmailConfig; readonly secret: EmailSecret }): ChannelSender {
  const { config } = input;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.security === 'tls',
    requireTLS: config.security === 'starttls',
    ignoreTLS: config.security === 'none',
    ...(config.username === undefined ? {} : { auth: { user: config.username, pass: input.secret.password } }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    // Never a line of the SMTP conversation in our logs: it would carry the AUTH exchange.
    logger: false,
    debug: false,
  });
  return {
    async send(note: OutgoingNotification) {
      try {
        await transport.sendMail({
          from: config.from,
          to: config.to,
          subject: `Tradeclock: ${note.title}`,
          text: `${note.body}\n\n${new Date(note.at).toISOString()} (UTC)`,
          ...(note.urgency === 'critical' ? { priority: 'high' as const } : {}),
        });
      } catch (err) {
        const e = err as { code?: string; responseCode?: number; message?: string };
        const permanent = (e.code !== undefined && FOR_GOOD.has(e.code)) || (e.responseCode !== undefined && e.responseCode >= 500);
        const what = e.code === 'EAUTH' ? 'the SMTP server refused the login (user name or password)' : scrub(`SMTP: ${e.message ?? String(err)}`, [input.secret.password]);
        throw new DeliveryError(what, permanent);
      }
    },
    close: () => transport.close(),
  };
}
