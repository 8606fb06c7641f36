import { useEffect, useId, useRef, useState } from 'react';
import type { ColumnArrangement } from '../lib/column-arrangement.ts';

/**
 * The "Columns" menu of a table: show or hide each column, move it up or down (buttons, so the
 * keyboard can do it; a mouse can also drag a row), and go back to the default. Changes show at
 * once and are saved for the operator.
 */
export function ColumnArrangementMenu<Id extends string>({ arrangement, fixed, label }: { arrangement: ColumnArrangement<Id>; /** The first column, always shown. */ fixed?: string; /** Names the table for screen readers. */ label: string }) {
  const { visible, all, choose, reset, isDefault, status } = arrangement;
  const ref = useRef<HTMLDetailsElement>(null);
  const prefix = useId();
  const [focusAfterMove, setFocusAfterMove] = useState<{ id: Id; direction: 'up' | 'down' } | null>(null);
  const [dragged, setDragged] = useState<Id | null>(null);
  const buttonId = (id: Id, direction: 'up' | 'down') => `${prefix}-${id}-${direction}`;

  // Close on a click outside or Escape, like a menu.
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current?.open && e.target instanceof Node && !ref.current.contains(e.target)) ref.current.open = false;
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && ref.current?.open) {
        ref.current.open = false;
        ref.current.querySelector('summary')?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, []);

  // A moved row is re-inserted in the DOM, which drops the focus: put it back on the same button, or its twin at the ends.
  useEffect(() => {
    if (!focusAfterMove) return;
    const same = document.getElementById(buttonId(focusAfterMove.id, focusAfterMove.direction)) as HTMLButtonElement | null;
    const twin = document.getElementById(buttonId(focusAfterMove.id, focusAfterMove.direction === 'up' ? 'down' : 'up')) as HTMLButtonElement | null;
    (same && !same.disabled ? same : twin)?.focus();
    setFocusAfterMove(null);
  });

  const move = (id: Id, to: number) => {
    const rest = visible.filter((v) => v !== id);
    rest.splice(Math.max(0, Math.min(to, rest.length)), 0, id);
    choose(rest);
  };
  const toggle = (id: Id, on: boolean) => choose(on ? [...visible, id] : visible.filter((v) => v !== id));

  return (
    <details ref={ref} className="relative" data-testid="column-arrangement">
      <summary
        aria-label={`Columns of ${label}`}
        className="inline-flex cursor-pointer list-none items-center gap-1.5 rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 shadow-xs hover:bg-zinc-50 [&::-webkit-details-marker]:hidden"
      >
        Columns
        <span aria-hidden="true" className="text-xs text-zinc-500">
          ▾
        </span>
      </summary>
      <div className="absolute right-0 z-10 mt-1 w-72 rounded-md border border-zinc-200 bg-white p-3 shadow-lg">
        <fieldset>
          <legend className="mb-1 text-xs font-semibold tracking-wide text-zinc-500 uppercase">Columns, in order</legend>
          <p className="mb-2 text-xs text-zinc-500">Tick to show; move up or down (or drag) to reorder.</p>
          <ul className="space-y-0.5">
            {fixed ? (
              <li className="flex items-center gap-2 px-1 py-1 text-sm text-zinc-500">
                <input type="checkbox" checked disabled className="size-4" id={`${prefix}-fixed`} />
                <label htmlFor={`${prefix}-fixed`}>{fixed} (always first)</label>
              </li>
            ) : null}
            {all.map((c) => {
              const position = visible.indexOf(c.id);
              const shown = position >= 0;
              return (
                <li
                  key={c.id}
                  data-testid="column-choice"
                  data-column={c.id}
                  draggable={shown}
                  onDragStart={(e) => {
                    setDragged(c.id);
                    e.dataTransfer.effectAllowed = 'move';
                  }}
                  onDragOver={(e) => {
                    if (dragged && shown) e.preventDefault();
                  }}
                  onDrop={(e) => {
                    e.preventDefault();
                    if (dragged && dragged !== c.id && shown) move(dragged, position);
                    setDragged(null);
                  }}
                  onDragEnd={() => setDragged(null)}
                  className={`flex items-center gap-2 rounded px-1 py-1 text-sm text-zinc-800 ${shown ? 'cursor-grab' : ''} ${dragged === c.id ? 'bg-blue-50' : ''}`}
                >
                  <input type="checkbox" id={`${prefix}-${c.id}`} className="size-4 accent-blue-700" checked={shown} onChange={(e) => toggle(c.id, e.target.checked)} />
                  <label htmlFor={`${prefix}-${c.id}`} className={`flex-1 ${shown ? '' : 'text-zinc-500'}`}>
                    {c.label}
                  </label>
                  <button
                    type="button"
                    id={buttonId(c.id, 'up')}
                    aria-label={`Move ${c.label} up`}
                    disabled={!shown || position === 0}
                    onClick={() => {
                      move(c.id, position - 1);
                      setFocusAfterMove({ id: c.id, direction: 'up' });
                    }}
                    className="rounded px-1.5 text-zinc-600 hover:bg-zinc-100 disabled:text-zinc-300"
                  >
                    <span aria-hidden="true">↑</span>
                  </button>
                  <button
                    type="button"
                    id={buttonId(c.id, 'down')}
                    aria-label={`Move ${c.label} down`}
                    disabled={!shown || position === visible.length - 1}
                    onClick={() => {
                      move(c.id, position + 1);
                      setFocusAfterMove({ id: c.id, direction: 'down' });
                    }}
                    className="rounded px-1.5 text-zinc-600 hover:bg-zinc-100 disabled:text-zinc-300"
                  >
                    <span aria-hidden="true">↓</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </fieldset>
        <button type="button" className="mt-3 rounded text-xs font-medium text-blue-700 hover:underline disabled:text-zinc-400 disabled:no-underline" disabled={isDefault} onClick={reset}>
          Reset to default
        </button>
        <p aria-live="polite" className="mt-1 min-h-4 text-xs text-zinc-500">
          {status}
        </p>
      </div>
    </details>
  );
}
