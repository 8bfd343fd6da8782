import { useState } from 'react';
import { contacts as contactsApi } from '../api/endpoints';
import type { Contact, Tag } from '../api/types';
import { TagChip } from '../ui/components';
import { useToast } from '../ui/feedback';
import { TagPicker } from '../ui/TagPicker';

export function ContactTags({ contact, allTags, onChange }: { contact: Contact; allTags: Tag[]; onChange: (c: Contact) => void }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<Contact>, success: string) => {
    setBusy(true);
    try {
      onChange(await action());
      toast.success(success);
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card tags-card" aria-labelledby="tags-title">
      <div className="card-header">
        <h2 id="tags-title">Tags</h2>
      </div>
      <div className="card-body">
        {contact.tags.length > 0 ? (
          <ul className="chip-list" aria-label="Applied tags" style={{ listStyle: 'none', padding: 0, margin: '0 0 10px' }}>
            {contact.tags.map((t) => (
              <li key={t.id}>
                <TagChip name={t.name} color={t.color} onRemove={() => run(() => contactsApi.removeTag(contact.id, t.id), `Removed tag ${t.name}`)} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="subtle" style={{ marginBottom: 10 }}>
            No tags yet.
          </p>
        )}
        <label htmlFor="contact-add-tag" className="sr-only">
          Add tag
        </label>
        <TagPicker
          id="contact-add-tag"
          allTags={allTags}
          exclude={contact.tags.map((t) => t.name)}
          disabled={busy}
          onAdd={(name) => run(() => contactsApi.addTags(contact.id, [name]), `Added tag ${name}`)}
        />
      </div>
    </section>
  );
}
