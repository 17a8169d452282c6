/**
 * One line of a channel's delivery log (GET /notify/channels/:id/deliveries) in words: when, what,
 * and how it went (delivered; retrying, with the failed attempts and the next try; failed).
 * Times read on the trader's clock, with the place named.
 */
import type { NotifyDeliveryDto, NotifyTopicDto } from '../../lib/api-types';
import { zonedDayTime, zoneLabel } from '../../lib/format';
import { TOPIC_TITLES } from './notify-fields';

export interface DeliveryLine {
  /** "Mon 7 Dec 09:30:05 Berlin": when it was queued. */
  readonly when: string;
  /** "Fills", "Test" */
  readonly topic: string;
  readonly title: string;
  /** "Delivered", "Retrying: 2 attempts failed, next try Mon 7 Dec 09:31 Berlin", "Failed after 5 attempts" */
  readonly status: string;
  readonly tone: 'ok' | 'bad' | 'info';
  /** The last attempt's error (kept free of secrets by the engine); null when none failed. */
  readonly error: string | null;
}

const attemptsText = (n: number): string => `${n} attempt${n === 1 ? '' : 's'}`;

/**
 * @example deliveryLine({ topic: 'fills', state: 'pending', attempts: 2, next_attempt_at: t, ... }, 'Europe/Berlin').status
 *   // 'Retrying: 2 attempts failed, next try Mon 7 Dec 09:31 Berlin'
 */
export function deliveryLine(d: NotifyDeliveryDto, zone: string): DeliveryLine {
  const at = (ms: number) => `${zonedDayTime(ms, zone)} ${zoneLabel(zone)}`;
  const topic = d.topic === 'test' ? 'Test' : (TOPIC_TITLES[d.topic as NotifyTopicDto] ?? d.topic);
  const base = { when: at(d.created_at), topic, title: d.title, error: d.last_error };
  switch (d.state) {
    case 'sent':
      return { ...base, status: d.attempts > 1 ? `Delivered at attempt ${d.attempts}` : 'Delivered', tone: 'ok' };
    case 'failed':
      return { ...base, status: `Failed after ${attemptsText(d.attempts)}`, tone: 'bad' };
    case 'sending':
      return { ...base, status: `Sending (attempt ${d.attempts + 1})`, tone: 'info' };
    case 'pending':
      return { ...base, status: d.attempts === 0 ? `Queued, due ${at(d.next_attempt_at)}` : `Retrying: ${attemptsText(d.attempts)} failed, next try ${at(d.next_attempt_at)}`, tone: 'info' };
  }
}
