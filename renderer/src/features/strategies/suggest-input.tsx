import { useId, type InputHTMLAttributes } from 'react';
import { choiceText, type DescribedField } from './strategy-descriptor';

/**
 * Text with the field's choices offered as suggestions (a datalist): an open choice, such as an
 * option's expiry (a rule, or a listed expiry date typed as YYYY-MM-DD).
 */
export function SuggestInput({ field, p, value, onChange, placeholder }: { readonly field: DescribedField; readonly p: InputHTMLAttributes<HTMLInputElement>; readonly value: string; readonly onChange: (text: string) => void; readonly placeholder: string }) {
  const own = useId();
  const listId = `${p.id ?? own}-choices`;
  return (
    <>
      <input {...p} type="text" list={listId} value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} spellCheck={false} />
      <datalist id={listId}>
        {(field.enum ?? []).map((v) => (
          <option key={v} value={v}>
            {choiceText(field, v)}
          </option>
        ))}
      </datalist>
    </>
  );
}
