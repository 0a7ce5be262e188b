import { useState, type FormEvent } from 'react';
import type { Desk, DeskMode, Hours } from '@branchline/protocol';
import { ErrorSummary } from '../../../ui/error-summary.tsx';
import { CheckboxField, RadioGroup, TextAreaField, TextField } from '../../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../../ui/form-errors.ts';
import { wholeNumberErrors } from '../../../ui/whole-number.ts';
import { DESK_MODE_OPTIONS } from '../desk-modes.ts';
import { CLOSED_HOURS, describeHoursPath } from '../hours/hours-paths.ts';
import { HoursEditor } from '../hours/hours-editor.tsx';
import { slugify } from '../slugify.ts';
import { FormActions } from '../../../ui/form-actions.tsx';

/** What the form sends: fits both CreateDeskBody and UpdateDeskBody. */
export interface DeskBody {
  name: string;
  slug: string;
  description: string;
  mode: DeskMode;
  hours: Hours;
  waitThresholdSeconds: number;
  ringTimeoutSeconds: number;
  isActive: boolean;
}

/** The form's state: number fields hold the text as typed. */
export type DeskDraft = Omit<DeskBody, 'waitThresholdSeconds' | 'ringTimeoutSeconds'> & {
  waitThresholdSeconds: string;
  ringTimeoutSeconds: string;
};

const FORM = 'desk';
const LABELS: Record<string, string> = {
  name: 'Name',
  slug: 'Short name for addresses',
  description: 'Description',
  mode: 'How chats reach staff',
  waitThresholdSeconds: 'Highlight a waiting chat after (seconds)',
  ringTimeoutSeconds: 'Ring each person for (seconds)',
  isActive: 'Active',
};
const ERROR_OPTIONS = { conflictField: 'slug' };
const labelFor = (path: string) => LABELS[path] ?? describeHoursPath(path);

export function draftOfDesk(desk: Desk | undefined): DeskDraft {
  if (!desk) {
    return {
      name: '',
      slug: '',
      description: '',
      mode: 'claim',
      hours: CLOSED_HOURS,
      waitThresholdSeconds: '90',
      ringTimeoutSeconds: '30',
      isActive: true,
    };
  }
  const { name, slug, description, mode, hours, isActive } = desk;
  return {
    name,
    slug,
    description,
    mode,
    hours,
    waitThresholdSeconds: String(desk.waitThresholdSeconds ?? 90),
    ringTimeoutSeconds: String(desk.ringTimeoutSeconds ?? 30),
    isActive,
  };
}

interface DeskFormProps {
  initial: DeskDraft;
  submitLabel: string;
  onSubmit: (body: DeskBody) => void;
  isPending: boolean;
  error: unknown;
  timeZone: string | undefined;
}

/** A desk: where patrons' questions arrive, how they reach staff, and when it is staffed. */
export function DeskForm({ initial, submitLabel, onSubmit, isPending, error, timeZone }: DeskFormProps) {
  const [draft, setDraft] = useState(initial);
  // A new desk's slug follows its name until someone edits the slug itself.
  const [slugFollowsName, setSlugFollowsName] = useState(initial.slug === '');
  const [local, setLocal] = useState<Record<string, string> | null>(null);
  const errors = useFormErrors(error, local, ERROR_OPTIONS);
  const idFor = (path: string) => fieldId(FORM, path);

  function setName(name: string) {
    setDraft({ ...draft, name, slug: slugFollowsName ? slugify(name) : draft.slug });
  }
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { waitThresholdSeconds, ringTimeoutSeconds } = draft;
    const problems = wholeNumberErrors({ waitThresholdSeconds, ringTimeoutSeconds });
    setLocal(problems);
    if (problems) return;
    onSubmit({
      ...draft,
      waitThresholdSeconds: Number(waitThresholdSeconds),
      ringTimeoutSeconds: Number(ringTimeoutSeconds),
    });
  }

  return (
    <form className="form form--wide" noValidate onSubmit={submit} aria-label="Desk">
      <ErrorSummary errors={errors} idFor={idFor} labelFor={labelFor} />
      <TextField
        id={idFor('name')}
        label="Name"
        value={draft.name}
        error={errors.fields['name']}
        hint="Patrons see it, e.g. Ask a Librarian or Homework Help."
        onChange={(e) => setName(e.target.value)}
      />
      <TextField
        id={idFor('slug')}
        label={LABELS['slug']}
        value={draft.slug}
        error={errors.fields['slug']}
        spellCheck={false}
        hint="Lowercase letters, digits and hyphens, e.g. homework-help. Used in web addresses."
        onChange={(e) => {
          setSlugFollowsName(false);
          setDraft({ ...draft, slug: e.target.value });
        }}
      />
      <TextAreaField
        id={idFor('description')}
        label="Description"
        value={draft.description}
        error={errors.fields['description']}
        hint="Optional. What patrons can ask this desk about."
        onChange={(e) => setDraft({ ...draft, description: e.target.value })}
      />
      <RadioGroup
        id={idFor('mode')}
        name="mode"
        legend={LABELS['mode']}
        value={draft.mode}
        options={DESK_MODE_OPTIONS}
        error={errors.fields['mode']}
        onChange={(mode) => setDraft({ ...draft, mode })}
      />
      <TextField
        id={idFor('waitThresholdSeconds')}
        label={LABELS['waitThresholdSeconds']}
        type="number"
        inputMode="numeric"
        min={10}
        max={3600}
        className="field--short"
        value={draft.waitThresholdSeconds}
        error={errors.fields['waitThresholdSeconds']}
        hint="From 10 to 3600. A chat waiting longer is highlighted to everyone online."
        onChange={(e) => setDraft({ ...draft, waitThresholdSeconds: e.target.value })}
      />
      {draft.mode === 'assign' ? (
        <TextField
          id={idFor('ringTimeoutSeconds')}
          label={LABELS['ringTimeoutSeconds']}
          type="number"
          inputMode="numeric"
          min={5}
          max={300}
          className="field--short"
          value={draft.ringTimeoutSeconds}
          error={errors.fields['ringTimeoutSeconds']}
          hint="From 5 to 300. An offer nobody accepts in time goes to the next person."
          onChange={(e) => setDraft({ ...draft, ringTimeoutSeconds: e.target.value })}
        />
      ) : null}
      <CheckboxField
        id={idFor('isActive')}
        label="Active"
        checked={draft.isActive}
        error={errors.fields['isActive']}
        hint="Inactive desks keep their history but take no new questions. Desks are never deleted."
        onChange={(e) => setDraft({ ...draft, isActive: e.target.checked })}
      />
      <HoursEditor
        value={draft.hours}
        onChange={(hours) => setDraft({ ...draft, hours })}
        idFor={idFor}
        errors={errors.fields}
        timeZone={timeZone}
        owner="desk"
      />
      <FormActions submitLabel={submitLabel} isPending={isPending} cancelTo="/admin/desks" />
    </form>
  );
}
