// Route table. Each screen is its own lazily loaded chunk, so the contacts
// screen never downloads the pipeline board or settings code.
import { lazy, Suspense, useEffect, type ComponentType, type LazyExoticComponent } from 'react';
import { useSession } from '../auth/SessionProvider';
import { ErrorAlert, Loading } from '../ui/components';
import { Layout } from './Layout';
import { NotFound } from './NotFound';
import { matchPath, navigate, useLocation } from './router';

const LoginPage = lazy(() => import('../auth/LoginPage'));
const SignupPage = lazy(() => import('../auth/SignupPage'));
const ForgotPasswordPage = lazy(() => import('../auth/ForgotPasswordPage'));
const ResetPasswordPage = lazy(() => import('../auth/ResetPasswordPage'));
const JoinAccountPage = lazy(() => import('../auth/JoinAccountPage'));
const ConfirmSignupPage = lazy(() => import('../auth/ConfirmSignupPage'));
const ContactsPage = lazy(() => import('../contacts/ContactsPage'));
const ContactPage = lazy(() => import('../contacts/ContactPage'));
const PipelinePage = lazy(() => import('../pipelines/PipelinePage'));
const SettingsPage = lazy(() => import('../settings/SettingsPage'));
const WalletPage = lazy(() => import('../wallet/WalletPage'));
const BillingPage = lazy(() => import('../billing/BillingPage'));
const MarginsPage = lazy(() => import('../agency/MarginsPage'));
const ClientsPage = lazy(() => import('../agency/clients/ClientsPage'));
const NotificationsPage = lazy(() => import('../notifications/NotificationsPage'));
const AuditLogPage = lazy(() => import('../agency/audit/AuditLogPage'));
const DomainPage = lazy(() => import('../agency/domain/DomainPage'));
const PlansPage = lazy(() => import('../agency/pricing/PlansPage'));

type Page = LazyExoticComponent<ComponentType<{ params: Record<string, string> }>>;

const PUBLIC_ROUTES: [string, Page][] = [
  ['/login', LoginPage as Page],
  ['/signup', SignupPage as Page],
  ['/forgot-password', ForgotPasswordPage as Page],
];

/** Pages shown whether or not someone is signed in here: an emailed link may open in a browser with a session. */
const OPEN_ROUTES: [string, Page][] = [
  ['/reset-password', ResetPasswordPage as Page],
  ['/accept-invite', ResetPasswordPage as Page],
  ['/join-account', JoinAccountPage as Page],
  ['/signup/confirm', ConfirmSignupPage as Page],
];

const PRIVATE_ROUTES: [string, Page][] = [
  ['/contacts', ContactsPage as Page],
  ['/contacts/:id', ContactPage],
  ['/pipelines', PipelinePage as Page],
  ['/settings', SettingsPage],
  ['/settings/:tab', SettingsPage],
  ['/wallet', WalletPage as Page],
  ['/billing', BillingPage as Page],
  ['/notifications', NotificationsPage as Page],
  ['/agency/margins', MarginsPage as Page],
  ['/agency/clients', ClientsPage as Page],
  ['/agency/audit-log', AuditLogPage as Page],
  ['/agency/domain', DomainPage as Page],
  ['/agency/plans', PlansPage as Page],
  // Where Stripe Connect onboarding returns (the API's return_url): the plans page.
  ['/agency/billing', PlansPage as Page],
];

function find(routes: [string, Page][], pathname: string) {
  for (const [pattern, page] of routes) {
    const params = matchPath(pattern, pathname);
    if (params) return { Page: page, params };
  }
  return null;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

export function App() {
  const { pathname, href } = useLocation();
  const { signedIn, me, loading, error, reloadMe, signOut } = useSession();

  const openRoute = find(OPEN_ROUTES, pathname);
  const publicRoute = openRoute ?? find(PUBLIC_ROUTES, pathname);
  if (publicRoute) {
    if (signedIn && !openRoute) return <Redirect to="/contacts" />;
    // Sign-in pages are part of the agency's branded app: its custom CSS applies inside .brand-scope.
    return (
      <div className="brand-scope">
        <Suspense fallback={<Loading />}>
          <publicRoute.Page params={publicRoute.params} />
        </Suspense>
      </div>
    );
  }

  if (!signedIn) return <Redirect to={`/login?next=${encodeURIComponent(href)}`} />;
  if (pathname === '/' || pathname === '') return <Redirect to="/contacts" />;

  if (!me) {
    if (loading || !error) return <Loading label="Loading your workspace…" />;
    return (
      <div className="page" style={{ maxWidth: 560 }}>
        <ErrorAlert error={error} onRetry={reloadMe} />
        <p style={{ marginTop: 12 }}>
          <button type="button" className="btn" onClick={() => void signOut()}>
            Sign out
          </button>
        </p>
      </div>
    );
  }

  const route = find(PRIVATE_ROUTES, pathname);
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        {/* Keyed by account so switching accounts remounts the page with fresh data. */}
        {route ? <route.Page key={me.account.id} params={route.params} /> : <NotFound />}
      </Suspense>
    </Layout>
  );
}
