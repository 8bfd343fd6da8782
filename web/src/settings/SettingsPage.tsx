// Account settings, one tab per kind of configuration. Tabs are links
// (/settings/<tab>) so each tab has its own URL and the back button works.
import { lazy, Suspense, type ComponentType } from 'react';
import { useSession } from '../auth/SessionProvider';
import type { Me } from '../api/types';
import { Link } from '../shell/router';
import { NotFound } from '../shell/NotFound';
import { Loading } from '../ui/components';
import { usePageTitle } from '../ui/hooks';
import { ApiKeysTab } from './ApiKeysTab';
import { CustomFieldsTab } from './CustomFieldsTab';
import { PipelinesTab } from './PipelinesTab';
import { TagsTab } from './TagsTab';
import { TeamTab } from './TeamTab';
import './settings.css';

// Branding is its own chunk: only agency owners and admins ever load it.
const BrandingTab = lazy(() => import('./BrandingTab'));

const canBrand = (me: Me | null) => me?.account.kind === 'agency' && (me.role === 'owner' || me.role === 'admin');

const TABS: { id: string; label: string; Component: ComponentType; visible?: (me: Me | null) => boolean }[] = [
  { id: 'custom-fields', label: 'Custom fields', Component: CustomFieldsTab },
  { id: 'tags', label: 'Tags', Component: TagsTab },
  { id: 'pipelines', label: 'Pipelines', Component: PipelinesTab },
  { id: 'team', label: 'Team', Component: TeamTab },
  { id: 'api-keys', label: 'API keys', Component: ApiKeysTab },
  { id: 'branding', label: 'Branding', Component: BrandingTab, visible: canBrand },
];

export default function SettingsPage({ params }: { params: Record<string, string> }) {
  const { me } = useSession();
  const tabs = TABS.filter((t) => !t.visible || t.visible(me));
  const tab = tabs.find((t) => t.id === (params.tab ?? 'custom-fields'));
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
        {tabs.map((t) => (
          <Link key={t.id} to={`/settings/${t.id}`} className="tab" aria-current={t.id === tab.id ? 'page' : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      <Suspense fallback={<Loading />}>
        <Component />
      </Suspense>
    </div>
  );
}
