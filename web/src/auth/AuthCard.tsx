// The frame of the sign-in, sign-up and invitation pages: the centred card
// with the brand's mark on top.
import type { ReactNode } from 'react';
import { BrandMark } from '../ui/BrandMark';

export function AuthCard({ children }: { children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="auth-brand">
          <BrandMark size={36} scheme="auto" showName />
        </div>
        {children}
      </div>
    </main>
  );
}
