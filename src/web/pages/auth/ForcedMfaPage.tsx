import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { gateOf, reloadSession, sessionQuery } from '../../api/session.ts';
import { AuthLayout } from '../../components/AuthLayout.tsx';
import { TotpEnrolment } from '../../components/TotpEnrolment.tsx';
import { SignOutLink } from './SignOutLink.tsx';

/** The organisation requires MFA and this operator has none yet. */
export function ForcedMfaPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { data: session } = useQuery(sessionQuery);
  const onDone = async () => {
    const gate = gateOf(await reloadSession(queryClient));
    await navigate({ to: gate ?? '/' });
  };
  return (
    <AuthLayout wide title="Set up two-step verification" description="Your organisation requires an authenticator app for every account. It takes a minute.">
      <TotpEnrolment email={session?.operator?.email ?? ''} onDone={() => void onDone()} />
      <SignOutLink />
    </AuthLayout>
  );
}
