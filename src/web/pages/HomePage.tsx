import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { sessionQuery } from '../api/session.ts';
import { Notice } from '../components/Alert.tsx';
import { PageHeader } from '../components/Section.tsx';

function Card({ to, title, children }: { to: '/profile' | '/admin/operators' | '/admin/settings' | '/audit' | '/tenants' | '/numbers' | '/voice'; title: string; children: ReactNode }) {
  return (
    <Link to={to} className="block rounded-lg border border-zinc-200 bg-white p-4 shadow-xs transition-colors hover:border-blue-300 hover:bg-blue-50/40">
      <span className="block text-sm font-semibold text-zinc-900">{title}</span>
      <span className="mt-1 block text-sm text-zinc-600">{children}</span>
    </Link>
  );
}

export function HomePage() {
  const { data: session } = useQuery(sessionQuery);
  const operator = session?.operator;
  if (!operator) return null;
  const admin = operator.role === 'admin';
  return (
    <div>
      <PageHeader title={`Welcome, ${operator.displayName}`} description="UCR Manager is where you run Teams Phone, 3CX, number inventory and ticket work for your customers." />
      {!operator.mfaEnrolled ? (
        <Notice tone="warning" className="mb-6">
          Your account is protected by a password only. <Link to="/profile" hash="mfa" className="font-medium underline">Set up an authenticator app</Link> in your profile.
        </Notice>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Card to="/numbers" title="Numbers">
          Find, reserve and assign numbers; import and export the inventory.
        </Card>
        <Card to="/voice" title="Voice">
          Teams users' numbers, licences and policies; assign, change and revert.
        </Card>
        <Card to="/tenants" title="Tenants">
          Customers, their ranges, sites and utilisation.
        </Card>
        <Card to="/profile" title="Your profile">
          Display name, password, authenticator app and API tokens.
        </Card>
        {admin ? (
          <>
            <Card to="/admin/operators" title="Operators">
              Invite people, set roles and tenant scope, reset passwords and MFA.
            </Card>
            <Card to="/admin/settings" title="Settings">
              MFA for everyone, sign-in lockout and tenant defaults.
            </Card>
            <Card to="/audit" title="Audit log">
              Every sign-in, change and security event, newest first.
            </Card>
          </>
        ) : null}
      </div>
      <p className="mt-8 text-sm text-zinc-600">3CX and tickets are on their way; they appear in the menu as “soon” until they are ready.</p>
    </div>
  );
}
