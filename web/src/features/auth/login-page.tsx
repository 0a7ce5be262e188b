import { useState, type FormEvent } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router';
import { useLogin, useSessionQuery } from '../../api/session.ts';
import { ErrorSummary } from '../../ui/error-summary.tsx';
import { TextField } from '../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../ui/form-errors.ts';
import { PageHeading } from '../../ui/page-heading.tsx';
import { safeReturnPath } from './return-path.ts';

const FORM = 'login';
const LABELS: Record<string, string> = { email: 'Email', password: 'Password' };

export function LoginPage() {
  const [params] = useSearchParams();
  const next = safeReturnPath(params.get('next'));
  const session = useSessionQuery();
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const errors = useFormErrors(login.error);

  // Signed in already, or just now: carry on to where the person was going.
  if (session.data) return <Navigate to={next} replace />;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    login.mutate({ email, password });
  }

  const idFor = (path: string) => fieldId(FORM, path);
  return (
    <>
      <PageHeading title="Sign in">Sign in to Branchline</PageHeading>
      {params.has('signed-out') ? (
        <p className="notice notice--success" role="status">
          You have signed out.
        </p>
      ) : next !== '/' ? (
        <p className="notice">You need to sign in again to continue. We&rsquo;ll take you back to where you were.</p>
      ) : null}
      <p>For library staff and partners. Patrons do not need an account.</p>
      <form className="form" noValidate onSubmit={submit} aria-label="Sign in">
        <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => LABELS[path]} />
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
        <TextField
          id={idFor('password')}
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields['password']}
        />
        <div className="button-row">
          <button type="submit" className="button button--primary" disabled={login.isPending}>
            {login.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
    </>
  );
}
