/**
 * Whether a name is an IANA timezone this runtime knows. luxon's IANAZone.isValidZone builds a
 * new Intl.DateTimeFormat on every call: ~40 µs, and ~25 KB of ICU memory outside the JS heap
 * that the garbage collector does not see, so validating 10 000 strategies left ~250 MB in the
 * process after the objects were gone. Known names are remembered (there are a few hundred).
 */
import { IANAZone } from 'luxon';

const known = new Set<string>();

export function isKnownTimezone(name: string): boolean {
  if (known.has(name)) return true;
  if (!IANAZone.isValidZone(name)) return false;
  known.add(name);
  return true;
}
