/**
 * The engine's "now", re-rendered every `intervalMs`: countdowns use the engine clock (offset
 * from the socket's hello), so a browser on a skewed clock still counts to the real trigger.
 */
import { useEffect, useState } from 'react';
import { useConnection } from '../features/live/connection-store';

export function useEngineNow(intervalMs = 250): number {
  const offset = useConnection((s) => s.clockOffsetMs);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now + offset;
}
