/**
 * GET /auth/registration, POST /auth/register, POST /auth/login (public); GET /auth/validate,
 * POST /auth/logout (this session, or a paired device unpairs itself), GET /auth/sessions (signed
 * in); POST /auth/password, DELETE /auth/sessions/:id, POST /auth/sessions/sign-out-others (a
 * password session only: a paired phone cannot lock the trader out).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { passwordSession, type AuthService, type ClientInfo, type Session } from '../../auth/auth-service';
import type { ApiContext } from '../api-context';
import { signedIn, signedInOf, userOf } from '../authenticate';
import { unpair } from './devices';
import type { PasswordChangedDto, RegistrationDto, SignedInSessionsDto, SignedOutDto } from '../contract';
import { signedInSessionDto, userDto, type SessionDto, type UserDto } from '../dto';
import { changePasswordBody, loginBody, parse, registerBody, sessionParams, type RegisterBody } from '../schemas';
import { fromZodError } from '../../core/zod-errors';
import { validationError } from '../../core/errors';

const sessionDto = (s: Session): SessionDto => ({ token: s.token, user: userDto(s.user) });

const clientOf = (request: FastifyRequest): ClientInfo => ({ address: request.ip, userAgent: request.headers['user-agent'] ?? '' });

export function authRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { auth, sockets } = ctx;

  // Whether the sign-in screen may offer "Create account": closed once a single-user install has its account.
  app.get('/auth/registration', async (): Promise<RegistrationDto> => auth.registrationStatus());

  app.post('/auth/register', async (request, reply) => {
    const body = parseRegistration(auth, request.body);
    const registering = { email: body.email, password: body.password, confirm: body.confirm_password };
    return reply.code(201).send(sessionDto(await auth.register(registering, clientOf(request))));
  });

  app.post('/auth/login', async (request) => {
    const body = parse(loginBody, request.body);
    return sessionDto(await auth.login(body.email, body.password, clientOf(request)));
  });

  signedIn(app, auth, (scope) => {
    scope.get('/auth/validate', async (request): Promise<{ valid: true; user: UserDto }> => ({ valid: true, user: userDto(userOf(request)) }));

    // A paired device that signs out unpairs itself: its token was its only way in.
    scope.post('/auth/logout', async (request, reply) => {
      const signed = signedInOf(request);
      if (signed.deviceId !== undefined) await unpair(ctx, signed.user.id, signed.deviceId, 'signed out');
      else {
        auth.endSession(signed.user.id, signed.sessionId);
        await sockets.closeEnded(signed.user.id, 'signed out');
      }
      return reply.code(204).send();
    });

    scope.post('/auth/password', async (request): Promise<PasswordChangedDto> => {
      const body = parse(changePasswordBody, request.body);
      const signed = passwordSession(signedInOf(request));
      // Each paired device's Web Push channels go before its row (the senders closed, as unpair does).
      const changed = await auth.changePassword(signed, { current: body.current_password, next: body.new_password, confirm: body.confirm_password }, request.ip, (deviceId) =>
        ctx.deps.notify.removeDeviceChannels(signed.user.id, deviceId),
      );
      // The other sessions and the paired devices are signed out now; the sockets opened with them go too.
      await sockets.closeEnded(signed.user.id, 'password changed: sign in again');
      return { user: userDto(changed.user), signed_out_sessions: changed.endedSessions, unpaired_devices: changed.unpairedDevices };
    });

    scope.get('/auth/sessions', async (request): Promise<SignedInSessionsDto> => {
      const { user, sessionId } = signedInOf(request);
      return { sessions: auth.sessions(user.id).map((s) => signedInSessionDto(s, sessionId ?? null)) };
    });

    scope.delete('/auth/sessions/:id', async (request, reply) => {
      const { id } = parse(sessionParams, request.params);
      const { user } = passwordSession(signedInOf(request));
      auth.endSession(user.id, id);
      await sockets.closeEnded(user.id, 'signed out from another session');
      return reply.code(204).send();
    });

    scope.post('/auth/sessions/sign-out-others', async (request): Promise<SignedOutDto> => {
      const { user, sessionId } = passwordSession(signedInOf(request));
      const ended = auth.endOtherSessions(user.id, sessionId);
      await sockets.closeEnded(user.id, 'signed out from another session');
      return { signed_out_sessions: ended };
    });
  });
}

/**
 * The register body. One the schema refuses never reaches the service, so the service's password
 * rules are reported with the schema's errors here: a trader with a mistyped address and a short
 * password hears of both at once.
 */
function parseRegistration(auth: AuthService, raw: unknown): RegisterBody {
  const parsed = registerBody.safeParse(raw);
  if (parsed.success) return parsed.data;
  const { password, confirm_password: confirm } = (typeof raw === 'object' && raw !== null ? raw : {}) as { password?: unknown; confirm_password?: unknown };
  const rules = typeof password === 'string' ? auth.registrationProblems(password, typeof confirm === 'string' ? confirm : undefined) : [];
  // An empty password keeps the schema's "password is required"; for any other the rules' words say more.
  const own = password === '' ? rules.filter((f) => f.field !== 'password') : rules;
  const replaced = own.some((f) => f.field === 'password');
  const shape = (fromZodError(parsed.error).fields ?? []).filter((f) => !(replaced && f.field === 'password'));
  throw validationError([...shape, ...own]);
}
