/**
 * Pairing a phone (issue 21). POST /devices/pair is public: the one-time code is its credential;
 * so is GET /devices/authority.crt, the daemon's own certificate authority (a public certificate).
 * The rest is signed in: GET /devices lists the user's paired devices; POST /devices/pairing-code,
 * PATCH /devices/:id (rename) and DELETE /devices/:id (revoke) need a password session, so a
 * paired phone can neither pair another device nor unpair the trader's others. A revoked
 * device's open event sockets are closed at once, and the Web Push channels it subscribed removed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { StoredDevice } from '../../../db/repos';
import { passwordSession } from '../../auth/auth-service';
import type { UserId } from '../../core/ids';
import { notFound } from '../../core/errors';
import type { ApiContext } from '../api-context';
import { signedIn, signedInOf } from '../authenticate';
import type { DeviceDto, DevicesDto, PairedDto, PairingCodeDto } from '../contract';
import { userDto } from '../dto';
import { pairingUrl, qrDataUrl } from '../pairing-url';
import { idParams, pairBody, parse, renameDeviceBody } from '../schemas';

/**
 * Unpairs a device, the one way every route does it: the Web Push channels it subscribed go first
 * (their senders closed, queued deliveries dropped), then its row (its token stops verifying), then
 * its open event sockets. Another user's device has no channel of this user's to remove, and its
 * revoke is the 404. @throws 404 when the user has no such device.
 */
export async function unpair(ctx: ApiContext, userId: UserId, deviceId: number, reason: string): Promise<void> {
  ctx.deps.notify.removeDeviceChannels(userId, deviceId);
  ctx.auth.pairing.revoke(userId, deviceId);
  await ctx.sockets.closeEnded(userId, reason);
}

const deviceDto = (d: StoredDevice, currentId: number | undefined): DeviceDto => ({
  id: d.id,
  name: d.name,
  paired_at: d.pairedAt,
  last_seen_at: d.lastSeenAt,
  paired_from: d.clientAddress,
  current: d.id === currentId,
});

/** The origin this request reached us at (a Host the hardening already accepted), over HTTPS when the daemon serves it. */
const ownOrigin = (request: FastifyRequest, https: boolean): string => `${https ? 'https' : request.protocol}://${request.headers.host ?? ''}`;

export function deviceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { auth } = ctx;
  const { lan } = ctx.deps;

  // The daemon's own authority, public by nature: a phone installs it to trust the daemon for good.
  // application/x-x509-ca-cert makes Android offer to install it and iOS to add it as a profile.
  app.get('/devices/authority.crt', async (_request, reply) => {
    const authority = lan?.certificate?.authority;
    if (!authority) throw notFound('certificate authority (this daemon serves no certificate of its own)');
    return reply.header('content-type', 'application/x-x509-ca-cert').header('content-disposition', 'attachment; filename="tradeclock-authority.crt"').send(authority);
  });

  app.post('/devices/pair', async (request, reply) => {
    const body = parse(pairBody, request.body);
    const { token, device } = auth.pairing.pair(body.code, body.name, request.ip);
    const user = ctx.deps.repos.users.getById(device.userId);
    if (!user) throw new Error('a paired device has no user');
    const answer: PairedDto = { token, device: deviceDto(device, device.id), user: userDto(user) };
    return reply.code(201).send(answer);
  });

  signedIn(app, auth, (scope) => {
    scope.get('/devices', async (request): Promise<DevicesDto> => {
      const signed = signedInOf(request);
      return { devices: auth.pairing.devices(signed.user.id).map((d) => deviceDto(d, signed.deviceId)) };
    });

    scope.post('/devices/pairing-code', async (request): Promise<PairingCodeDto> => {
      const { user } = passwordSession(signedInOf(request));
      const lanUrls = lan?.urls() ?? [];
      const { code, expiresAt } = auth.pairing.newCode(user.id);
      const url = pairingUrl(lanUrls[0] ?? ownOrigin(request, Boolean(lan?.certificate)), code);
      return {
        code: `${code.slice(0, 4)}-${code.slice(4)}`,
        expires_at: expiresAt,
        pair_url: url,
        other_urls: lanUrls.slice(1).map((u) => new URL('/', u).href),
        qr: await qrDataUrl(url),
        reachable_from_lan: lanUrls.length > 0,
        certificate: lan?.certificate
          ? { sha256: lan.certificate.sha256, self_signed: lan.certificate.selfSigned, authority_url: lan.certificate.authority ? new URL('/devices/authority.crt', url).href : null }
          : null,
      };
    });

    scope.patch('/devices/:id', async (request): Promise<DeviceDto> => {
      const { id } = parse(idParams, request.params);
      const body = parse(renameDeviceBody, request.body);
      const { user } = passwordSession(signedInOf(request));
      return deviceDto(auth.pairing.rename(user.id, id, body.name), undefined);
    });

    scope.delete('/devices/:id', async (request, reply) => {
      const { id } = parse(idParams, request.params);
      const { user } = passwordSession(signedInOf(request));
      await unpair(ctx, user.id, id, 'this device was unpaired');
      return reply.code(204).send();
    });
  });
}
