// An ordered list of stage names: rename in place, move up/down, add, remove.
// Rows keep the stage id (if saved before) so the API can tell a rename from a new stage.
import type { KeyboardEvent } from 'react';
import { Icon } from '../ui/icons';

export interface StageDraft {
  key: string;
  id?: string;
  name: string;
}

let seq = 0;
export const newStage = (name = '', id?: string): StageDraft => ({ key: `s${++seq}`, id, name });

export function StageEditor({ stages, onChange, label }: { stages: StageDraft[]; onChange: (stages: StageDraft[]) => void; label: string }) {
  const set = (i: number, name: string) => onChange(stages.map((s, j) => (j === i ? { ...s, name } : s)));
  const move = (i: number, by: number) => {
    const next = [...stages];
    const [item] = next.splice(i, 1);
    next.splice(i + by, 0, item);
    onChange(next);
  };
  const remove = (i: number) => onChange(stages.filter((_, j) => j !== i));
  const add = () => onChange([...stages, newStage()]);

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>, i: number) => {
    // Enter on the last stage adds another one, like a list editor.
    if (e.key === 'Enter' && i === stages.length - 1 && e.currentTarget.value.trim()) {
      e.preventDefault();
      add();
      requestAnimationFrame(() => {
        const inputs = e.currentTarget?.closest('ol')?.querySelectorAll('input');
        (inputs?.[inputs.length - 1] as HTMLInputElement | undefined)?.focus();
      });
    }
  };

  return (
    <div>
      <ol className="stage-list" aria-label={label}>
        {stages.map((s, i) => (
          <li key={s.key} className="stage-row">
            <span className="stage-index" aria-hidden="true">
              {i + 1}
            </span>
            <label htmlFor={`stage-${s.key}`} className="sr-only">
              Stage {i + 1} name
            </label>
            <input
              id={`stage-${s.key}`}
              className="input input-sm"
              value={s.name}
              placeholder="Stage name"
              onChange={(e) => set(i, e.target.value)}
              onKeyDown={(e) => onKeyDown(e, i)}
            />
            <button
              type="button"
              className="btn btn-ghost btn-icon btn-sm"
              aria-label={`Move ${s.name || `stage ${i + 1}`} up`}
              title="Move up"
              disabled={i === 0}
              onClick={() => move(i, -1)}
            >
              <Icon name="arrowUp" />
            </button>
            <button
              type="button"
              className="btn btn-ghost btn-icon btn-sm"
              aria-label={`Move ${s.name || `stage ${i + 1}`} down`}
              title="Move down"
              disabled={i === stages.length - 1}
              onClick={() => move(i, 1)}
            >
              <Icon name="arrowDown" />
            </button>
            <button
              type="button"
              className="btn btn-ghost btn-icon btn-sm"
              aria-label={`Remove ${s.name || `stage ${i + 1}`}`}
              title="Remove stage"
              disabled={stages.length <= 1}
              onClick={() => remove(i)}
            >
              <Icon name="x" />
            </button>
          </li>
        ))}
      </ol>
      <button type="button" className="btn btn-sm" onClick={add}>
        <Icon name="plus" />
        Add stage
      </button>
    </div>
  );
}
