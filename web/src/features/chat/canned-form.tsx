import { useState, type FormEvent } from 'react';
import type { CannedResponse, CreateCannedResponseBody } from '@branchline/protocol';
import { ErrorSummary } from '../../ui/error-summary.tsx';
import { SelectField, TextAreaField, TextField } from '../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../ui/form-errors.ts';

const FORM = 'canned';
const LABELS: Record<string, string> = { shortcut: 'Shortcut', title: 'Title', body: 'Text', language: 'Language' };
// A duplicate shortcut (409) is said next to the shortcut field.
const ERROR_OPTIONS = { conflictField: 'shortcut' };

interface CannedFormProps {
  initial: CannedResponse | null;
  isPending: boolean;
  error: unknown;
  onSubmit: (body: CreateCannedResponseBody) => void;
  onCancel: (() => void) | null;
}

/** A canned response: the shortcut typed after "/", a title for the list, and the text inserted. */
export function CannedForm({ initial, isPending, error, onSubmit, onCancel }: CannedFormProps) {
  const [shortcut, setShortcut] = useState(initial?.shortcut ?? '');
  const [title, setTitle] = useState(initial?.title ?? '');
  const [body, setBody] = useState(initial?.body ?? '');
  const [language, setLanguage] = useState(initial?.language ?? 'en');
  const errors = useFormErrors(error, null, ERROR_OPTIONS);
  const idFor = (path: string) => fieldId(FORM, path);

  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit({ shortcut: shortcut.trim().toLowerCase(), title, body, language });
  }

  return (
    <form className="form" noValidate onSubmit={submit} aria-labelledby="canned-form-heading">
      <h2 id="canned-form-heading">{initial ? `Edit /${initial.shortcut}` : 'New canned response'}</h2>
      <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => LABELS[path]} />
      <TextField
        id={idFor('shortcut')}
        label={LABELS['shortcut']}
        value={shortcut}
        spellCheck={false}
        autoCapitalize="none"
        error={errors.fields['shortcut']}
        hint="Lowercase letters, digits and hyphens, e.g. hours. Staff type /hours to insert it."
        onChange={(e) => setShortcut(e.target.value)}
      />
      <TextField
        id={idFor('title')}
        label={LABELS['title']}
        value={title}
        error={errors.fields['title']}
        onChange={(e) => setTitle(e.target.value)}
      />
      <TextAreaField
        id={idFor('body')}
        label={LABELS['body']}
        value={body}
        rows={5}
        error={errors.fields['body']}
        hint="What is inserted in the message; you can still edit it before sending."
        onChange={(e) => setBody(e.target.value)}
      />
      <SelectField
        id={idFor('language')}
        label={LABELS['language']}
        value={language}
        error={errors.fields['language']}
        onChange={(e) => setLanguage(e.target.value)}
      >
        <option value="en">English</option>
        <option value="es">Spanish</option>
      </SelectField>
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={isPending}>
          {isPending ? 'Saving…' : initial ? 'Save changes' : 'Add canned response'}
        </button>
        {onCancel ? (
          <button type="button" className="button button--quiet" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
