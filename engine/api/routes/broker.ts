/**
 * POST /broker/connect, GET /broker, GET /broker/:id, DELETE /broker/:id (refused while any
 * strategy uses the account, as each account's removal_blocked_by lists), GET /broker/kinds (what
 * the connect form offers; signed in), and the
 * daily login of brokers that need one: POST /broker/:id/login (the URL to open),
 * POST /broker/:id/session (a redirect URL or token pasted by hand), and GET /broker/login/callback,
 * where the broker sends the browser back; and what the strategy form asks while the trader types:
 * GET /broker/:id/instruments?q= (symbol search) and GET /broker/:id/quote (last price). The callback is not signed in: the single-use nonce
 * issued with the login URL is its only authority.
 */
import type { FastifyInstance } from 'fastify';
import type { BrokerAccount } from '../../../db/repos';
import type { BrokerSessionInfo } from '../../brokers/broker';
import { asBrokerAccountId, type BrokerAccountId } from '../../core/ids';
import type { ApiContext } from '../api-context';
import { signedIn, userOf } from '../authenticate';
import { brokerKindsDto } from '../broker-kind-dto';
import { accountFacts } from '../../brokers/broker-kinds';
import { removalBlockers } from '../../brokers/removal-blockers';
import type { Strategy } from '../../core/types';
import type { BrokerKindsDto, BrokerLoginStartDto, BrokerSessionResultDto, InstrumentSearchDto, QuoteDto } from '../contract';
import { INSTRUMENT_SEARCH_MAX, quoteOf, searchInstruments } from '../../brokers/instrument-finder';
import { brokerAccountDto, quoteDto, type BrokerAccountDto } from '../dto';
import { brokerSessionBody, connectBrokerBody, idParams, instrumentSearchQuery, parse, quoteQuery } from '../schemas';
import { DomainError } from '../../core/errors';

export function brokerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { brokerAccounts, engine, clock, repos } = ctx.deps;
  /**
   * Logins completed through this server since it started. A closed broker has no adapter to ask,
   * so its session is what its last login said: the token worked when the broker handed it over.
   */
  const logins = new Map<BrokerAccountId, { readonly expiresAt: number; readonly checkedAt: number }>();
  const sessionOf = (a: BrokerAccount): BrokerSessionInfo | null => {
    const open = engine.brokers.peek(a.id)?.login?.current();
    if (open) return open;
    const last = a.status === 'connected' ? logins.get(a.id) : undefined;
    if (!last) return null;
    return clock.now() < last.expiresAt
      ? { state: 'valid', expiresAt: last.expiresAt, checkedAt: last.checkedAt, message: 'logged in' }
      : { state: 'expired', expiresAt: last.expiresAt, checkedAt: last.checkedAt, message: 'the daily login has run out: log in again' };
  };
  /** `strategies`: the user's, read once per request for every account's removal blockers. */
  const dto = (a: BrokerAccount, strategies: readonly Strategy[] = repos.strategies.list(a.userId)): BrokerAccountDto =>
    brokerAccountDto(a, engine.market.feedState(a.id) ?? null, sessionOf(a), accountFacts(brokerAccounts.kinds()[a.broker], a.options), removalBlockers(strategies, a.id));
  /** Remembers a completed login and, for a closed broker (an open one reports itself), tells the user's screens. */
  const loggedIn = (account: BrokerAccount, expiresAt: number): void => {
    logins.set(account.id, { expiresAt, checkedAt: clock.now() });
    if (engine.brokers.peek(account.id)?.login) return;
    const session = sessionOf(account);
    if (!session) return;
    engine.bus.publish({
      type: 'broker_session_changed',
      userId: account.userId,
      brokerAccountId: account.id,
      state: session.state,
      expiresAt: session.expiresAt,
      message: session.message,
      at: clock.now(),
    });
  };

  app.get('/broker/login/callback', async (request, reply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    try {
      const { account, expiresAt } = await brokerAccounts.completeLoginRedirect(request.url);
      loggedIn(account, expiresAt);
      const until = new Date(expiresAt).toISOString().replace('T', ' ').slice(0, 16);
      return page('Logged in', `${escapeHtml(account.label)} is logged in until ${until} UTC. You can close this tab and return to Tradeclock.`);
    } catch (err) {
      reply.code(err instanceof DomainError && err.code === 'unauthorized' ? 401 : 400);
      return page('Login not completed', `${escapeHtml(err instanceof DomainError ? err.message : 'the login could not be completed')}.`);
    }
  });

  signedIn(app, ctx.auth, (scope) => {
    scope.get('/broker/kinds', async (): Promise<BrokerKindsDto> => ({ kinds: brokerKindsDto(brokerAccounts.kinds()) }));

    scope.post('/broker/connect', async (request, reply) => {
      const body = parse(connectBrokerBody, request.body);
      const account = await brokerAccounts.connect(userOf(request).id, body);
      return reply.code(201).send(dto(account));
    });

    scope.get('/broker', async (request): Promise<{ accounts: BrokerAccountDto[] }> => {
      const userId = userOf(request).id;
      const strategies = repos.strategies.list(userId);
      return { accounts: brokerAccounts.list(userId).map((a) => dto(a, strategies)) };
    });

    scope.get('/broker/:id', async (request) => {
      const { id } = parse(idParams, request.params);
      return dto(brokerAccounts.get(userOf(request).id, asBrokerAccountId(id)));
    });

    scope.get('/broker/:id/instruments', async (request): Promise<InstrumentSearchDto> => {
      const { id } = parse(idParams, request.params);
      const { q, exchange, limit } = parse(instrumentSearchQuery, request.query);
      const found = await searchInstruments(engine.ctx, userOf(request).id, asBrokerAccountId(id), q, { exchange, limit: Math.min(limit ?? 8, INSTRUMENT_SEARCH_MAX) });
      return { instruments: found.map((m) => ({ symbol: m.symbol, exchange: m.exchange, name: m.name, tick_size: m.tickSize })) };
    });

    scope.get('/broker/:id/quote', async (request): Promise<QuoteDto> => {
      const { id } = parse(idParams, request.params);
      const { symbol, exchange } = parse(quoteQuery, request.query);
      return quoteDto(await quoteOf(engine.ctx, userOf(request).id, asBrokerAccountId(id), symbol, exchange));
    });

    scope.post('/broker/:id/login', async (request): Promise<BrokerLoginStartDto> => {
      const { id } = parse(idParams, request.params);
      const { url, expiresAt } = await brokerAccounts.loginUrl(userOf(request).id, asBrokerAccountId(id));
      return { login_url: url, expires_at: expiresAt };
    });

    scope.post('/broker/:id/session', async (request): Promise<BrokerSessionResultDto> => {
      const { id } = parse(idParams, request.params);
      const { redirect } = parse(brokerSessionBody, request.body);
      const { account, expiresAt } = await brokerAccounts.completeLogin(userOf(request).id, asBrokerAccountId(id), redirect);
      loggedIn(account, expiresAt);
      return { account: dto(account), session_expires_at: expiresAt };
    });

    scope.delete('/broker/:id', async (request, reply) => {
      const { id } = parse(idParams, request.params);
      await brokerAccounts.remove(userOf(request).id, asBrokerAccountId(id));
      logins.delete(asBrokerAccountId(id));
      return reply.code(204).send();
    });
  });
}

function page(title: string, sentence: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tradeclock: ${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto"><h1>${title}</h1><p>${sentence}</p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
