import { Link } from '@tanstack/react-router';
import { AuthLayout } from '../../components/AuthLayout.tsx';

/**
 * Where a first Entra ID sign-in lands: the person now exists as a pending operator, with no
 * session, until an admin approves them (Admin › Operators) and picks their role.
 */
export function PendingApprovalPage() {
  return (
    <AuthLayout title="Waiting for approval" description="You signed in with Microsoft, but your UCR Manager account is not active yet.">
      <div className="space-y-3 text-sm text-zinc-700">
        <p>An administrator of UCR Manager must approve your account and choose your role before you can use the app. They see you under Operators, marked “Waiting for approval”.</p>
        <p>Ask your administrator to approve you, then sign in with Microsoft again.</p>
      </div>
      <div className="mt-6 border-t border-zinc-200 pt-4 text-sm">
        <Link to="/sign-in" className="rounded font-medium text-blue-700 underline-offset-2 hover:underline">
          Back to sign-in
        </Link>
      </div>
    </AuthLayout>
  );
}
