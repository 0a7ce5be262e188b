import type { ErrorBody, FieldIssue } from '@branchline/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, isAppError } from '../errors.ts';

/** Fastify's own error codes we answer in words; anything else unexpected is a plain 500. */
const FASTIFY_CODES: Record<string, () => AppError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new AppError('payload_too_large', 'The request body is too large.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new AppError('unsupported_media_type', 'Send the request body as application/json.'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new AppError('malformed_request', 'The Content-Length header is wrong.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new AppError('malformed_request', 'The JSON body is empty.'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new AppError('malformed_request', 'The body is not valid JSON.'),
};

export function toAppError(error: FastifyError): AppError | undefined {
  if (isAppError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues: FieldIssue[] = error.validation.flatMap((v) => {
      const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
      // An unknown key is reported on its parent object; name the key itself.
      const keys = v.keyword === 'unrecognized_keys' ? (v.params as { keys?: unknown }).keys : undefined;
      if (Array.isArray(keys)) {
        return keys.map((key) => ({ path: path ? `${path}.${String(key)}` : String(key), message: 'Unknown field' }));
      }
      return [{ path, message: v.message ?? 'Invalid value' }];
    });
    const message =
      error.validationContext === 'body'
        ? 'Some fields need fixing.'
        : `The ${error.validationContext ?? 'request'} is not valid.`;
    return new AppError('validation_failed', message, { details: issues });
  }
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return known();
  // JSON.parse failures surface as SyntaxError with status 400 from the content-type parser.
  if (error instanceof SyntaxError || (error.statusCode === 400 && error.code === undefined)) {
    return new AppError('malformed_request', 'The body is not valid JSON.');
  }
  if (error.statusCode === 429) return new AppError('rate_limited', error.message);
  return undefined;
}

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
  return reply.status(error.status).type('application/json; charset=utf-8').send(body);
}

/** Writes every failure as {"error":{code,message,details}}; logs the unexpected with the request id. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = toAppError(error);
    if (known) {
      if (known.status >= 500) request.log.error({ err: error }, 'request failed');
      return sendError(reply, known);
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, new AppError('internal', 'Something went wrong on our side. Please try again.'));
  });

  app.setNotFoundHandler((request, reply) => {
    return sendError(reply, new AppError('not_found', `There is no ${request.method} ${request.url.split('?')[0]}.`));
  });
}
