// One input per custom field definition, chosen by the field's type. Drafts
// are kept as strings/booleans/arrays while editing and converted to the API's
// value types only on save (toApiValue).
import type { CustomField, CustomFieldValue } from '../api/types';
import { Field } from '../ui/components';
import { moneyToInput, normalizeMoneyInput } from '../ui/format';

export type Draft = string | boolean | string[];

export function toDraft(field: CustomField, value: CustomFieldValue | undefined): Draft {
  switch (field.type) {
    case 'checkbox':
      return value === true || value === 'true';
    case 'multi_option':
      return Array.isArray(value) ? value.map(String) : value ? [String(value)] : [];
    case 'monetary':
      return typeof value === 'string' || typeof value === 'number' ? moneyToInput(String(value)) : '';
    case 'date':
      return typeof value === 'string' ? value.slice(0, 10) : '';
    default:
      return value === null || value === undefined ? '' : String(value);
  }
}

/** Converts a draft to the API value; throws a message for invalid input. */
export function toApiValue(field: CustomField, draft: Draft): CustomFieldValue {
  switch (field.type) {
    case 'checkbox':
      return draft === true;
    case 'multi_option':
      return Array.isArray(draft) ? draft : [];
    case 'number': {
      const s = String(draft).trim();
      if (s === '') return null;
      const n = Number(s);
      if (!Number.isFinite(n)) throw new Error('Enter a number.');
      return n;
    }
    case 'monetary': {
      const s = String(draft).trim();
      if (s === '') return null;
      const money = normalizeMoneyInput(s);
      if (money === null) throw new Error('Enter an amount like 123.45.');
      return money;
    }
    default: {
      const s = String(draft).trim();
      return s === '' ? null : s;
    }
  }
}

export function sameDraft(a: Draft, b: Draft): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x) => b.includes(x));
  return a === b;
}

export function CustomFieldInput({ field, value, onChange, error }: { field: CustomField; value: Draft; onChange: (value: Draft) => void; error?: string }) {
  if (field.type === 'checkbox') {
    return (
      <div className="field">
        <span className="field-label" aria-hidden="true">
          &nbsp;
        </span>
        <label className="check" style={{ height: 36 }}>
          <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          {field.name}
        </label>
        {error && <span className="field-error">{error}</span>}
      </div>
    );
  }

  if (field.type === 'multi_option') {
    const selected = Array.isArray(value) ? value : [];
    return (
      <fieldset className="field span-2" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="field-label" style={{ padding: 0, marginBottom: 6 }}>
          {field.name}
        </legend>
        <div className="checkbox-group">
          {field.options.map((opt) => (
            <label key={opt} className="check">
              <input
                type="checkbox"
                checked={selected.includes(opt)}
                onChange={(e) => onChange(e.target.checked ? [...selected, opt] : selected.filter((o) => o !== opt))}
              />
              {opt}
            </label>
          ))}
          {field.options.length === 0 && <span className="subtle">No options defined.</span>}
        </div>
        {error && <span className="field-error">{error}</span>}
      </fieldset>
    );
  }

  return (
    <Field label={field.name} error={error} hint={field.type === 'monetary' ? 'Amount in USD, e.g. 123.45' : undefined}>
      {(p) => {
        const str = typeof value === 'string' ? value : '';
        const set = (v: string) => onChange(v);
        switch (field.type) {
          case 'single_option':
            return (
              <select {...p} className="select" value={str} onChange={(e) => set(e.target.value)}>
                <option value="">—</option>
                {field.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            );
          case 'number':
            return <input {...p} className="input" type="number" step="any" value={str} onChange={(e) => set(e.target.value)} />;
          case 'date':
            return <input {...p} className="input" type="date" value={str} onChange={(e) => set(e.target.value)} />;
          case 'phone':
            return <input {...p} className="input" type="tel" value={str} onChange={(e) => set(e.target.value)} />;
          case 'email':
            return <input {...p} className="input" type="email" value={str} onChange={(e) => set(e.target.value)} />;
          case 'monetary':
            return <input {...p} className="input" inputMode="decimal" placeholder="0.00" value={str} onChange={(e) => set(e.target.value)} />;
          default:
            return <input {...p} className="input" type="text" value={str} onChange={(e) => set(e.target.value)} />;
        }
      }}
    </Field>
  );
}
