import { useState, type FormEvent } from 'react';
import { useChangePassword } from '../../api/session.ts';
import { ErrorSummary } from '../../ui/error-summary.tsx';
import { TextField } from '../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../ui/form-errors.ts';
import { useAnnounce } from '../../ui/status-region.tsx';
import { checkNewPassword } from '../auth/new-password.ts';

const FORM = 'password';
const LABELS: Record<string, string> = {
  currentPassword: 'Current password',
  newPassword: 'New password',
  confirmPassword: 'Confirm password',
};
const EMPTY = { currentPassword: '', newPassword: '', confirmPassword: '' };

export function ChangePasswordForm({ email }: { email: string }) {
  const change = useChangePassword();
  const announce = useAnnounce();
  const [draft, setDraft] = useState(EMPTY);
  const [local, setLocal] = useState<Record<string, string> | null>(null);
  const errors = useFormErrors(change.error, local);
  const idFor = (path: string) => fieldId(FORM, path);
  const set = (key: keyof typeof EMPTY) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: e.target.value });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems = {
      ...(draft.currentPassword ? {} : { currentPassword: 'Enter your current password' }),
      ...checkNewPassword(draft.newPassword, draft.confirmPassword),
    };
    const hasProblems = Object.keys(problems).length > 0;
    setLocal(hasProblems ? problems : null);
    if (hasProblems) return;
    change.mutate(
      { currentPassword: draft.currentPassword, newPassword: draft.newPassword },
      {
        onSuccess: () => {
          setDraft(EMPTY);
          announce('Password changed');
        },
      },
    );
  }

  return (
    <form className="form" noValidate onSubmit={submit} aria-labelledby="change-password-heading">
      <h2 id="change-password-heading">Change your password</h2>
      <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => LABELS[path]} />
      {/* Lets password managers file the new password under the right account. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <TextField
        id={idFor('currentPassword')}
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={draft.currentPassword}
        onChange={set('currentPassword')}
        error={errors.fields['currentPassword']}
      />
      <TextField
        id={idFor('newPassword')}
        label="New password"
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters, different from the current one."
        value={draft.newPassword}
        onChange={set('newPassword')}
        error={errors.fields['newPassword']}
      />
      <TextField
        id={idFor('confirmPassword')}
        label="Confirm password"
        type="password"
        autoComplete="new-password"
        hint="Type the new password again."
        value={draft.confirmPassword}
        onChange={set('confirmPassword')}
        error={errors.fields['confirmPassword']}
      />
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
