import { ERROR_HTTP_STATUS, type ErrorCode, type FieldIssue } from '@branchline/protocol';

/** The one error type domain code throws. Its code decides the HTTP status and the client's handling. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_HTTP_STATUS[this.code];
  }
}

export const errors = {
  notFound: (what: string) => new AppError('not_found', `That ${what} does not exist.`),
  forbidden: (message = 'You do not have permission to do that.') => new AppError('forbidden', message),
  unauthenticated: (message = 'Sign in to continue.') => new AppError('unauthenticated', message),
  conflict: (message: string, details?: unknown) => new AppError('conflict', message, { details }),
  validation: (message: string, issues: FieldIssue[]) =>
    new AppError('validation_failed', message, { details: issues }),
  rateLimited: (message: string) => new AppError('rate_limited', message),
};

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
