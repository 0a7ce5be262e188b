import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useRequestPasswordReset } from '../../api/session.ts';
import { ErrorSummary } from '../../ui/error-summary.tsx';
import { TextField } from '../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../ui/form-errors.ts';
import { PageHeading } from '../../ui/page-heading.tsx';

const FORM = 'forgot';

export function ForgotPasswordPage() {
  const request = useRequestPasswordReset();
  const [email, setEmail] = useState('');
  const errors = useFormErrors(request.error);
  const idFor = (path: string) => fieldId(FORM, path);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    request.mutate({ email });
  }

  return (
    <>
      <PageHeading>Reset your password</PageHeading>
      <div role="status" aria-live="polite">
        {request.isSuccess ? (
          <p className="notice notice--success">
            If an account exists for that address, we&rsquo;ve emailed a link to reset the password. It works for one
            hour.
          </p>
        ) : null}
      </div>
      {request.isSuccess ? null : (
        <>
          <p>Enter the email address you sign in with. We&rsquo;ll send you a link to choose a new password.</p>
          <form className="form" noValidate onSubmit={submit} aria-label="Reset your password">
            <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => (path === 'email' ? 'Email' : undefined)} />
            <TextField
              id={idFor('email')}
              label="Email"
              type="email"
              name="email"
              autoComplete="username"
              inputMode="email"
              spellCheck={false}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={errors.fields['email']}
            />
            <div className="button-row">
              <button type="submit" className="button button--primary" disabled={request.isPending}>
                {request.isPending ? 'Sending…' : 'Send the link'}
              </button>
            </div>
          </form>
        </>
      )}
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </>
  );
}
