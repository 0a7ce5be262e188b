import { useState, type FormEvent } from 'react';
import type { Branch, Hours } from '@branchline/protocol';
import { ErrorSummary } from '../../../ui/error-summary.tsx';
import { CheckboxField, TextAreaField, TextField } from '../../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../../ui/form-errors.ts';
import { CLOSED_HOURS, describeHoursPath } from '../hours/hours-paths.ts';
import { HoursEditor } from '../hours/hours-editor.tsx';
import { FormActions } from '../../../ui/form-actions.tsx';

export interface BranchDraft {
  name: string;
  address: string;
  phone: string;
  hours: Hours;
  isActive: boolean;
}

const FORM = 'branch';
const LABELS: Record<string, string> = { name: 'Name', address: 'Address', phone: 'Phone', isActive: 'Active' };
const labelFor = (path: string) => LABELS[path] ?? describeHoursPath(path);

export function draftOfBranch(branch: Branch | undefined): BranchDraft {
  if (!branch) return { name: '', address: '', phone: '', hours: CLOSED_HOURS, isActive: true };
  const { name, address, phone, hours, isActive } = branch;
  return { name, address, phone, hours, isActive };
}

interface BranchFormProps {
  initial: BranchDraft;
  submitLabel: string;
  onSubmit: (draft: BranchDraft) => void;
  isPending: boolean;
  error: unknown;
  timeZone: string | undefined;
}

/** Name, address, phone, opening hours and whether the branch is active; used to create and edit. */
export function BranchForm({ initial, submitLabel, onSubmit, isPending, error, timeZone }: BranchFormProps) {
  const [draft, setDraft] = useState(initial);
  const errors = useFormErrors(error);
  const idFor = (path: string) => fieldId(FORM, path);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onSubmit(draft);
  }

  return (
    <form className="form form--wide" noValidate onSubmit={submit} aria-label="Branch">
      <ErrorSummary errors={errors} idFor={idFor} labelFor={labelFor} />
      <TextField
        id={idFor('name')}
        label="Name"
        value={draft.name}
        error={errors.fields['name']}
        onChange={(e) => setDraft({ ...draft, name: e.target.value })}
      />
      <TextAreaField
        id={idFor('address')}
        label="Address"
        value={draft.address}
        error={errors.fields['address']}
        autoComplete="street-address"
        hint="As patrons should read it; several lines are fine."
        onChange={(e) => setDraft({ ...draft, address: e.target.value })}
      />
      <TextField
        id={idFor('phone')}
        label="Phone"
        type="tel"
        value={draft.phone}
        error={errors.fields['phone']}
        hint="Optional."
        onChange={(e) => setDraft({ ...draft, phone: e.target.value })}
      />
      <CheckboxField
        id={idFor('isActive')}
        label="Active"
        checked={draft.isActive}
        error={errors.fields['isActive']}
        hint="Inactive branches keep their history but are not offered to patrons. Branches are never deleted."
        onChange={(e) => setDraft({ ...draft, isActive: e.target.checked })}
      />
      <HoursEditor
        value={draft.hours}
        onChange={(hours) => setDraft({ ...draft, hours })}
        idFor={idFor}
        errors={errors.fields}
        timeZone={timeZone}
        owner="branch"
      />
      <FormActions submitLabel={submitLabel} isPending={isPending} cancelTo="/admin/branches" />
    </form>
  );
}
