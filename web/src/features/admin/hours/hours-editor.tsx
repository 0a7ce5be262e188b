import type { Hours, HoursException, OpenInterval, Weekday } from '@branchline/protocol';
import { FieldError } from '../../../ui/field.tsx';
import { ExceptionsEditor } from './exceptions-editor.tsx';
import { DAY_NAMES, WEEKDAYS } from './hours-paths.ts';
import { IntervalList } from './interval-list.tsx';

interface HoursEditorProps {
  value: Hours;
  onChange: (hours: Hours) => void;
  idFor: (path: string) => string;
  /** All field errors of the form, keyed by API path; this editor reads those under `hours`. */
  errors: Record<string, string>;
  /** Says which zone the times are in, e.g. "America/Chicago". */
  timeZone?: string | undefined;
  /** Whose hours: "branch" or "desk", for the heading's hint. */
  owner: string;
}

/** Weekly opening hours (zero or more intervals a day) and special dates that differ from them. */
export function HoursEditor({ value, onChange, idFor, errors, timeZone, owner }: HoursEditorProps) {
  function setDay(day: Weekday, intervals: OpenInterval[]) {
    onChange({ ...value, weekly: { ...value.weekly, [day]: intervals } });
  }
  function setExceptions(exceptions: HoursException[]) {
    onChange({ ...value, exceptions });
  }

  const generalError = errors['hours'] ?? errors['hours.weekly'];
  return (
    <section className="hours-editor" id={idFor('hours')} aria-labelledby={`${idFor('hours')}-heading`}>
      <h2 id={`${idFor('hours')}-heading`}>Opening hours</h2>
      <p className="field__hint">
        When this {owner} is open each week{timeZone ? `, in the library’s time zone (${timeZone})` : ''}. A day with no
        hours is closed. A closing time of 00:00 means midnight, at the end of the day: 00:00 to 00:00 is open all day.
      </p>
      {generalError ? <FieldError id={`${idFor('hours')}-error`} message={generalError} /> : null}
      <div className="weekdays">
        {WEEKDAYS.map((day) => {
          const path = `hours.weekly.${day}`;
          return (
            <fieldset
              key={day}
              id={idFor(path)}
              className={`day${errors[path] ? ' field--invalid' : ''}`}
              aria-describedby={errors[path] ? `${idFor(path)}-error` : undefined}
            >
              <legend>{DAY_NAMES[day]}</legend>
              <IntervalList
                path={path}
                idFor={idFor}
                dayLabel={DAY_NAMES[day]}
                intervals={value.weekly[day]}
                onChange={(intervals) => setDay(day, intervals)}
                errors={errors}
                closedText="Closed"
              />
            </fieldset>
          );
        })}
      </div>
      <ExceptionsEditor exceptions={value.exceptions} onChange={setExceptions} idFor={idFor} errors={errors} />
    </section>
  );
}
