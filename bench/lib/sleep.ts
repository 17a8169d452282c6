/** Timer waits for the bench and its children (the floor programs import nothing heavier). */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
export const sleepUntil = (at: number) => sleep(at - Date.now());
