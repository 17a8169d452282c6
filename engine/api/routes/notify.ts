/**
 * Notification channels (issue 21), signed in, each user's own: GET /notify/channels,
 * POST /notify/channels, PATCH and DELETE /notify/channels/:id, POST /notify/channels/:id/test
 * (one attempt now, its outcome in the answer), GET /notify/channels/:id/deliveries (the log).
 * Web Push: GET /notify/push/key (the VAPID public key to subscribe with), POST and DELETE
 * /notify/push/subscriptions (a browser's PushSubscription becomes, or stops being, a channel;
 * subscribed with a paired device's token, it is that device's and goes when the device is unpaired).
 * A secret goes in and never comes back out: answers carry its mask only.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NotifyDelivery } from '../../../db/repos';
import { parseCreateChannel, parsePushSubscription, pushUnsubscribeBody, updateChannelBody } from '../../notify/channel-input';
import type { ChannelView } from '../../notify/notify-service';
import type { ApiContext } from '../api-context';
import { signedIn, signedInOf, userOf } from '../authenticate';
import type {
  ChannelKindDto,
  NotifyChannelBodyDto,
  NotifyChannelDto,
  NotifyChannelPatchDto,
  NotifyChannelsDto,
  NotifyDeliveriesDto,
  NotifyDeliveryDto,
  NotifyTestResultDto,
  NotifyTopicDto,
  PushKeyDto,
  PushUnsubscribeBodyDto,
} from '../contract';
import { idParams, parse } from '../schemas';

const deliveriesQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, { error: 'limit must be 1-200' })
    .transform(Number)
    .refine((n) => n <= 200, { error: 'limit must be 1-200' })
    .optional(),
});

export function notifyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { notify } = ctx.deps;
  signedIn(app, ctx.auth, (scope) => {
    scope.get('/notify/channels', async (request): Promise<NotifyChannelsDto> => ({ channels: notify.list(userOf(request).id).map(channelDto) }));

    scope.post('/notify/channels', async (request, reply) => {
      const body = parseCreateChannel(notify.kinds, request.body);
      // The contract's body type is what the schema gives: a drift fails the build here.
      body satisfies NotifyChannelBodyDto;
      return reply.code(201).send(channelDto(await notify.create(userOf(request).id, body)));
    });

    scope.patch('/notify/channels/:id', async (request): Promise<NotifyChannelDto> => {
      const { id } = parse(idParams, request.params);
      const body = parse(updateChannelBody, request.body);
      body satisfies NotifyChannelPatchDto;
      return channelDto(await notify.update(userOf(request).id, id, body));
    });

    scope.delete('/notify/channels/:id', async (request, reply) => {
      const { id } = parse(idParams, request.params);
      notify.remove(userOf(request).id, id);
      return reply.code(204).send();
    });

    scope.post('/notify/channels/:id/test', async (request): Promise<NotifyTestResultDto> => {
      const { id } = parse(idParams, request.params);
      return notify.sendTest(userOf(request).id, id);
    });

    scope.get('/notify/channels/:id/deliveries', async (request): Promise<NotifyDeliveriesDto> => {
      const { id } = parse(idParams, request.params);
      const { limit } = parse(deliveriesQuery, request.query);
      return { deliveries: notify.deliveries(userOf(request).id, id, limit ?? 50).map(deliveryDto) };
    });

    scope.get('/notify/push/key', async (): Promise<PushKeyDto> => ({ public_key: await notify.pushKey() }));

    scope.post('/notify/push/subscriptions', async (request, reply) => {
      const input = parsePushSubscription(notify.kinds, request.body);
      // Made with a device token, the channel is that device's: unpairing it removes the channel.
      const { user, deviceId } = signedInOf(request);
      return reply.code(201).send(channelDto(await notify.subscribePush(user.id, input, deviceId ?? null)));
    });

    scope.delete('/notify/push/subscriptions', async (request, reply) => {
      const body = parse(pushUnsubscribeBody, request.body);
      body satisfies PushUnsubscribeBodyDto;
      notify.unsubscribePush(userOf(request).id, body.endpoint);
      return reply.code(204).send();
    });
  });
}

function channelDto(c: ChannelView): NotifyChannelDto {
  return {
    id: c.id,
    // Written only from the API's checked kinds and topics.
    kind: c.kind as ChannelKindDto,
    label: c.label,
    enabled: c.enabled,
    topics: c.topics as NotifyTopicDto[],
    config: c.config,
    secret_masked: c.secretMasked,
    status: c.status,
    failure_streak: c.failureStreak,
    last_error: c.lastError,
    last_failure_at: c.lastFailureAt,
    last_success_at: c.lastSuccessAt,
    created_at: c.createdAt,
  };
}

function deliveryDto(d: NotifyDelivery): NotifyDeliveryDto {
  const title = (d.payload as { title?: unknown }).title;
  return {
    id: d.id,
    topic: d.topic,
    title: typeof title === 'string' ? title : '',
    state: d.state,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt,
    last_error: d.lastError,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}
