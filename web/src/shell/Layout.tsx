// The signed-in frame: sidebar navigation with the brand and the account
// switcher, an impersonation bar when acting inside someone else's account, a
// banner when the account's payments are in trouble, and the page.
//
// The impersonation bar is platform chrome: it sits outside .brand-scope, the
// element the agency's custom CSS is confined to, so no branded rule can hide
// or restyle it (see ui/theme.css). On the Branding settings page the scope is
// lifted, so a stylesheet that broke the app can always be fixed there.
import { useState, type ReactNode } from 'react';
import { useSession } from '../auth/SessionProvider';
import { BrandMark } from '../ui/BrandMark';
import { useBranding } from '../ui/branding';
import { Avatar, Spinner } from '../ui/components';
import { useToast } from '../ui/feedback';
import { Icon, type IconName } from '../ui/icons';
import { unreadLabel, UnreadNoticesProvider, useUnreadNotices } from '../notifications/UnreadNotices';
import { AccountStandingBanner, AccountStandingProvider } from './AccountStanding';
import { AccountSwitcher } from './AccountSwitcher';
import { Link, useLocation } from './router';
import './shell.css';

interface NavItem {
  to: string;
  label: string;
  icon: IconName;
  match: string;
  /** Shown after the label (a count). */
  Badge?: () => ReactNode;
}

const NAV: NavItem[] = [
  { to: '/contacts', label: 'Contacts', icon: 'users', match: '/contacts' },
  { to: '/pipelines', label: 'Opportunities', icon: 'board', match: '/pipelines' },
  { to: '/wallet', label: 'Wallet', icon: 'wallet', match: '/wallet' },
  { to: '/billing', label: 'Billing', icon: 'receipt', match: '/billing' },
  { to: '/notifications', label: 'Notifications', icon: 'bell', match: '/notifications', Badge: UnreadBadge },
  { to: '/settings/custom-fields', label: 'Settings', icon: 'settings', match: '/settings' },
];

// Shown only inside an agency's own account.
const AGENCY_NAV: NavItem[] = [
  { to: '/agency/clients', label: 'Clients', icon: 'building', match: '/agency/clients' },
  { to: '/agency/margins', label: 'Usage margins', icon: 'chart', match: '/agency/margins' },
  { to: '/agency/plans', label: 'Plans & pricing', icon: 'tag', match: '/agency/plans' },
  { to: '/agency/domain', label: 'Custom domain', icon: 'globe', match: '/agency/domain' },
  { to: '/agency/audit-log', label: 'Audit log', icon: 'activity', match: '/agency/audit-log' },
];

/** The unread count beside Notifications in the sidebar. */
function UnreadBadge(): ReactNode {
  const label = unreadLabel(useUnreadNotices());
  if (!label) return null;
  return (
    // An image role lets the badge carry its spoken label ("3 unread") inside the link's name.
    <span className="nav-badge" role="img" aria-label={`${label} unread`}>
      {label}
    </span>
  );
}

function NavLinks({ items, pathname }: { items: NavItem[]; pathname: string }) {
  return items.map(({ to, label, icon, match, Badge }) => (
    <Link key={to} to={to} className="nav-link" aria-current={pathname.startsWith(match) ? 'page' : undefined}>
      <Icon name={icon} size={18} />
      {label}
      {Badge && <Badge />}
    </Link>
  ));
}

function ImpersonationBar() {
  const { me, returnToOwnAccount } = useSession();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  if (!me?.acting_user) return null;
  const onReturn = async () => {
    setBusy(true);
    try {
      await returnToOwnAccount();
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="impersonation-bar" role="status" data-testid="impersonation-bar">
      <Icon name="eye" />
      <span className="impersonation-text">
        You are viewing <strong>{me.account.name}</strong> as <strong>{me.acting_user.name}</strong>
      </span>
      <span aria-hidden="true">—</span>
      <button type="button" className="impersonation-return" onClick={onReturn} disabled={busy}>
        {busy && <Spinner />}
        Return
      </button>
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { me, signOut } = useSession();
  const { pathname } = useLocation();
  const brand = useBranding();
  const [navOpen, setNavOpen] = useState(false);
  // Close the mobile drawer whenever the page changes (set while rendering, so the new page never shows it open).
  const [navPath, setNavPath] = useState(pathname);
  if (navPath !== pathname) {
    setNavPath(pathname);
    setNavOpen(false);
  }
  const branded = !pathname.startsWith('/settings/branding');

  return (
    <UnreadNoticesProvider accountId={me?.account.id}>
      <AccountStandingProvider accountId={me?.account.id}>
        <div className="app-frame">
          <ImpersonationBar />
          <div className={`app-shell${branded ? ' brand-scope' : ''}${navOpen ? ' nav-open' : ''}`}>
            <a className="skip-link" href="#main">
              Skip to content
            </a>
            <header className="mobile-topbar">
              <button
                type="button"
                className="btn btn-ghost btn-icon"
                aria-label="Open navigation"
                aria-expanded={navOpen}
                aria-controls="sidebar"
                onClick={() => setNavOpen(true)}
              >
                <Icon name="menu" size={20} />
              </button>
              <BrandMark size={26} />
              <span className="mobile-account">{me?.account.name}</span>
            </header>
            <div className="sidebar-scrim" onClick={() => setNavOpen(false)} aria-hidden="true" />
            <aside className="sidebar" id="sidebar" aria-label="Main">
              <div className="sidebar-brand">
                <BrandMark size={32} showName />
              </div>
              <div className="sidebar-top">
                <AccountSwitcher />
              </div>
              <nav className="sidebar-nav" aria-label="Primary">
                <NavLinks items={NAV} pathname={pathname} />
                {me?.account.kind === 'agency' && (
                  <>
                    <span className="nav-section-label">Agency</span>
                    <NavLinks items={AGENCY_NAV} pathname={pathname} />
                  </>
                )}
              </nav>
              <div className="sidebar-bottom">
                <a className="nav-link" href="/api/docs" target="_blank" rel="noreferrer">
                  <Icon name="book" size={18} />
                  API docs
                  <Icon name="external" size={13} className="nav-external" />
                </a>
                {brand.support_email && (
                  <a className="nav-link" href={`mailto:${brand.support_email}`}>
                    <Icon name="mail" size={18} />
                    Support
                  </a>
                )}
                {me && (
                  <div className="sidebar-user">
                    <Avatar name={me.user.name || me.user.email} />
                    <div className="sidebar-user-text">
                      <span className="sidebar-user-name">{me.user.name}</span>
                      <span className="sidebar-user-email">{me.user.email}</span>
                    </div>
                    <button type="button" className="btn btn-ghost btn-icon btn-sm" onClick={() => void signOut()} aria-label="Log out" title="Log out">
                      <Icon name="logout" />
                    </button>
                  </div>
                )}
              </div>
            </aside>
            <div className="main-column">
              <AccountStandingBanner canPay={me?.role === 'owner' || me?.role === 'admin'} />
              <main id="main" tabIndex={-1}>
                {children}
              </main>
            </div>
          </div>
        </div>
      </AccountStandingProvider>
    </UnreadNoticesProvider>
  );
}
