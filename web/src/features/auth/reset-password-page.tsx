import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useConfirmPasswordReset } from '../../api/session.ts';
import { ErrorSummary } from '../../ui/error-summary.tsx';
import { TextField } from '../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../ui/form-errors.ts';
import { PageHeading } from '../../ui/page-heading.tsx';
import { useAnnounce } from '../../ui/status-region.tsx';
import { checkNewPassword } from './new-password.ts';

const FORM = 'reset';
const LABELS: Record<string, string> = { newPassword: 'New password', confirmPassword: 'Confirm password' };

export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const confirm = useConfirmPasswordReset();
  const announce = useAnnounce();
  const [newPassword, setNewPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const [local, setLocal] = useState<Record<string, string> | null>(null);
  const errors = useFormErrors(confirm.error, local);
  const idFor = (path: string) => fieldId(FORM, path);
  // The token is not a field the person can fix; its message is said without a link.
  const summaryIdFor = (path: string) => (path === 'token' ? null : idFor(path));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems = checkNewPassword(newPassword, confirmPassword);
    setLocal(problems);
    if (problems) return;
    confirm.mutate(
      { token, newPassword },
      { onSuccess: () => announce('Your password has been changed. Sign in with your new password.', '/login') },
    );
  }

  if (!token) {
    return (
      <>
        <PageHeading>Choose a new password</PageHeading>
        <p>This link is missing its code. Open the link from the email again, or ask for a new one.</p>
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </>
    );
  }

  // Anything the server refuses that is not about the new password is about the link itself.
  const linkProblem = confirm.isError && !errors.fields['newPassword'];
  return (
    <>
      <PageHeading>Choose a new password</PageHeading>
      <p>Use at least 12 characters. A few unrelated words make a password that is long and easy to remember.</p>
      <form className="form" noValidate onSubmit={submit} aria-label="Choose a new password">
        <ErrorSummary errors={errors} idFor={summaryIdFor} labelFor={(path) => LABELS[path]} />
        {linkProblem ? (
          <p>
            Reset links work for one hour and only once. <Link to="/forgot-password">Ask for a new link</Link>
          </p>
        ) : null}
        <TextField
          id={idFor('newPassword')}
          label="New password"
          type="password"
          autoComplete="new-password"
          hint="At least 12 characters."
          value={newPassword}
          onChange={(e) => setNewPassword(e.target.value)}
          error={errors.fields['newPassword']}
        />
        <TextField
          id={idFor('confirmPassword')}
          label="Confirm password"
          hint="Type the new password again."
          type="password"
          autoComplete="new-password"
          value={confirmPassword}
          onChange={(e) => setConfirmPassword(e.target.value)}
          error={errors.fields['confirmPassword']}
        />
        <div className="button-row">
          <button type="submit" className="button button--primary" disabled={confirm.isPending}>
            {confirm.isPending ? 'Saving…' : 'Save the new password'}
          </button>
        </div>
      </form>
    </>
  );
}
