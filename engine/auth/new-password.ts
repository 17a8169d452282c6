/**
 * The rules of a password being set, with its confirmation, for both forms that set one: sign-up
 * and the password change. The auth service applies them; each form names its own fields and says
 * a differing confirmation in its own words.
 */
import type { FieldError } from '../core/errors';
import { passwordProblems } from './password';

/** Where a form's problems are reported, and how it says the confirmation differs. */
export interface PasswordForm {
  readonly password: string;
  readonly confirm: string;
  readonly mismatch: string;
}

export const SIGN_UP_FORM: PasswordForm = { password: 'password', confirm: 'confirm_password', mismatch: 'confirm_password must be the same as the password' };
export const PASSWORD_CHANGE_FORM: PasswordForm = { password: 'new_password', confirm: 'confirm_password', mismatch: 'does not match the new password' };

export interface NewPassword {
  readonly password: string;
  /** The password typed again, where the form asks for it. */
  readonly confirm?: string | undefined;
  /** The password it replaces, when known to be right: the new one must differ. */
  readonly current?: string | undefined;
}

/**
 * Every problem of a new password under its form's field names: the policy, sameness with the
 * current password, then the confirmation. Empty when the password can be set.
 *
 * @example
 *   newPasswordProblems(SIGN_UP_FORM, { password: 'short', confirm: 'shirt' })
 *   // [{ field: 'password', message: 'must be at least 10 characters' },
 *   //  { field: 'confirm_password', message: 'confirm_password must be the same as the password' }]
 */
export function newPasswordProblems(form: PasswordForm, input: NewPassword): FieldError[] {
  const problems: FieldError[] = passwordProblems(input.password).map((message) => ({ field: form.password, message }));
  if (input.current !== undefined && input.password === input.current) problems.push({ field: form.password, message: 'must differ from the current password' });
  if (input.confirm !== undefined && input.confirm !== input.password) problems.push({ field: form.confirm, message: form.mismatch });
  return problems;
}
