import { Link } from 'react-router';

interface FormActionsProps {
  submitLabel: string;
  isPending: boolean;
  /** Where Cancel goes: the list the form was opened from. */
  cancelTo: string;
}

/** The submit button (which says it is saving while it is) and a Cancel link back to the list. */
export function FormActions({ submitLabel, isPending, cancelTo }: FormActionsProps) {
  return (
    <div className="button-row">
      <button type="submit" className="button button--primary" disabled={isPending}>
        {isPending ? 'Saving…' : submitLabel}
      </button>
      <Link to={cancelTo} className="button button--quiet">
        Cancel
      </Link>
    </div>
  );
}
