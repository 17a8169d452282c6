/**
 * The strategy form's inputs in the engine's groups, in its order. A group with a field that must
 * be filled in is a fieldset, always open. One with nothing required (the days) is a disclosure:
 * folded until the trader opens it, the strategy uses it or the API refuses a field in it, and
 * folded it says what it holds. One calm line then names what the engine does not trade yet.
 */
import type { ReactNode } from 'react';
import { notOfferedYet, summaryOf, type FieldGroup, type FormField, type FormGroup, type FormValues } from './strategy-descriptor';

/** What each group is called; a Record so a group the engine adds fails this build until it has words. */
const GROUP_TITLES: Record<FieldGroup, string> = {
  entry: 'Entry',
  time: 'Time',
  exits: 'Exits',
  reentry: 'Re-entry',
  days: 'Days',
};

interface FormGroupsProps {
  readonly groups: readonly FormGroup[];
  readonly values: FormValues;
  readonly open: ReadonlySet<FieldGroup>;
  readonly onToggle: (group: FieldGroup, open: boolean) => void;
  /** The fields drawn in a group's grid (a field's mode is drawn with it, not here). */
  readonly drawn: (f: FormField) => boolean;
  readonly input: (f: FormField) => ReactNode;
}

export function FormGroups({ groups, values, open, onToggle, drawn, input }: FormGroupsProps) {
  const later = notOfferedYet(groups, GROUP_TITLES);
  return (
    <>
      {groups
        .filter((g) => g.offered.length > 0)
        .map((g) => {
          const grid = <div className="form__grid form__grid--strategy">{g.offered.filter(drawn).map(input)}</div>;
          if (!g.optional) {
            return (
              <fieldset key={g.group} className="form__group" data-group={g.group}>
                <legend className="form__legend">{GROUP_TITLES[g.group]}</legend>
                {grid}
              </fieldset>
            );
          }
          const isOpen = open.has(g.group);
          const holds = isOpen ? '' : summaryOf(g, values);
          return (
            <details key={g.group} className="form__group form__group--folded" data-group={g.group} open={isOpen} onToggle={(e) => onToggle(g.group, e.currentTarget.open)}>
              <summary className="form__legend">
                {GROUP_TITLES[g.group]}
                {holds && <span className="form__summary">{holds}</span>}
              </summary>
              {grid}
            </details>
          );
        })}
      {later && <p className="form__later">Not offered yet: {later}.</p>}
    </>
  );
}
