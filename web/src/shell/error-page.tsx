import { isRouteErrorResponse, useRouteError } from 'react-router';
import { SkipLink } from './skip-link.tsx';

/** Shown when a page fails to render: says so in words and offers a way back. */
export function ErrorPage() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : null;
  return (
    <>
      <SkipLink />
      <main id="main" tabIndex={-1} className="public-main">
        <h1>Something went wrong</h1>
        <p>This page could not be shown. Reloading often helps; if it keeps happening, tell your administrator.</p>
        {detail ? <p className="muted">Details: {detail}</p> : null}
        <p>
          <a href={import.meta.env.BASE_URL}>Go to the home page</a>
        </p>
      </main>
    </>
  );
}
