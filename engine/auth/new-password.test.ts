import { describe, expect, it } from 'vitest';
import { newPasswordProblems, PASSWORD_CHANGE_FORM, SIGN_UP_FORM } from './new-password';

describe('newPasswordProblems', () => {
  it("names the form's fields: the policy, then a differing confirmation", () => {
    expect(newPasswordProblems(SIGN_UP_FORM, { password: 'short', confirm: 'shirt' })).toEqual([
      { field: 'password', message: 'must be at least 10 characters' },
      { field: 'confirm_password', message: 'confirm_password must be the same as the password' },
    ]);
    expect(newPasswordProblems(PASSWORD_CHANGE_FORM, { password: 'short', confirm: 'shirt' })).toEqual([
      { field: 'new_password', message: 'must be at least 10 characters' },
      { field: 'confirm_password', message: 'does not match the new password' },
    ]);
  });

  it('takes a password that keeps the policy, with no confirmation or a matching one', () => {
    expect(newPasswordProblems(SIGN_UP_FORM, { password: 'correct horse battery' })).toEqual([]);
    expect(newPasswordProblems(SIGN_UP_FORM, { password: 'correct horse battery', confirm: 'correct horse battery' })).toEqual([]);
  });

  it('refuses the current password again, before the confirmation', () => {
    expect(newPasswordProblems(PASSWORD_CHANGE_FORM, { password: 'correct horse battery', current: 'correct horse battery', confirm: 'other' })).toEqual([
      { field: 'new_password', message: 'must differ from the current password' },
      { field: 'confirm_password', message: 'does not match the new password' },
    ]);
  });
});
