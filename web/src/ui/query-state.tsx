import { ApiError } from '../api/client.ts';

/** Said while a list or record loads; role="status" so it is announced without stealing focus. */
export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="loading">
      Loading {what}…
    </p>
  );
}

/** Said when a list or record could not be loaded. */
export function LoadError({ error, what }: { error: unknown; what: string }) {
  const reason =
    error instanceof ApiError
      ? error.code === 'forbidden'
        ? 'Your role does not give you access to this.'
        : error.code === 'not_found'
          ? 'It does not exist, or it belongs to another library.'
          : error.message
      : 'Something went wrong.';
  return (
    <div role="alert" className="notice notice--error">
      <p>
        Could not load {what}. {reason}
      </p>
    </div>
  );
}
