import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { DEFAULT_TRANSCRIPT_RETENTION_DAYS, type CreateLibraryBody } from '@branchline/protocol';
import { useCreateLibrary, useLibrary } from '../../../api/libraries.ts';
import { ErrorSummary } from '../../../ui/error-summary.tsx';
import { FieldError, TextField } from '../../../ui/field.tsx';
import { fieldId, useFormErrors } from '../../../ui/form-errors.ts';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { useAnnounce } from '../../../ui/status-region.tsx';
import { useSession } from '../../auth/session-context.ts';
import { RequireAbility } from '../require-ability.tsx';
import { slugify } from '../slugify.ts';
import {
  LIBRARY_ERROR_COLLAPSE,
  LIBRARY_LABELS,
  LibraryFields,
  daysOf,
  originsOf,
  type LibraryDraft,
} from './library-fields.tsx';

const FORM = 'new-library';
const AFTER = '/admin/library';
const LABELS: Readonly<Record<string, string>> = {
  ...LIBRARY_LABELS,
  administrator: 'First administrator',
  'administrator.name': 'Administrator’s name',
  'administrator.email': 'Administrator’s email',
};
// A taken slug is the usual conflict; a taken administrator email names its own field.
const ERROR_OPTIONS = { conflictField: 'slug', collapse: LIBRARY_ERROR_COLLAPSE };

interface NewLibraryDraft extends LibraryDraft {
  adminName: string;
  adminEmail: string;
}

function emptyDraft(timeZone: string): NewLibraryDraft {
  return {
    name: '',
    slug: '',
    timeZone,
    contactEmail: '',
    contactPhone: '',
    websiteUrl: '',
    allowedOrigins: '',
    hostnames: '',
    transcriptRetentionDays: String(DEFAULT_TRANSCRIPT_RETENTION_DAYS),
    adminName: '',
    adminEmail: '',
  };
}

function bodyOf(draft: NewLibraryDraft): CreateLibraryBody {
  const { adminName, adminEmail, allowedOrigins, hostnames, transcriptRetentionDays, ...library } = draft;
  return {
    ...library,
    allowedOrigins: originsOf(allowedOrigins),
    hostnames: originsOf(hostnames),
    transcriptRetentionDays: daysOf(transcriptRetentionDays),
    administrator: { name: adminName.trim(), email: adminEmail.trim() },
  };
}

/**
 * Admin → Library → New library: another library in this deployment, for a cooperative. It asks
 * for the first administrator too, since nobody else can sign in to it: the person creating it
 * belongs to their own library and will not see the new one.
 */
export function LibraryNewPage() {
  const { libraryId } = useSession().staff;
  // New libraries of a cooperative are usually in the same zone; the cached library is at hand.
  const ownZone = useLibrary(libraryId).data?.timeZone;
  const create = useCreateLibrary();
  const announce = useAnnounce();
  const [draft, setDraft] = useState(() => emptyDraft(ownZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone));
  // The slug follows the name until someone edits the slug itself.
  const [slugFollowsName, setSlugFollowsName] = useState(true);
  const errors = useFormErrors(create.error, null, ERROR_OPTIONS);
  const idFor = (path: string) => fieldId(FORM, path);
  const set = (changes: Partial<NewLibraryDraft>) => setDraft((current) => ({ ...current, ...changes }));
  const adminId = idFor('administrator');
  const adminError = errors.fields['administrator'];

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = bodyOf(draft);
    create.mutate(body, {
      onSuccess: (library) =>
        announce(
          `${library.name} created. We've emailed ${body.administrator?.email ?? 'its administrator'} a link to set a password.`,
          AFTER,
        ),
    });
  }

  return (
    <RequireAbility anyOf={['library.create']} title="New library">
      <PageHeading>New library</PageHeading>
      <p>
        Creates a separate library in this Branchline, with its own branches, desks and staff. Its first administrator
        gets an email to set a password; you will not be able to see or manage it yourself.
      </p>
      <form className="form" noValidate onSubmit={submit} aria-label="New library">
        <ErrorSummary errors={errors} idFor={idFor} labelFor={(path) => LABELS[path]} />
        <LibraryFields
          form={FORM}
          draft={draft}
          errors={errors}
          onChange={(key, value) => {
            if (key === 'slug') setSlugFollowsName(false);
            set(key === 'name' && slugFollowsName ? { name: value, slug: slugify(value) } : { [key]: value });
          }}
        />
        <fieldset
          id={adminId}
          className={adminError ? 'field--invalid' : undefined}
          aria-describedby={adminError ? `${adminId}-hint ${adminId}-error` : `${adminId}-hint`}
        >
          <legend>{LABELS['administrator']}</legend>
          <p id={`${adminId}-hint`} className="field__hint">
            They can sign in to the new library and add its branches, desks and staff. We email them a link to set a
            password.
          </p>
          {adminError ? <FieldError id={`${adminId}-error`} message={adminError} /> : null}
          <TextField
            id={idFor('administrator.name')}
            label="Name"
            value={draft.adminName}
            error={errors.fields['administrator.name']}
            autoComplete="off"
            onChange={(e) => set({ adminName: e.target.value })}
          />
          <TextField
            id={idFor('administrator.email')}
            label="Email"
            type="email"
            spellCheck={false}
            autoComplete="off"
            value={draft.adminEmail}
            error={errors.fields['administrator.email']}
            hint="Not an address already used by staff in this Branchline."
            onChange={(e) => set({ adminEmail: e.target.value })}
          />
        </fieldset>
        <div className="button-row">
          <button type="submit" className="button button--primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create library'}
          </button>
          <Link to={AFTER} className="button">
            Cancel
          </Link>
        </div>
      </form>
    </RequireAbility>
  );
}
