/**
 * A phone pairs here: the QR code on the desktop opens this page with the one-time code in the
 * URL's fragment (`#pair=CODE`, never sent to the engine in a URL), or the trader types the code
 * shown beside it. The phone's name is what the desktop's Settings will list it as.
 */
import { useState, type FormEvent } from 'react';
import { Field, FormError } from '../../ui/field';
import { labelledFormErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { PAIR_LABELS } from '../../ui/field-labels';
import { useSession } from './session-store';

/** The code a QR code put in the URL's fragment, or ''. */
export function codeFromUrl(hash: string): string {
  return /^#pair=([A-Za-z0-9-]{1,32})$/.exec(hash)?.[1] ?? '';
}

export function PairForm({ onCancel }: { readonly onCancel: () => void }) {
  const [code, setCode] = useState(() => codeFromUrl(location.hash));
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await useSession.getState().pair(code, name);
      // The code is used up: it has no business in the address bar or the history any more.
      history.replaceState(null, '', location.pathname + location.search);
    } catch (err) {
      setErrors(labelledFormErrors(err, PAIR_LABELS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Pair this device">
      <Field label={PAIR_LABELS.code} name="code" error={errors.fields.code} hint="The code beside the QR code in Settings on the desktop, e.g. ABCD-EFGH.">
        {(p) => <input {...p} autoComplete="off" autoCapitalize="characters" spellCheck={false} value={code} onChange={(e) => setCode(e.target.value)} autoFocus={code === ''} />}
      </Field>
      <Field label={PAIR_LABELS.name} name="name" error={errors.fields.name} hint='How Settings will list it, e.g. "Pixel 8".'>
        {(p) => <input {...p} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} autoFocus={code !== ''} />}
      </Field>
      <FormError messages={errors.form} />
      <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
        {busy ? 'Please wait…' : 'Pair this device'}
      </button>
      <p className="auth__switch">
        <button type="button" className="link" onClick={onCancel}>
          Sign in with a password instead
        </button>
      </p>
    </form>
  );
}
