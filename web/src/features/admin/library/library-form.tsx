import { useState, type FormEvent } from 'react';
import type { Library, UpdateLibraryBody } from '@branchline/protocol';
import { useUpdateLibrary } from '../../../api/libraries.ts';
import { ErrorSummary } from '../../../ui/error-summary.tsx';
import { fieldId, useFormErrors } from '../../../ui/form-errors.ts';
import { useAnnounce } from '../../../ui/status-region.tsx';
import {
  LIBRARY_ERROR_COLLAPSE,
  LIBRARY_LABELS,
  LibraryFields,
  daysOf,
  originsOf,
  type LibraryDraft,
} from './library-fields.tsx';

const FORM = 'library';
const ERROR_OPTIONS = { conflictField: 'slug', collapse: LIBRARY_ERROR_COLLAPSE };

function draftOf(library: Library): LibraryDraft {
  return {
    name: library.name,
    slug: library.slug,
    timeZone: library.timeZone,
    contactEmail: library.contactEmail,
    contactPhone: library.contactPhone,
    websiteUrl: library.websiteUrl,
    allowedOrigins: (library.allowedOrigins ?? []).join('\n'),
    hostnames: (library.hostnames ?? []).join('\n'),
    transcriptRetentionDays: String(library.transcriptRetentionDays),
  };
}

function bodyOf(draft: LibraryDraft): UpdateLibraryBody {
  return {
    ...draft,
    allowedOrigins: originsOf(draft.allowedOrigins),
    hostnames: originsOf(draft.hostnames),
    transcriptRetentionDays: daysOf(draft.transcriptRetentionDays),
  };
}

export function LibraryForm({ library }: { library: Library }) {
  const update = useUpdateLibrary(library.id);
  const announce = useAnnounce();
  const [draft, setDraft] = useState(() => draftOf(library));
  const errors = useFormErrors(update.error, null, ERROR_OPTIONS);
  const idFor = (path: string) => fieldId(FORM, path);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate(bodyOf(draft), { onSuccess: () => announce('Library saved') });
  }

  return (
    <form className="form" noValidate onSubmit={submit} aria-label="Library settings">
      <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => LIBRARY_LABELS[path]} />
      <LibraryFields
        form={FORM}
        draft={draft}
        errors={errors}
        onChange={(key, value) => setDraft((current) => ({ ...current, [key]: value }))}
      />
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save library'}
        </button>
      </div>
    </form>
  );
}
