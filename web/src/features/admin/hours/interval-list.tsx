import { END_OF_DAY, type OpenInterval } from '@branchline/protocol';
import { FieldError } from '../../../ui/field.tsx';
import { useFocusLater } from '../../../ui/use-focus-later.ts';
import { closingFromInput, closingInputValue, nextInterval } from './hours-paths.ts';

interface IntervalListProps {
  /** The API path of this list, e.g. `hours.weekly.mon` or `hours.exceptions.0.intervals`. */
  path: string;
  idFor: (path: string) => string;
  /** Names the day for screen readers: "Monday", "25 December 2026". */
  dayLabel: string;
  intervals: readonly OpenInterval[];
  onChange: (intervals: OpenInterval[]) => void;
  errors: Record<string, string>;
  closedText: string;
}

/** Zero or more opening intervals of one day, each with opens/closes time inputs. */
export function IntervalList({ path, idFor, dayLabel, intervals, onChange, errors, closedText }: IntervalListProps) {
  const focusLater = useFocusLater();
  const addId = idFor(`${path}.add`);

  function update(index: number, key: keyof OpenInterval, value: string) {
    onChange(intervals.map((interval, i) => (i === index ? { ...interval, [key]: value } : interval)));
  }

  function add() {
    onChange([...intervals, nextInterval(intervals.at(-1))]);
    focusLater(idFor(`${path}.${intervals.length}.opens`));
  }

  function remove(index: number) {
    onChange(intervals.filter((_, i) => i !== index));
    focusLater(addId);
  }

  const listError = errors[path];
  const which = (index: number) => (intervals.length > 1 ? `${dayLabel}, hours ${index + 1}` : dayLabel);
  return (
    <div className="interval-list">
      {listError ? <FieldError id={`${idFor(path)}-error`} message={listError} /> : null}
      {intervals.length === 0 ? <p className="interval-list__closed">{closedText}</p> : null}
      {intervals.map((interval, index) => {
        const base = `${path}.${index}`;
        const opensError = errors[`${base}.opens`] ?? errors[base];
        const closesError = errors[`${base}.closes`];
        return (
          <div key={index} className="interval">
            <div className="interval__times">
              <TimeInput
                id={idFor(`${base}.opens`)}
                label="Opens"
                context={which(index)}
                value={interval.opens}
                onChange={(value) => update(index, 'opens', value)}
                error={opensError}
              />
              <TimeInput
                id={idFor(`${base}.closes`)}
                label="Closes"
                context={which(index)}
                value={closingInputValue(interval.closes)}
                onChange={(value) => update(index, 'closes', closingFromInput(value))}
                error={closesError}
              />
              <button type="button" className="button button--small" onClick={() => remove(index)}>
                Remove
                <span className="visually-hidden">
                  {' '}
                  {which(index)}, {interval.opens} to {interval.closes === END_OF_DAY ? 'midnight' : interval.closes}
                </span>
              </button>
            </div>
            {opensError ? <FieldError id={`${idFor(`${base}.opens`)}-error`} message={opensError} /> : null}
            {closesError ? <FieldError id={`${idFor(`${base}.closes`)}-error`} message={closesError} /> : null}
          </div>
        );
      })}
      <button type="button" id={addId} className="button button--small" onClick={add} disabled={intervals.length >= 6}>
        Add hours<span className="visually-hidden"> on {dayLabel}</span>
      </button>
    </div>
  );
}

interface TimeInputProps {
  id: string;
  label: string;
  context: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}

function TimeInput({ id, label, context, value, onChange, error }: TimeInputProps) {
  return (
    <div className={`field field--inline${error ? ' field--invalid' : ''}`}>
      <label htmlFor={id} className="field__label">
        {label}
        <span className="visually-hidden"> ({context})</span>
      </label>
      <input
        id={id}
        type="time"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
    </div>
  );
}
