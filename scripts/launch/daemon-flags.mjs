// @ts-check
/**
 * The node flags the daemon bundle runs with, under `npm run daemon` (scripts/launch.mjs) and in
 * the bench (bench/run.ts, through scripts/build-daemon.ts). V8 lets each young-generation
 * semi-space grow to 16 MB and keeps the pages: an idle daemon that had just armed 10 000
 * strategies sat at 214 MB RSS; with 8 MB semi-spaces, at 138–143 MB (bench/RESULTS.md,
 * footprint). 2 MB went lower still, with a quarter of the room (more scavenges, more promoted to
 * old space); 8 MB is the middle.
 */
export const DAEMON_NODE_FLAGS = /** @type {const} */ (['--max-semi-space-size=8']);
