import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.ts';
import { fieldId, formErrorsFrom, hasErrors } from './form-errors.ts';

describe('formErrorsFrom', () => {
  it('puts each validation message on its field path, first message wins', () => {
    const error = new ApiError(400, 'validation_failed', 'Some fields are not valid.', [
      { path: 'name', message: 'Required' },
      { path: 'hours.weekly.mon.0.closes', message: 'Closing time must be after opening time' },
      { path: 'name', message: 'Second message' },
    ]);
    expect(formErrorsFrom(error)).toEqual({
      summary: 'Some fields are not valid.',
      fields: { name: 'Required', 'hours.weekly.mon.0.closes': 'Closing time must be after opening time' },
    });
  });

  it('shows list item errors on the list field', () => {
    const error = new ApiError(400, 'validation_failed', 'Not valid', [
      { path: 'languages.1', message: 'Not a language tag' },
    ]);
    expect(formErrorsFrom(error, { collapse: ['languages'] }).fields).toEqual({ languages: 'Not a language tag' });
  });

  it('shows a conflict next to the field it is about', () => {
    const error = new ApiError(409, 'conflict', 'A staff member with that email already exists.');
    expect(formErrorsFrom(error, { conflictField: 'email' }).fields).toEqual({
      email: 'A staff member with that email already exists.',
    });
  });

  it('shows a conflict that names its field there, and nowhere else', () => {
    const error = new ApiError(409, 'conflict', 'A staff member with that email already exists.', [
      { path: 'administrator.email', message: 'Already in use by another staff member' },
    ]);
    expect(formErrorsFrom(error, { conflictField: 'slug' }).fields).toEqual({
      'administrator.email': 'Already in use by another staff member',
    });
  });

  it('has no errors without an error, and a general message for anything unexpected', () => {
    expect(hasErrors(formErrorsFrom(null))).toBe(false);
    expect(formErrorsFrom(new TypeError('boom')).summary).toMatch(/went wrong/);
  });

  it('ignores malformed details', () => {
    const error = new ApiError(400, 'validation_failed', 'Not valid', [{ path: 3 }, 'text', null]);
    expect(formErrorsFrom(error).fields).toEqual({});
  });
});

describe('fieldId', () => {
  it('turns a dotted path into a DOM id', () => {
    expect(fieldId('branch', 'hours.weekly.mon.0.closes')).toBe('branch-hours-weekly-mon-0-closes');
  });
});
