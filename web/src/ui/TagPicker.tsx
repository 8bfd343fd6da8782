// Type a tag name, pick an existing tag from the suggestions or press Enter to
// create a new one. Tags are sent to the API by name (created if new).
import { useMemo, useState } from 'react';
import type { Tag } from '../api/types';
import { Combobox } from './Combobox';
import { TagChip } from './components';
import { Icon } from './icons';

type Option = { kind: 'tag'; tag: Tag } | { kind: 'create'; name: string };

export function TagPicker({
  allTags,
  exclude,
  onAdd,
  id,
  label = 'Add tag',
  disabled,
}: {
  allTags: Tag[];
  /** Names already applied (case-insensitive); hidden from suggestions. */
  exclude: string[];
  onAdd: (name: string) => void;
  id?: string;
  label?: string;
  disabled?: boolean;
}) {
  const [text, setText] = useState('');
  const excluded = useMemo(() => new Set(exclude.map((n) => n.toLowerCase())), [exclude]);

  const options = useMemo<Option[]>(() => {
    const q = text.trim().toLowerCase();
    const matches = allTags
      .filter((t) => !excluded.has(t.name.toLowerCase()))
      .filter((t) => !q || t.name.toLowerCase().includes(q))
      .sort((a, b) => {
        // Prefix matches first, then alphabetical.
        const ap = a.name.toLowerCase().startsWith(q) ? 0 : 1;
        const bp = b.name.toLowerCase().startsWith(q) ? 0 : 1;
        return ap - bp || a.name.localeCompare(b.name);
      })
      .slice(0, 8)
      .map((tag): Option => ({ kind: 'tag', tag }));
    const exact = allTags.some((t) => t.name.toLowerCase() === q);
    if (q && !exact && !excluded.has(q)) matches.push({ kind: 'create', name: text.trim() });
    return matches;
  }, [allTags, excluded, text]);

  const add = (name: string) => {
    const trimmed = name.trim();
    if (!trimmed || excluded.has(trimmed.toLowerCase())) {
      setText('');
      return;
    }
    onAdd(trimmed);
    setText('');
  };

  return (
    <Combobox<Option>
      id={id}
      aria-label={id ? undefined : label}
      placeholder="Add a tag…"
      className="input input-sm"
      value={text}
      onValueChange={setText}
      options={options}
      getKey={(o) => (o.kind === 'tag' ? o.tag.id : `create:${o.name}`)}
      renderOption={(o) =>
        o.kind === 'tag' ? (
          <TagChip name={o.tag.name} color={o.tag.color} />
        ) : (
          <>
            <Icon name="plus" />
            <span>
              Create tag <strong>“{o.name}”</strong>
            </span>
          </>
        )
      }
      onPick={(o) => add(o.kind === 'tag' ? o.tag.name : o.name)}
      onEnterText={add}
      disabled={disabled}
    />
  );
}
