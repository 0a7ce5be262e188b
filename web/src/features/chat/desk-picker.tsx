import { useEffect, useId, useRef, useState } from 'react';
import type { Desk } from '@branchline/protocol';

interface DeskPickerProps {
  desks: readonly Desk[];
  selected: readonly string[];
  disabled: boolean;
  onChange: (deskIds: string[]) => void;
}

function summary(desks: readonly Desk[], selected: readonly string[]): string {
  const names = desks.filter((d) => selected.includes(d.id)).map((d) => d.name);
  if (names.length === 0) return 'No desks';
  if (names.length <= 2) return names.join(', ');
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}

/**
 * The desks a person is serving: a disclosure button that names them, opening a list of
 * checkboxes. Each change is saved at once. Escape or a click elsewhere closes it.
 */
export function DeskPicker({ desks, selected, disabled, onChange }: DeskPickerProps) {
  const [isOpen, setIsOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!isOpen) return;
    const onPointer = (event: PointerEvent) => {
      if (event.target instanceof Node && !rootRef.current?.contains(event.target)) setIsOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [isOpen]);

  function toggle(deskId: string, checked: boolean) {
    onChange(checked ? [...selected, deskId] : selected.filter((id) => id !== deskId));
  }

  return (
    <div
      className="desk-picker"
      ref={rootRef}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && isOpen) {
          event.stopPropagation();
          setIsOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className="button button--small desk-picker__button"
        aria-expanded={isOpen}
        aria-controls={panelId}
        onClick={() => setIsOpen(!isOpen)}
      >
        <span className="visually-hidden">Desks you are serving: </span>
        <span className="desk-picker__summary">{summary(desks, selected)}</span>
        <span aria-hidden="true" className="desk-picker__caret">
          {isOpen ? '▲' : '▼'}
        </span>
      </button>
      <div id={panelId} className="desk-picker__panel" hidden={!isOpen}>
        <fieldset disabled={disabled}>
          <legend>Desks you are serving</legend>
          {desks.length === 0 ? <p>No desks are open.</p> : null}
          {desks.map((desk) => (
            <div className="field field--checkbox desk-picker__option" key={desk.id}>
              <input
                id={`${panelId}-${desk.id}`}
                type="checkbox"
                checked={selected.includes(desk.id)}
                onChange={(event) => toggle(desk.id, event.target.checked)}
              />
              <label htmlFor={`${panelId}-${desk.id}`} className="field__label">
                {desk.name}
              </label>
            </div>
          ))}
        </fieldset>
      </div>
    </div>
  );
}
