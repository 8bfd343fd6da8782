// A button that opens a small action menu (WAI-ARIA menu button pattern:
// arrow keys move between items, Escape closes and returns focus).
import { Fragment, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useDismiss } from './hooks';
import { Icon } from './icons';

export interface MenuAction {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  icon?: ReactNode;
  separatorBefore?: boolean;
}

export function Menu({ label, actions, trigger }: { label: string; actions: MenuAction[]; trigger?: ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const ref = useDismiss<HTMLDivElement>(open, () => setOpen(false));

  useEffect(() => {
    if (open) listRef.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
  }, [open]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const items = Array.from(listRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      items[(index + 1) % items.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      items[(index - 1 + items.length) % items.length]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(false);
      buttonRef.current?.focus();
    } else if (e.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <div className="menu" ref={ref}>
      <button
        ref={buttonRef}
        type="button"
        className="btn btn-ghost btn-icon btn-sm"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={label}
        title={label}
        onClick={() => setOpen((o) => !o)}
      >
        {trigger ?? <Icon name="more" />}
      </button>
      {open && (
        <div id={id} ref={listRef} className="menu-list" role="menu" aria-label={label} onKeyDown={onKeyDown}>
          {actions.map((a) => (
            <Fragment key={a.label}>
              {a.separatorBefore && <hr className="menu-separator" />}
              <button
                type="button"
                role="menuitem"
                className={`menu-item${a.danger ? ' danger' : ''}`}
                onClick={() => {
                  setOpen(false);
                  buttonRef.current?.focus();
                  a.onSelect();
                }}
              >
                {a.icon}
                {a.label}
              </button>
            </Fragment>
          ))}
        </div>
      )}
    </div>
  );
}
