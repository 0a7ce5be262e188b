import { useState, type FormEvent } from 'react';
import type { Library, UpdateLibraryBody } from '@branchline/protocol';
import { useUpdateLibrary } from '../../../api/libraries.ts';
import { ErrorSummary } from '../../../ui/error-summary.tsx';
import { SelectField, TextAreaField, TextField } from '../../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../../ui/form-errors.ts';
import { useAnnounce } from '../../../ui/status-region.tsx';
import { timeZoneOptions } from './time-zones.ts';

const FORM = 'library';
const LABELS: Record<string, string> = {
  name: 'Name',
  slug: 'Short name for addresses',
  timeZone: 'Time zone',
  contactEmail: 'Contact email',
  contactPhone: 'Contact phone',
  websiteUrl: 'Website',
  allowedOrigins: 'Websites that may show the chat widget',
};
const ERROR_OPTIONS = { conflictField: 'slug', collapse: ['allowedOrigins'] };

type TextKey = 'name' | 'slug' | 'timeZone' | 'contactEmail' | 'contactPhone' | 'websiteUrl' | 'allowedOrigins';
type LibraryDraft = Record<TextKey, string>;

function draftOf(library: Library): LibraryDraft {
  return {
    name: library.name,
    slug: library.slug,
    timeZone: library.timeZone,
    contactEmail: library.contactEmail,
    contactPhone: library.contactPhone,
    websiteUrl: library.websiteUrl,
    allowedOrigins: (library.allowedOrigins ?? []).join('\n'),
  };
}

function bodyOf(draft: LibraryDraft): UpdateLibraryBody {
  const allowedOrigins = draft.allowedOrigins.split(/[\s,]+/).filter(Boolean);
  return { ...draft, allowedOrigins };
}

export function LibraryForm({ library }: { library: Library }) {
  const update = useUpdateLibrary(library.id);
  const announce = useAnnounce();
  const [draft, setDraft] = useState(() => draftOf(library));
  const errors = useFormErrors(update.error, null, ERROR_OPTIONS);
  const idFor = (path: string) => fieldId(FORM, path);
  const field = (key: TextKey) => ({
    id: idFor(key),
    label: LABELS[key],
    value: draft[key],
    error: errors.fields[key],
    onChange: (event: { target: { value: string } }) =>
      setDraft((current) => ({ ...current, [key]: event.target.value })),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate(bodyOf(draft), { onSuccess: () => announce('Library saved') });
  }

  return (
    <form className="form" noValidate onSubmit={submit} aria-label="Library settings">
      <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => LABELS[path]} />
      <TextField {...field('name')} autoComplete="organization" />
      <TextField
        {...field('slug')}
        spellCheck={false}
        hint="Lowercase letters, digits and hyphens, e.g. springfield-library. Used in web addresses."
      />
      <SelectField {...field('timeZone')} hint="Opening hours, shifts and appointment times are in this zone.">
        {timeZoneOptions(draft.timeZone).map((zone) => (
          <option key={zone} value={zone}>
            {zone.replaceAll('_', ' ')}
          </option>
        ))}
      </SelectField>
      <TextField
        {...field('contactEmail')}
        type="email"
        spellCheck={false}
        hint="Shown to patrons as the library’s address. Optional."
      />
      <TextField {...field('contactPhone')} type="tel" hint="Optional." />
      <TextField
        {...field('websiteUrl')}
        type="url"
        spellCheck={false}
        hint="The full address, starting with https://. Optional."
      />
      <TextAreaField
        {...field('allowedOrigins')}
        spellCheck={false}
        hint="One per line, scheme and host only, e.g. https://www.springfield-library.org. The chat widget only works on these sites."
      />
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save library'}
        </button>
      </div>
    </form>
  );
}
