import { useMemo } from 'react';
import { ApiError } from '../api/client.ts';

/** What a form shows: one general message for the summary, and a message per field path. */
export interface FormErrors {
  summary: string | null;
  /** Keyed by the API's dotted field path, e.g. `name` or `hours.weekly.mon.0.closes`. */
  fields: Record<string, string>;
}

export const NO_ERRORS: FormErrors = { summary: null, fields: {} };

export interface FormErrorOptions {
  /**
   * The field a `conflict` answer is about (e.g. `email` for a duplicate address) when the answer
   * names none itself; one that does (`administrator.email`) is shown on that field only.
   */
  conflictField?: string;
  /** Paths whose item errors are shown on the list field itself (`languages.1` → `languages`). */
  collapse?: readonly string[];
}

/** Turns an API error (or any thrown value) into summary and per-field messages. */
export function formErrorsFrom(error: unknown, options: FormErrorOptions = {}): FormErrors {
  if (!error) return NO_ERRORS;
  if (!(error instanceof ApiError)) {
    return { summary: 'Something went wrong. Please try again.', fields: {} };
  }
  const fields: Record<string, string> = {};
  for (const issue of error.fieldIssues) {
    const path = collapsePath(issue.path, options.collapse ?? []);
    fields[path] ??= issue.message;
  }
  if (error.code === 'conflict' && options.conflictField && Object.keys(fields).length === 0) {
    fields[options.conflictField] ??= error.message;
  }
  return { summary: error.message || 'Some answers need fixing.', fields };
}

function collapsePath(path: string, collapse: readonly string[]): string {
  const parent = collapse.find((p) => path.startsWith(`${p}.`));
  return parent ?? path;
}

/** Memoised form errors: the same object until the error or the local messages change. */
export function useFormErrors(
  error: unknown,
  local: Record<string, string> | null = null,
  options: FormErrorOptions = {},
): FormErrors {
  const { conflictField } = options;
  // A string key keeps the memo stable when callers pass a fresh array literal each render.
  const collapseKey = (options.collapse ?? []).join('\n');
  return useMemo(() => {
    if (local && Object.keys(local).length > 0) {
      return { summary: 'Some answers need fixing.', fields: local };
    }
    const collapse = collapseKey ? collapseKey.split('\n') : [];
    return formErrorsFrom(error, { conflictField, collapse });
  }, [error, local, conflictField, collapseKey]);
}

/** The DOM id of the control for a field path within a form. */
export function fieldId(formId: string, path: string): string {
  return `${formId}-${path.replace(/[^a-zA-Z0-9]+/g, '-')}`;
}

export function hasErrors(errors: FormErrors): boolean {
  return errors.summary !== null || Object.keys(errors.fields).length > 0;
}
