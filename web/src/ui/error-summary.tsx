import { useEffect, useRef, type MouseEvent } from 'react';
import { hasErrors, type FormErrors } from './form-errors.ts';

interface ErrorSummaryProps {
  errors: FormErrors;
  /** Maps a field path to the id of its control, so each message links to its field; null when no field shows it. */
  idFor: (path: string) => string | null;
  /** The human name of a field path, e.g. `contactEmail` → `Contact email`. */
  labelFor?: (path: string) => string | undefined;
}

/**
 * The summary at the top of a form: the general message and a link to each field with an error.
 * It takes focus when new errors arrive, so keyboard and screen-reader users land on it.
 */
export function ErrorSummary({ errors, idFor, labelFor }: ErrorSummaryProps) {
  const ref = useRef<HTMLDivElement>(null);
  const visible = hasErrors(errors);

  useEffect(() => {
    if (visible) ref.current?.focus();
  }, [errors, visible]);

  const entries = Object.entries(errors.fields);
  return (
    <div ref={ref} role="alert" tabIndex={-1} className={visible ? 'error-summary' : 'error-summary--empty'}>
      {visible ? (
        <>
          <h2 className="error-summary__title">There is a problem</h2>
          {errors.summary ? <p>{errors.summary}</p> : null}
          {entries.length > 0 ? (
            <ul>
              {entries.map(([path, message]) => {
                const label = labelFor?.(path);
                const text = `${label ? `${label}: ` : ''}${message}`;
                const id = idFor(path);
                return (
                  <li key={path}>
                    {id ? (
                      <a href={`#${id}`} onClick={(event) => focusField(event, id)}>
                        {text}
                      </a>
                    ) : (
                      text
                    )}
                  </li>
                );
              })}
            </ul>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function focusField(event: MouseEvent<HTMLAnchorElement>, id: string): void {
  const element = document.getElementById(id);
  if (!element) return;
  event.preventDefault();
  const control = element.matches('input, select, textarea, button')
    ? element
    : element.querySelector<HTMLElement>('input, select, textarea, button');
  (control ?? element).focus();
}
