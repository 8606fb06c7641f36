import { useState } from 'react';
import { Notice } from '../../components/Alert.tsx';
import { ChangePasswordForm } from '../../components/ChangePasswordForm.tsx';
import { Section } from '../../components/Section.tsx';

export function PasswordSection({ hasPassword }: { hasPassword: boolean }) {
  const [changed, setChanged] = useState(false);
  if (!hasPassword) {
    return (
      <Section title="Password">
        <p className="text-sm text-zinc-600">You sign in with Microsoft Entra ID; your password is managed there.</p>
      </Section>
    );
  }
  return (
    <Section title="Password" description="Changing your password signs out your other sessions.">
      {changed ? <Notice className="mb-4">Password changed. Your other sessions were signed out.</Notice> : null}
      <ChangePasswordForm onChanged={() => setChanged(true)} />
    </Section>
  );
}
