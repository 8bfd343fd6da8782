// An autocomplete input (WAI-ARIA combobox with a listbox popup). The parent
// owns the text and the options, so it can filter locally or ask the API.
import { useId, useState, type InputHTMLAttributes, type KeyboardEvent, type ReactNode } from 'react';
import { useDismiss } from './hooks';

interface ComboboxProps<T> extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onSelect' | 'value' | 'onChange'> {
  value: string;
  onValueChange: (text: string) => void;
  options: T[];
  getKey: (option: T) => string;
  renderOption: (option: T) => ReactNode;
  onPick: (option: T) => void;
  /** Enter with no highlighted option (e.g. create a new tag from the typed text). */
  onEnterText?: (text: string) => void;
  emptyText?: string;
  loading?: boolean;
}

export function Combobox<T>({
  value,
  onValueChange,
  options,
  getKey,
  renderOption,
  onPick,
  onEnterText,
  emptyText = 'No matches',
  loading,
  className,
  ...inputProps
}: ComboboxProps<T>) {
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const ref = useDismiss<HTMLDivElement>(open, () => setOpen(false));
  const showList = open && (options.length > 0 || (value.trim() !== '' && !onEnterText));

  const pick = (option: T) => {
    onPick(option);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, options.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, -1));
    } else if (e.key === 'Enter') {
      if (open && active >= 0 && options[active]) {
        e.preventDefault();
        pick(options[active]);
      } else if (onEnterText && value.trim()) {
        e.preventDefault();
        onEnterText(value.trim());
        setOpen(false);
      }
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  };

  return (
    <div className="combobox" ref={ref}>
      <input
        {...inputProps}
        className={className ?? 'input'}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
        autoComplete="off"
        value={value}
        onChange={(e) => {
          onValueChange(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKeyDown}
      />
      <div id={listId} role="listbox" className="combobox-list" hidden={!showList}>
        {options.map((o, i) => (
          // Focus stays in the input, which moves through the options with the arrow keys and picks with Enter (aria-activedescendant).
          // biome-ignore lint/a11y/useFocusableInteractive: options are reached through the input's aria-activedescendant, not by tabbing to each one.
          // biome-ignore lint/a11y/useKeyWithClickEvents: the input's onKeyDown handles the keyboard for every option; a click here is the pointer path.
          <div
            key={getKey(o)}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className="combobox-option"
            onMouseDown={(e) => e.preventDefault()}
            onMouseEnter={() => setActive(i)}
            onClick={() => pick(o)}
          >
            {renderOption(o)}
          </div>
        ))}
        {options.length === 0 && <div className="combobox-empty">{loading ? 'Searching…' : emptyText}</div>}
      </div>
    </div>
  );
}
