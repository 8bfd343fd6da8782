// Settings → Branding (agency owners and admins): the logos, name, colours,
// support address and custom CSS the agency's clients see, with a live preview
// that follows the form as it is typed, before anything is saved. Logos are
// stored as soon as they are chosen; the text settings when "Save" is pressed.
// Loaded as its own chunk: nobody else downloads it.
import { useRef, useState, type CSSProperties, type DragEvent, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { branding as api } from '../api/endpoints';
import type { AgencyBranding, BrandAssetKind } from '../api/types';
import { applyBranding } from '../ui/branding';
import { ErrorAlert, Field, Loading, Spinner } from '../ui/components';
import { useToast } from '../ui/feedback';
import { useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import './branding.css';

const DEFAULT_PRIMARY = '#4f46e5';
const DEFAULT_SECONDARY = '#0ea5e9';
const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

interface FormState {
  app_name: string;
  primary_color: string;
  secondary_color: string;
  support_email: string;
  custom_css: string;
}

const toForm = (b: AgencyBranding): FormState => ({
  app_name: b.app_name ?? '',
  primary_color: b.primary_color ?? '',
  secondary_color: b.secondary_color ?? '',
  support_email: b.support_email ?? '',
  custom_css: b.custom_css ?? '',
});

const expand = (hex: string) => (hex.length === 4 ? `#${hex[1]}${hex[1]}${hex[2]}${hex[2]}${hex[3]}${hex[3]}` : hex).toLowerCase();

/** WCAG 2 contrast ratio of a colour against white. */
export function contrastWithWhite(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(expand(hex).slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return 1.05 / (luminance + 0.05);
}

/** Pushes the saved brand to the whole app at once (colours, logo, title, custom CSS). */
function refreshAppBranding() {
  api.current().then(applyBranding, () => undefined);
}

export default function BrandingTab() {
  const settings = useResource((signal) => api.settings(signal), []);
  if (settings.error) return <ErrorAlert error={settings.error} onRetry={settings.reload} />;
  if (!settings.data) return <Loading />;
  return <BrandingEditor initial={settings.data} onChange={settings.setData} />;
}

function BrandingEditor({ initial, onChange }: { initial: AgencyBranding; onChange: (b: AgencyBranding) => void }) {
  const toast = useToast();
  const [form, setForm] = useState<FormState>(() => toForm(initial));
  const [saved, setSaved] = useState<FormState>(() => toForm(initial));
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key]) setErrors(({ [key]: _, ...rest }) => rest);
  };
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);

  const localErrors: Record<string, string> = {};
  for (const key of ['primary_color', 'secondary_color'] as const) {
    if (form[key].trim() && !HEX.test(form[key].trim())) localErrors[key] = 'Use a hex colour such as #3B82F6.';
  }

  const onSave = async (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(localErrors).length) return;
    setBusy(true);
    setProblem(null);
    setErrors({});
    const blank = (v: string) => (v.trim() === '' ? null : v.trim());
    try {
      const res = await api.save({
        app_name: blank(form.app_name),
        primary_color: blank(form.primary_color),
        secondary_color: blank(form.secondary_color),
        support_email: blank(form.support_email),
        custom_css: form.custom_css.trim() === '' ? null : form.custom_css,
      });
      const next = toForm(res);
      setForm(next);
      setSaved(next);
      setWarnings(res.warnings);
      onChange(res);
      refreshAppBranding();
      toast.success('Branding saved');
    } catch (err) {
      if (err instanceof ApiError && err.problem.errors?.length) {
        const byField: Record<string, string[]> = {};
        for (const fe of err.problem.errors) {
          byField[fe.field] ??= [];
          byField[fe.field].push(fe.message);
        }
        setErrors(byField);
      }
      setProblem(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const primary = HEX.test(form.primary_color.trim()) ? expand(form.primary_color.trim()) : DEFAULT_PRIMARY;
  const secondary = HEX.test(form.secondary_color.trim()) ? expand(form.secondary_color.trim()) : DEFAULT_SECONDARY;
  const ratio = contrastWithWhite(primary);
  const fieldError = (key: string) => localErrors[key] ?? errors[key]?.join(' ');

  return (
    <div className="branding-tab">
      <div className="settings-section-header">
        <div>
          <h2>Branding</h2>
          <p>Your clients see this name, logo and colours on your custom domain, on the sign-in page and inside their accounts.</p>
        </div>
      </div>
      <div className="branding-layout">
        <div className="branding-main">
          <section className="card" aria-labelledby="brand-assets-title">
            <div className="card-header">
              <h2 id="brand-assets-title">Logos and favicon</h2>
            </div>
            <div className="card-body brand-asset-grid">
              {(['logo_light', 'logo_dark', 'favicon'] as const).map((kind) => (
                <AssetSlot key={kind} kind={kind} branding={initial} onChange={onChange} />
              ))}
            </div>
          </section>

          <form className="card" onSubmit={onSave} aria-labelledby="brand-settings-title" noValidate>
            <div className="card-header">
              <h2 id="brand-settings-title">Name, colours and support</h2>
            </div>
            <div className="card-body brand-form">
              {problem && (
                <div className="alert" role="alert">
                  <Icon name="alert" />
                  <span>{problem}</span>
                </div>
              )}
              {warnings.length > 0 && (
                <div className="alert alert-warning" role="status">
                  <Icon name="alert" />
                  <span>{warnings.join(' ')}</span>
                </div>
              )}
              <Field label="App name" error={fieldError('app_name')} hint="Shown in the browser tab, the sidebar and the sign-in page. Empty means “CRM”.">
                {(p) => (
                  <input {...p} className="input" maxLength={60} placeholder="CRM" value={form.app_name} onChange={(e) => set('app_name', e.target.value)} />
                )}
              </Field>
              <div className="brand-colors">
                <ColorField
                  label="Primary colour"
                  hint="Buttons and links"
                  value={form.primary_color}
                  fallback={DEFAULT_PRIMARY}
                  error={fieldError('primary_color')}
                  onChange={(v) => set('primary_color', v)}
                />
                <ColorField
                  label="Secondary colour"
                  hint="Accents"
                  value={form.secondary_color}
                  fallback={DEFAULT_SECONDARY}
                  error={fieldError('secondary_color')}
                  onChange={(v) => set('secondary_color', v)}
                />
              </div>
              {ratio < 4.5 && (
                <div className="alert alert-warning" role="status" data-testid="contrast-warning">
                  <Icon name="alert" />
                  <span>
                    White text on {primary} has a contrast of {ratio.toFixed(1)}:1; buttons and links need at least 4.5:1 to be easy to read (WCAG AA).
                    {ratio < 3 ? ' Many people will struggle to read it.' : ''} Pick a darker primary colour.
                  </span>
                </div>
              )}
              <Field label="Support email" error={fieldError('support_email')} hint="Shown on the sign-in page and in the app's help link.">
                {(p) => (
                  <input
                    {...p}
                    className="input"
                    type="email"
                    placeholder="support@youragency.com"
                    value={form.support_email}
                    onChange={(e) => set('support_email', e.target.value)}
                  />
                )}
              </Field>
              <Field
                label="Custom CSS"
                error={fieldError('custom_css')}
                hint="Applies inside the app and the sign-in pages, after saving. @import, url() to other sites, expression() and !important are not accepted; url() may use your uploaded logos' /brand-assets/ paths."
              >
                {(p) => (
                  <textarea
                    {...p}
                    className="textarea mono brand-css"
                    rows={8}
                    spellCheck={false}
                    placeholder=".btn-primary { border-radius: 20px; }"
                    value={form.custom_css}
                    onChange={(e) => set('custom_css', e.target.value)}
                  />
                )}
              </Field>
            </div>
            <div className="card-footer">
              {dirty && <span className="subtle spacer">Unsaved changes</span>}
              <button type="button" className="btn" disabled={!dirty || busy} onClick={() => setForm(saved)}>
                Discard
              </button>
              <button type="submit" className="btn btn-primary" disabled={busy || Object.keys(localErrors).length > 0}>
                {busy && <Spinner />}
                Save branding
              </button>
            </div>
          </form>
        </div>

        <BrandPreview form={form} primary={primary} secondary={secondary} branding={initial} />
      </div>
    </div>
  );
}

function ColorField({
  label,
  hint,
  value,
  fallback,
  error,
  onChange,
}: {
  label: string;
  hint: string;
  value: string;
  fallback: string;
  error?: string;
  onChange: (v: string) => void;
}) {
  const valid = HEX.test(value.trim());
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => (
        <div className="color-input">
          <input
            type="color"
            className="input"
            aria-label={`${label} picker`}
            value={valid ? expand(value.trim()) : fallback}
            onChange={(e) => onChange(e.target.value)}
          />
          <input {...p} className="input mono" placeholder={fallback} value={value} maxLength={7} onChange={(e) => onChange(e.target.value)} />
        </div>
      )}
    </Field>
  );
}

const ASSET_TEXT: Record<BrandAssetKind, { title: string; hint: string; accept: string }> = {
  logo_light: { title: 'Logo for light backgrounds', hint: 'PNG, JPEG, WebP or SVG, up to 1 MB', accept: 'image/png,image/jpeg,image/webp,image/svg+xml' },
  logo_dark: { title: 'Logo for dark backgrounds', hint: 'Used when the device is in dark mode', accept: 'image/png,image/jpeg,image/webp,image/svg+xml' },
  favicon: { title: 'Favicon', hint: 'PNG, ICO or SVG, up to 256 KB, square', accept: 'image/png,image/x-icon,image/vnd.microsoft.icon,image/svg+xml,.ico' },
};

function AssetSlot({ kind, branding, onChange }: { kind: BrandAssetKind; branding: AgencyBranding; onChange: (b: AgencyBranding) => void }) {
  const toast = useToast();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const asset = branding.assets[kind];
  const text = ASSET_TEXT[kind];

  const send = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const res = await api.upload(kind, file);
      onChange(res.branding);
      if (res.removed.length) setNotice(`Removed from the SVG for safety: ${res.removed.join(', ')}.`);
      refreshAppBranding();
      toast.success(`${text.title} uploaded`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  const remove = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      onChange(await api.remove(kind));
      refreshAppBranding();
      toast.success(`${text.title} removed`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void send(e.dataTransfer.files[0]);
  };

  return (
    <fieldset className="plain-fieldset brand-asset" aria-labelledby={`asset-${kind}`}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping a file is a pointer shortcut; the Upload button beside it does the same from the keyboard. */}
      <div
        className={`brand-drop brand-drop-${kind}${dragging ? ' is-dragging' : ''}`}
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => e.preventDefault()}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid={`drop-${kind}`}
      >
        {asset ? <img src={asset.url} alt={`Current ${text.title.toLowerCase()}`} /> : <span className="brand-drop-empty">Drop an image here</span>}
        {busy && (
          <span className="brand-drop-busy">
            <Spinner />
          </span>
        )}
      </div>
      <div className="brand-asset-text">
        <strong id={`asset-${kind}`}>{text.title}</strong>
        <span className="subtle">{asset ? `${asset.width ?? '?'}×${asset.height ?? '?'} px · ${Math.ceil(asset.bytes / 1024)} KB` : text.hint}</span>
      </div>
      <div className="brand-asset-actions">
        <input
          ref={input}
          type="file"
          className="sr-only"
          accept={text.accept}
          aria-label={`${text.title} file`}
          tabIndex={-1}
          onChange={(e) => void send(e.target.files?.[0])}
        />
        <button type="button" className="btn btn-sm" disabled={busy} onClick={() => input.current?.click()}>
          {asset ? 'Replace' : 'Upload'}
          <span className="sr-only"> {text.title.toLowerCase()}</span>
        </button>
        {asset && (
          <button type="button" className="btn btn-sm btn-danger-ghost" disabled={busy} onClick={() => void remove()}>
            Remove<span className="sr-only"> {text.title.toLowerCase()}</span>
          </button>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="brand-asset-notice" role="status">
          {notice}
        </p>
      )}
    </fieldset>
  );
}

/** The chosen branding on a mock app header, page and sign-in card, updated as the form changes. */
function BrandPreview({ form, primary, secondary, branding }: { form: FormState; primary: string; secondary: string; branding: AgencyBranding }) {
  const name = form.app_name.trim() || 'CRM';
  const style = { '--color-primary': primary, '--color-secondary': secondary } as CSSProperties;
  const logo = (dark: boolean) => {
    const url = dark ? (branding.logo_dark_url ?? branding.logo_light_url) : (branding.logo_light_url ?? branding.logo_dark_url);
    return url ? <img className="preview-logo" src={url} alt="" /> : <span className="preview-glyph" aria-hidden="true" />;
  };
  return (
    <aside className="branding-preview card" aria-label="Live preview" data-testid="brand-preview" style={style}>
      <div className="card-header">
        <h2>Live preview</h2>
        <span className="subtle">Not saved yet</span>
      </div>
      <div className="preview-body">
        <div className="preview-app">
          <div className="preview-header">
            {logo(false)}
            {/* A logo carries the name; the app name still names the page (and the browser tab). */}
            <span className={`preview-name${(branding.logo_light_url ?? branding.logo_dark_url) ? ' sr-only' : ''}`} data-testid="preview-app-name">
              {name}
            </span>
            <span className="preview-nav">
              <span className="is-active">Contacts</span>
              <span>Opportunities</span>
            </span>
          </div>
          <div className="preview-page">
            <span className="preview-tab-title" aria-hidden="true">
              Contacts · {name}
            </span>
            <strong>Good morning</strong>
            <p>
              3 new leads today.{' '}
              {/* biome-ignore lint/a11y/useValidAnchor: a sample link in the live preview, there to show the brand's link colour; following it would leave the unsaved settings. */}
              <a href="#preview" onClick={(e) => e.preventDefault()}>
                View them
              </a>
            </p>
            <div className="preview-actions">
              <button type="button" className="btn btn-primary btn-sm" tabIndex={-1}>
                Add contact
              </button>
              <span className="preview-accent">New</span>
            </div>
          </div>
        </div>
        <div className="preview-login">
          <div className="preview-login-card">
            <div className="preview-login-brand">
              {logo(false)}
              {!(branding.logo_light_url ?? branding.logo_dark_url) && <span>{name}</span>}
            </div>
            <strong>Welcome back</strong>
            <span className="preview-input" />
            <span className="preview-input" />
            <span className="preview-button">Sign in</span>
            {form.support_email.trim() && <span className="preview-support">Need help? {form.support_email.trim()}</span>}
          </div>
          <div className="preview-login-card is-dark">
            <div className="preview-login-brand">
              {logo(true)}
              {!(branding.logo_dark_url ?? branding.logo_light_url) && <span>{name}</span>}
            </div>
            <span className="preview-caption">Dark mode</span>
            <span className="preview-button">Sign in</span>
          </div>
        </div>
      </div>
    </aside>
  );
}
