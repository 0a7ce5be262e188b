import { useState, type FormEvent } from 'react';
import type { StaffRole } from '@branchline/protocol';
import { ConfirmDialog } from '../../../ui/confirm-dialog.tsx';
import { ErrorSummary } from '../../../ui/error-summary.tsx';
import { CheckboxField, SelectField, TextField } from '../../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../../ui/form-errors.ts';
import { wholeNumberErrors } from '../../../ui/whole-number.ts';
import type { StaffDraft } from './staff-draft.ts';
import { ROLE_HINT, ROLE_OPTIONS } from './staff-roles.ts';
import { FormActions } from '../../../ui/form-actions.tsx';

const FORM = 'staff';
const LABELS: Record<string, string> = {
  name: 'Name',
  displayName: 'Display name',
  email: 'Email',
  role: 'Role',
  languages: 'Languages',
  maxConcurrentChats: 'Most chats at once',
  password: 'Password',
  isActive: 'Active',
};
const ERROR_OPTIONS = { conflictField: 'email', collapse: ['languages'] } as const;

interface StaffFormProps {
  initial: StaffDraft;
  /** Creating someone new (password field) or editing (active checkbox). */
  isNew: boolean;
  /** Editing one's own record: no deactivating yourself. */
  isSelf: boolean;
  submitLabel: string;
  onSubmit: (draft: StaffDraft) => void;
  isPending: boolean;
  error: unknown;
}

export function StaffForm({ initial, isNew, isSelf, submitLabel, onSubmit, isPending, error }: StaffFormProps) {
  const [draft, setDraft] = useState(initial);
  const [isConfirming, setIsConfirming] = useState(false);
  const [local, setLocal] = useState<Record<string, string> | null>(null);
  const errors = useFormErrors(error, local, ERROR_OPTIONS);
  const idFor = (path: string) => fieldId(FORM, path);
  const set =
    (key: 'name' | 'displayName' | 'email' | 'languages' | 'maxConcurrentChats' | 'password') =>
    (e: { target: { value: string } }) =>
      setDraft({ ...draft, [key]: e.target.value });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems = wholeNumberErrors({ maxConcurrentChats: draft.maxConcurrentChats });
    setLocal(problems);
    if (problems) return;
    // Deactivating signs the person out everywhere: ask first.
    if (!isNew && initial.isActive && !draft.isActive) setIsConfirming(true);
    else onSubmit(draft);
  }

  return (
    <form className="form" noValidate onSubmit={submit} aria-label="Staff member">
      <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => LABELS[path]} />
      <TextField
        id={idFor('name')}
        label="Name"
        value={draft.name}
        onChange={set('name')}
        error={errors.fields['name']}
        autoComplete="off"
        hint="Their full name, as colleagues know them."
      />
      <TextField
        id={idFor('displayName')}
        label="Display name"
        value={draft.displayName}
        onChange={set('displayName')}
        error={errors.fields['displayName']}
        autoComplete="off"
        hint={
          isNew
            ? 'Shown to patrons, e.g. Maria or Maria (Reference). Leave empty to use their name.'
            : 'Shown to patrons.'
        }
      />
      <TextField
        id={idFor('email')}
        label="Email"
        type="email"
        value={draft.email}
        onChange={set('email')}
        error={errors.fields['email']}
        autoComplete="off"
        spellCheck={false}
        hint="They sign in with this address."
      />
      <SelectField
        id={idFor('role')}
        label="Role"
        value={draft.role}
        error={errors.fields['role']}
        hint={ROLE_HINT}
        onChange={(e) => setDraft({ ...draft, role: e.target.value as StaffRole })}
      >
        {ROLE_OPTIONS.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </SelectField>
      <TextField
        id={idFor('languages')}
        label="Languages"
        value={draft.languages}
        onChange={set('languages')}
        error={errors.fields['languages']}
        spellCheck={false}
        hint="The languages they answer patrons in, as codes separated by commas, e.g. en, es."
      />
      <TextField
        id={idFor('maxConcurrentChats')}
        label="Most chats at once"
        type="number"
        inputMode="numeric"
        min={1}
        max={10}
        className="field--short"
        value={draft.maxConcurrentChats}
        onChange={set('maxConcurrentChats')}
        error={errors.fields['maxConcurrentChats']}
        hint="From 1 to 10: how many chats they are offered at the same time."
      />
      {isNew ? (
        <TextField
          id={idFor('password')}
          label="Password"
          type="password"
          value={draft.password}
          onChange={set('password')}
          error={errors.fields['password']}
          autoComplete="new-password"
          hint="Optional, at least 12 characters. Leave empty to email them a link to set their own password."
        />
      ) : isSelf ? (
        <p className="field__hint">This is you. You cannot deactivate your own account.</p>
      ) : (
        <CheckboxField
          id={idFor('isActive')}
          label="Active"
          checked={draft.isActive}
          error={errors.fields['isActive']}
          hint="Unticking this deactivates them: they are signed out everywhere and can no longer sign in."
          onChange={(e) => setDraft({ ...draft, isActive: e.target.checked })}
        />
      )}
      <FormActions submitLabel={submitLabel} isPending={isPending} cancelTo="/admin/staff" />
      <ConfirmDialog
        open={isConfirming}
        title={`Deactivate ${initial.name}?`}
        confirmLabel="Deactivate"
        onCancel={() => setIsConfirming(false)}
        onConfirm={() => {
          setIsConfirming(false);
          onSubmit(draft);
        }}
      >
        <p>
          {initial.name} will be signed out everywhere straight away and will not be able to sign in. Their
          conversations and history are kept, and you can make them active again later.
        </p>
      </ConfirmDialog>
    </form>
  );
}
