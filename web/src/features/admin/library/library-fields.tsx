import { SelectField, TextAreaField, TextField } from '../../../ui/field.tsx';
import { fieldId, type FormErrors } from '../../../ui/form-errors.ts';
import { timeZoneOptions } from './time-zones.ts';

export type LibraryKey =
  | 'name'
  | 'slug'
  | 'timeZone'
  | 'contactEmail'
  | 'contactPhone'
  | 'websiteUrl'
  | 'allowedOrigins'
  | 'hostnames'
  | 'transcriptRetentionDays';
export type LibraryDraft = Record<LibraryKey, string>;

export const LIBRARY_LABELS: Readonly<Record<string, string>> = {
  name: 'Name',
  slug: 'Short name for addresses',
  timeZone: 'Time zone',
  contactEmail: 'Contact email',
  contactPhone: 'Contact phone',
  websiteUrl: 'Website',
  allowedOrigins: 'Websites that may show the chat widget',
  hostnames: 'Host names of this library’s own chat pages',
  transcriptRetentionDays: 'Keep chat transcripts for (days)',
} satisfies Record<LibraryKey, string>;

/** The number of days typed, for the API (anything else is sent as typed, and refused there in words). */
export function daysOf(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

/** Item errors (`allowedOrigins.1`) show on the list's one text area. */
export const LIBRARY_ERROR_COLLAPSE = ['allowedOrigins', 'hostnames'] as const;

/** "https://a.example\nhttps://b.example" (or commas, or spaces) → the list the API takes; host names too. */
export function originsOf(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

interface LibraryFieldsProps {
  form: string;
  draft: LibraryDraft;
  errors: FormErrors;
  onChange: (key: LibraryKey, value: string) => void;
}

/** A library's own details, as the settings form and the new-library form both ask for them. */
export function LibraryFields({ form, draft, errors, onChange }: LibraryFieldsProps) {
  const field = (key: LibraryKey) => ({
    id: fieldId(form, key),
    label: LIBRARY_LABELS[key],
    value: draft[key],
    error: errors.fields[key],
    onChange: (event: { target: { value: string } }) => onChange(key, event.target.value),
  });
  return (
    <>
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
      <TextAreaField
        {...field('hostnames')}
        spellCheck={false}
        hint="Only when several libraries share this server: one per line, host name only, e.g. ask.springfield-library.org. Pages and chats opened at these addresses belong to this library. Optional."
      />
      <TextField
        {...field('transcriptRetentionDays')}
        inputMode="numeric"
        hint="After a conversation ends, its messages and the patron’s name, email and addresses are kept this long, then deleted. The numbers for reports stay. Between 7 and 3650."
      />
    </>
  );
}
