/**
 * GET /auth/registration, POST /auth/register, POST /auth/login (public); GET /auth/validate,
 * POST /auth/logout, POST /auth/password (signed in).
 */
import type { FastifyInstance } from 'fastify';
import type { Session } from '../../auth/auth-service';
import type { ApiContext } from '../api-context';
import { signedIn, userOf } from '../authenticate';
import type { RegistrationDto } from '../contract';
import { userDto, type SessionDto, type UserDto } from '../dto';
import { changePasswordBody, loginBody, parse, registerBody, type RegisterBody } from '../schemas';
import { passwordProblems } from '../../auth/password';
import { fromZodError } from '../../core/zod-errors';
import { validationError } from '../../core/errors';

const sessionDto = (s: Session): SessionDto => ({ token: s.token, user: userDto(s.user) });

export function authRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { auth, sockets } = ctx;

  // Whether the sign-in screen may offer "Create account": closed once a single-user install has its account.
  app.get('/auth/registration', async (): Promise<RegistrationDto> => auth.registrationStatus());

  app.post('/auth/register', async (request, reply) => {
    const body = parseRegistration(request.body);
    return reply.code(201).send(sessionDto(await auth.register(body.email, body.password, request.ip)));
  });

  app.post('/auth/login', async (request) => {
    const body = parse(loginBody, request.body);
    return sessionDto(await auth.login(body.email, body.password, request.ip));
  });

  signedIn(app, auth, (scope) => {
    scope.get('/auth/validate', async (request): Promise<{ valid: true; user: UserDto }> => ({ valid: true, user: userDto(userOf(request)) }));

    scope.post('/auth/logout', async (request, reply) => {
      const user = userOf(request);
      auth.logout(user.id);
      sockets.closeUser(user.id, 'signed out');
      return reply.code(204).send();
    });

    scope.post('/auth/password', async (request) => {
      const body = parse(changePasswordBody, request.body);
      const user = userOf(request);
      const session = await auth.changePassword(user.id, body.current_password, body.new_password, request.ip);
      // Every other token is revoked now; the sockets opened with them go too.
      sockets.closeUser(user.id, 'password changed: sign in again');
      return sessionDto(session);
    });
  });
}

/**
 * The register body, with the password policy and the confirmation checked in the same pass as
 * the email, so a trader with a mistyped address and a short password hears of both at once.
 */
function parseRegistration(raw: unknown): RegisterBody {
  const parsed = registerBody.safeParse(raw);
  const password = typeof raw === 'object' && raw !== null ? (raw as { password?: unknown }).password : undefined;
  const policy = typeof password === 'string' && password !== '' ? passwordProblems(password) : [];
  const fields = (parsed.success ? [] : (fromZodError(parsed.error).fields ?? [])).filter((f) => !(f.field === 'password' && policy.length > 0));
  fields.push(...policy.map((message) => ({ field: 'password', message })));
  const confirm = typeof raw === 'object' && raw !== null ? (raw as { confirm_password?: unknown }).confirm_password : undefined;
  if (typeof confirm === 'string' && typeof password === 'string' && confirm !== password) {
    fields.push({ field: 'confirm_password', message: 'confirm_password must be the same as the password' });
  }
  if (fields.length > 0 || !parsed.success) throw validationError(fields);
  return parsed.data;
}
