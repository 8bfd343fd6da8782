import { useId, useState } from 'react';
import type { Opportunity, OpportunityStatus, Stage } from '../api/types';
import { Link } from '../shell/router';
import { Avatar, StatusBadge } from '../ui/components';
import { formatMoney } from '../ui/format';
import { Icon } from '../ui/icons';
import { Menu, type MenuAction } from '../ui/Menu';
import { DRAG_TYPE } from './dnd';

export function OpportunityCard({
  opp,
  stages,
  onMove,
  onStatus,
  onDelete,
}: {
  opp: Opportunity;
  stages: Stage[];
  onMove: (opp: Opportunity, stageId: string) => void;
  onStatus: (opp: Opportunity, status: OpportunityStatus) => void;
  onDelete: (opp: Opportunity) => void;
}) {
  const [dragging, setDragging] = useState(false);
  const selectId = useId();

  const actions: MenuAction[] = [
    ...(opp.status !== 'won' ? [{ label: 'Mark won', onSelect: () => onStatus(opp, 'won') }] : []),
    ...(opp.status !== 'lost' ? [{ label: 'Mark lost', onSelect: () => onStatus(opp, 'lost') }] : []),
    ...(opp.status !== 'abandoned' ? [{ label: 'Mark abandoned', onSelect: () => onStatus(opp, 'abandoned') }] : []),
    ...(opp.status !== 'open' ? [{ label: 'Reopen', onSelect: () => onStatus(opp, 'open') }] : []),
    { label: 'Delete', danger: true, separatorBefore: true, onSelect: () => onDelete(opp) },
  ];

  return (
    <li
      className={`opp-card${dragging ? ' is-dragging' : ''} status-${opp.status}`}
      draggable
      data-opportunity-id={opp.id}
      aria-label={opp.name}
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TYPE, opp.id);
        e.dataTransfer.setData('text/plain', opp.id);
        e.dataTransfer.effectAllowed = 'move';
        setDragging(true);
      }}
      onDragEnd={() => setDragging(false)}
    >
      <div className="opp-card-top">
        <span className="opp-name">{opp.name}</span>
        <Menu label={`Actions for ${opp.name}`} actions={actions} />
      </div>
      {opp.contact && (
        <Link to={`/contacts/${opp.contact.id}`} className="opp-contact" draggable={false}>
          <Avatar name={opp.contact.name || '?'} size="sm" />
          <span>{opp.contact.name || 'Unnamed contact'}</span>
        </Link>
      )}
      <div className="opp-card-bottom">
        <span className="opp-value">{formatMoney(opp.value)}</span>
        <StatusBadge status={opp.status} />
      </div>
      <div className="opp-move">
        <label htmlFor={selectId} className="sr-only">
          Move {opp.name} to stage
        </label>
        <Icon name="grip" size={14} className="opp-grip" />
        <select id={selectId} className="select select-sm" value={opp.stage_id} onChange={(e) => onMove(opp, e.target.value)} title="Move to stage">
          {stages.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
    </li>
  );
}
