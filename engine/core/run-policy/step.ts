/**
 * The run policy's one entry point: which rule an event goes to. Pure and synchronous, so it fits
 * inside the journal transaction that decide() runs in.
 */
import { entryAbandoned, entryDue, entryFinal, journalEntry } from './entry';
import { exitDue, exitFinal, journalExit, stopToCost, triggerCrossed } from './exit';
import { recovered } from './recover';
import { reentryDue } from './reentry';
import { stopRequested } from './stop';
import type { Policy } from './types';

export const step: Policy = (plan, s, e) => {
  switch (e.type) {
    case 'entry_due':
      return entryDue(plan, s, e);
    case 'exit_due':
      return exitDue(plan, s, e);
    case 'reentry_due':
      return reentryDue(plan, s, e);
    case 'trigger_crossed':
      return triggerCrossed(plan, s, e);
    case 'journal_entry':
      return journalEntry(plan, s, e);
    case 'journal_exit':
      return journalExit(s, e);
    case 'order_final':
      // A report of another leg's order (every order of an earlier leg was final before the next leg began) moves nothing.
      if (e.order.legNo !== s.legNo) return { outcome: { drop: `a report of leg ${e.order.legNo}'s order while the run is on leg ${s.legNo}; run left as is` } };
      return e.order.slot === 'entry' ? entryFinal(plan, s, e.order, e.tickSize) : exitFinal(plan, s, e.order, e.lasting);
    case 'entry_abandoned':
      return entryAbandoned(s, e);
    case 'stop_requested':
      return stopRequested(s, e);
    case 'stop_to_cost':
      return stopToCost(plan, s);
    case 'recovered':
      return recovered(plan, s, e);
  }
};
