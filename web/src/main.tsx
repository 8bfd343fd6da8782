import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SessionProvider } from './auth/SessionProvider';
import { App } from './shell/App';
import { FeedbackProvider } from './ui/feedback';
import './ui/theme.css';

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element to mount the app in');

createRoot(rootElement).render(
  <StrictMode>
    <FeedbackProvider>
      <SessionProvider>
        <App />
      </SessionProvider>
    </FeedbackProvider>
  </StrictMode>,
);
