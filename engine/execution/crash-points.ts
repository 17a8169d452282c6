/**
 * Named moments at which the crash soak kills the daemon (SIGKILL, no cleanup), to prove that no
 * order is doubled or lost whatever dies when. Inert unless the daemon is started with both
 * TRADECLOCK_TEST_HOOKS=1 and TRADECLOCK_CRASH_POINT=<name>[:<nth hit>], which no normal start sets.
 */
export const CRASH_POINTS = [
  /** The order is in the journal, nothing sent yet. */
  'after-journal',
  /** The broker has answered placeOrder; the answer is not recorded. */
  'after-send',
  /** A fill is in the journal; the runtime store and follow-ups (stop-loss arming) are not done. */
  'after-fill',
  /** A re-entry (an entry of leg 1 or later) is decided and about to be journaled: nothing of it written yet. */
  'before-reentry-journal',
  /** A leg's entry is done and its backstop is about to be placed: nothing of it journaled or sent, the position unprotected at the broker. */
  'before-backstop',
  /** A leg's backstop is cancelled (the broker confirmed, the journal wrote it); the exit that asked is not journaled yet. */
  'after-backstop-cancel',
] as const;

/**
 * The crash points of a multi-position strategy's group (issue 19). Apart from CRASH_POINTS because
 * the crash soak kills at every one of those and its mix has no groups yet; the integration tests
 * of groups die here (tests/integration/positions-mtm.test.ts), and a daemon can be armed with them.
 */
export const GROUP_CRASH_POINTS = [
  /** The group's "exit all" is journaled on every open run of the day's group; no exit of it is submitted yet. */
  'after-exit-all',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number] | (typeof GROUP_CRASH_POINTS)[number];
const ALL_CRASH_POINTS: readonly string[] = [...CRASH_POINTS, ...GROUP_CRASH_POINTS];

export interface CrashPoints {
  hit(point: CrashPoint): void;
}

export const noCrashPoints: CrashPoints = { hit: () => {} };

/** Parses "after-send" or "after-send:3" (the third hit); null when the spec is not one. */
export function parseCrashPoint(spec: string): { point: CrashPoint; nth: number } | null {
  const m = /^([a-z-]+)(?::(\d+))?$/.exec(spec);
  if (!m || !ALL_CRASH_POINTS.includes(m[1]!)) return null;
  const nth = m[2] ? Number(m[2]) : 1;
  return nth >= 1 ? { point: m[1] as CrashPoint, nth } : null;
}

/** Crash points that run `die` on the nth hit of the armed point. */
export function armedCrashPoints(spec: { point: CrashPoint; nth: number }, die: () => void): CrashPoints {
  let hits = 0;
  return {
    hit(point) {
      if (point === spec.point && ++hits === spec.nth) die();
    },
  };
}
