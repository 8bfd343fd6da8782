// Small presentational building blocks shared by every screen.
import { useId, type ReactNode, type CSSProperties, type ReactElement } from 'react';
import { errorMessage } from '../api/client';
import { avatarColors, initials } from './format';
import { Icon, type IconName } from './icons';

export function Avatar({ name, size = 'md' }: { name: string; size?: 'sm' | 'md' | 'lg' }) {
  const colors = avatarColors(name);
  return (
    <span className={`avatar avatar-${size}`} style={colors} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

export function TagChip({ name, color, onRemove }: { name: string; color?: string; onRemove?: () => void }) {
  return (
    <span className="chip" style={{ '--chip-color': color || '#64748b' } as CSSProperties}>
      <span className="chip-dot" aria-hidden="true" />
      {name}
      {onRemove && (
        <button type="button" onClick={onRemove} aria-label={`Remove tag ${name}`} title={`Remove ${name}`}>
          <Icon name="x" size={12} />
        </button>
      )}
    </span>
  );
}

export function Spinner({ large, label }: { large?: boolean; label?: string }) {
  const className = `spinner${large ? ' spinner-lg' : ''}`;
  // Only a labelled spinner is announced; a bare one sits beside text that already says what is happening.
  return label ? <span className={className} role="status" aria-label={label} /> : <span className={className} />;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading-block" role="status">
      <Spinner large />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  children,
  action,
  compact,
}: {
  icon?: IconName;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  compact?: boolean;
}) {
  return (
    <div className={`empty-state${compact ? ' empty-state-compact' : ''}`}>
      {icon && !compact && (
        <span className="empty-state-icon">
          <Icon name={icon} size={22} />
        </span>
      )}
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div className="alert" role="alert">
      <Icon name="alert" />
      <div className="spacer">{errorMessage(error)}</div>
      {onRetry && (
        <button type="button" className="btn btn-sm" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/**
 * A labelled form control with hint and error text wired up through
 * aria-describedby / aria-invalid. The control is rendered by the child
 * function, which receives the id and aria attributes to spread on it.
 */
export function Field({
  label,
  error,
  hint,
  className,
  children,
}: {
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  className?: string;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactElement;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && !error && (
        <span id={hintId} className="field-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}
