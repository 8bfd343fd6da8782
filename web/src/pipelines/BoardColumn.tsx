import { useState, type DragEvent } from 'react';
import type { Opportunity, OpportunityStatus, Stage } from '../api/types';
import { formatMoney, sumMoney } from '../ui/format';
import { DRAG_TYPE } from './dnd';
import { OpportunityCard } from './OpportunityCard';

export function BoardColumn({
  stage,
  stages,
  items,
  loading,
  onMove,
  onDropId,
  onStatus,
  onDelete,
}: {
  stage: Stage;
  stages: Stage[];
  items: Opportunity[];
  loading: boolean;
  onMove: (opp: Opportunity, stageId: string) => void;
  /** A card was dropped on this column (by id: the drag may come from another column). */
  onDropId: (id: string, stageId: string) => void;
  onStatus: (opp: Opportunity, status: OpportunityStatus) => void;
  onDelete: (opp: Opportunity) => void;
}) {
  const [over, setOver] = useState(false);
  const total = sumMoney(items.map((o) => o.value));
  const headingId = `stage-${stage.id}`;

  const accepts = (e: DragEvent) => e.dataTransfer.types.includes(DRAG_TYPE) || e.dataTransfer.types.includes('text/plain');

  return (
    <section
      className={`board-column${over ? ' is-over' : ''}`}
      aria-labelledby={headingId}
      data-stage-id={stage.id}
      onDragOver={(e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        if (!over) setOver(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const id = e.dataTransfer.getData(DRAG_TYPE) || e.dataTransfer.getData('text/plain');
        if (id) onDropId(id, stage.id);
      }}
    >
      <header className="board-column-header">
        <div className="row">
          <h2 id={headingId}>{stage.name}</h2>
          <span className="board-count">
            <span aria-hidden="true">{items.length}</span>
            <span className="sr-only">{items.length} opportunities</span>
          </span>
        </div>
        <span className="board-column-total" data-testid="column-total">
          {formatMoney(total)}
        </span>
      </header>
      <ul className="board-cards" aria-label={`${stage.name} opportunities`}>
        {loading ? (
          <li className="opp-card opp-card-skeleton" aria-hidden="true">
            <span className="skeleton" style={{ width: '70%' }} />
            <span className="skeleton" style={{ width: '40%', height: 10 }} />
          </li>
        ) : items.length === 0 ? (
          <li className="board-empty">Drop opportunities here</li>
        ) : (
          items.map((o) => <OpportunityCard key={o.id} opp={o} stages={stages} onMove={onMove} onStatus={onStatus} onDelete={onDelete} />)
        )}
      </ul>
    </section>
  );
}
