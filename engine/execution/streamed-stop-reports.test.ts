/**
 * A backstop's cancel wait, woken by what the broker streams: the report that settles the stop ends
 * the wait at once (before or during it), anything else leaves it to its timer.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock';
import { asBrokerAccountId } from '../core/ids';
import type { RestingStopReport } from '../brokers/broker';
import { StreamedStopReports } from './streamed-stop-reports';

const A = asBrokerAccountId(1);
const report = (over: Partial<RestingStopReport> = {}): RestingStopReport => ({ clientOrderId: 'tb1', brokerRef: 'o-1', status: 'cancelled', triggerPrice: 95, limitPrice: null, qty: 10, filledQty: 0, avgFillPrice: null, done: true, at: 0, reason: null, ...over });
const settles = (r: RestingStopReport) => r.status !== 'resting';

describe('StreamedStopReports', () => {
  it('ends a wait at once when the stop is streamed settled, the clock not moved', async () => {
    const clock = new FakeClock(0);
    const reports = new StreamedStopReports(clock);
    const watch = reports.watch(A, 'tb1', settles);
    const waited = watch.wait(250);
    reports.note(A, report());
    await expect(waited).resolves.toMatchObject({ clientOrderId: 'tb1', status: 'cancelled' });
    expect(clock.now()).toBe(0);
  });

  it('answers a later wait with a report streamed before it began (during the read-back)', async () => {
    const reports = new StreamedStopReports(new FakeClock(0));
    const watch = reports.watch(A, 'tb1', settles);
    reports.note(A, report());
    await expect(watch.wait(250)).resolves.toMatchObject({ status: 'cancelled' });
  });

  it("leaves the wait to its timer for a report that does not settle the stop, another stop's, another account's, or after close", async () => {
    const clock = new FakeClock(0);
    const reports = new StreamedStopReports(clock);
    const watch = reports.watch(A, 'tb1', settles);
    let answer: RestingStopReport | null | undefined;
    void watch.wait(250).then((r) => (answer = r));
    reports.note(A, report({ status: 'resting' }));
    reports.note(A, report({ clientOrderId: 'tb2' }));
    reports.note(asBrokerAccountId(2), report());
    await clock.advance(249);
    expect(answer).toBeUndefined();
    await clock.advance(1);
    expect(answer).toBeNull();
    watch.close();
    reports.note(A, report());
    let after: RestingStopReport | null | undefined;
    void watch.wait(250).then((r) => (after = r));
    await clock.advance(250);
    expect(after).toBeNull();
  });
});
