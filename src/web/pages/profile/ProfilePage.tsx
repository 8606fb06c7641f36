import { useQuery } from '@tanstack/react-query';
import { meQuery } from '../../api/queries.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { PageHeader } from '../../components/Section.tsx';
import { AccountSection } from './AccountSection.tsx';
import { MfaSection } from './MfaSection.tsx';
import { PasswordSection } from './PasswordSection.tsx';
import { SessionsSection } from './SessionsSection.tsx';
import { TokensSection } from './TokensSection.tsx';

export function ProfilePage() {
  const me = useQuery(meQuery);
  return (
    <div>
      <PageHeader title="Profile" description="Your account, how you sign in, and your API tokens." />
      {me.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      <ErrorAlert error={me.error} />
      {me.data ? (
        <div className="space-y-6">
          <AccountSection me={me.data} />
          <PasswordSection hasPassword={me.data.signInMethods.includes('password')} />
          <MfaSection me={me.data} />
          <TokensSection />
          <SessionsSection />
        </div>
      ) : null}
    </div>
  );
}
