// Account settings, one tab per kind of configuration. Tabs are links
// (/settings/<tab>) so each tab has its own URL and the back button works.
import { Link } from '../shell/router';
import { NotFound } from '../shell/NotFound';
import { usePageTitle } from '../ui/hooks';
import { ApiKeysTab } from './ApiKeysTab';
import { CustomFieldsTab } from './CustomFieldsTab';
import { PipelinesTab } from './PipelinesTab';
import { TagsTab } from './TagsTab';
import { TeamTab } from './TeamTab';
import './settings.css';

const TABS = [
  { id: 'custom-fields', label: 'Custom fields', Component: CustomFieldsTab },
  { id: 'tags', label: 'Tags', Component: TagsTab },
  { id: 'pipelines', label: 'Pipelines', Component: PipelinesTab },
  { id: 'team', label: 'Team', Component: TeamTab },
  { id: 'api-keys', label: 'API keys', Component: ApiKeysTab },
] as const;

export default function SettingsPage({ params }: { params: Record<string, string> }) {
  const tab = TABS.find((t) => t.id === (params.tab ?? 'custom-fields'));
  usePageTitle(tab ? `${tab.label} · Settings` : 'Settings');
  if (!tab) return <NotFound />;
  const { Component } = tab;
  return (
    <div className="page settings-page">
      <div className="page-header">
        <div className="page-title">
          <h1>Settings</h1>
          <p>Configure how this account stores and organises its data.</p>
        </div>
      </div>
      <nav className="tabs" aria-label="Settings sections">
        {TABS.map((t) => (
          <Link key={t.id} to={`/settings/${t.id}`} className="tab" aria-current={t.id === tab.id ? 'page' : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      <Component />
    </div>
  );
}
