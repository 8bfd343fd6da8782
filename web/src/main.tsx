import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SessionProvider } from './auth/SessionProvider';
import { App } from './shell/App';
import { FeedbackProvider } from './ui/feedback';
import './ui/theme.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <FeedbackProvider>
      <SessionProvider>
        <App />
      </SessionProvider>
    </FeedbackProvider>
  </StrictMode>,
);
