import { EmptyState } from '../ui/components';
import { usePageTitle } from '../ui/hooks';
import { Link } from './router';

export function NotFound() {
  usePageTitle('Not found');
  return (
    <div className="page">
      <EmptyState
        icon="alert"
        title="Page not found"
        action={
          <Link className="btn btn-primary" to="/contacts">
            Go to contacts
          </Link>
        }
      >
        The page you were looking for does not exist or was moved.
      </EmptyState>
    </div>
  );
}
