import type { HoursException } from '@branchline/protocol';
import { FieldError, TextField } from '../../../ui/field.tsx';
import { useFocusLater } from '../../../ui/use-focus-later.ts';
import { formatDay } from './hours-paths.ts';
import { IntervalList } from './interval-list.tsx';

interface ExceptionsEditorProps {
  exceptions: readonly HoursException[];
  onChange: (exceptions: HoursException[]) => void;
  idFor: (path: string) => string;
  errors: Record<string, string>;
}

/** Dates whose hours differ from the weekly pattern; a date with no hours is closed all day. */
export function ExceptionsEditor({ exceptions, onChange, idFor, errors }: ExceptionsEditorProps) {
  const focusLater = useFocusLater();
  const addId = idFor('hours.exceptions.add');

  function update(index: number, change: Partial<HoursException>) {
    onChange(exceptions.map((exception, i) => (i === index ? { ...exception, ...change } : exception)));
  }
  function add() {
    onChange([...exceptions, { date: '', note: '', intervals: [] }]);
    focusLater(idFor(`hours.exceptions.${exceptions.length}.date`));
  }
  function remove(index: number) {
    onChange(exceptions.filter((_, i) => i !== index));
    focusLater(addId);
  }

  const listError = errors['hours.exceptions'];
  return (
    <div className="exceptions" id={idFor('hours.exceptions')}>
      <h3>Special dates</h3>
      <p className="field__hint">
        Holidays and days with different hours, such as &ldquo;Christmas Day&rdquo; (closed) or an early close. A date
        with no hours is closed all day.
      </p>
      {listError ? <FieldError id={`${idFor('hours.exceptions')}-error`} message={listError} /> : null}
      {exceptions.length === 0 ? <p>No special dates.</p> : null}
      {exceptions.map((exception, index) => {
        const base = `hours.exceptions.${index}`;
        const day = exception.date ? formatDay(exception.date) : `Special date ${index + 1}`;
        const name = exception.note ? `${day}, ${exception.note}` : day;
        return (
          <fieldset key={index} id={idFor(base)} className="exception">
            <legend>{name}</legend>
            {errors[base] ? <FieldError id={`${idFor(base)}-error`} message={errors[base]} /> : null}
            <div className="exception__fields">
              <TextField
                id={idFor(`${base}.date`)}
                label="Date"
                type="date"
                value={exception.date}
                onChange={(event) => update(index, { date: event.target.value })}
                error={errors[`${base}.date`]}
              />
              <TextField
                id={idFor(`${base}.note`)}
                label="Note"
                value={exception.note}
                hint="Optional, e.g. Christmas Day."
                maxLength={120}
                onChange={(event) => update(index, { note: event.target.value })}
                error={errors[`${base}.note`]}
              />
            </div>
            <IntervalList
              path={`${base}.intervals`}
              idFor={idFor}
              dayLabel={day}
              intervals={exception.intervals}
              onChange={(intervals) => update(index, { intervals })}
              errors={errors}
              closedText="Closed all day"
            />
            <button type="button" className="button button--small button--quiet" onClick={() => remove(index)}>
              Remove this date<span className="visually-hidden">: {name}</span>
            </button>
          </fieldset>
        );
      })}
      <button type="button" id={addId} className="button button--small" onClick={add}>
        Add a date
      </button>
    </div>
  );
}
