import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { gateOf, reloadSession } from '../../api/session.ts';
import { AuthLayout } from '../../components/AuthLayout.tsx';
import { ChangePasswordForm } from '../../components/ChangePasswordForm.tsx';
import { SignOutLink } from './SignOutLink.tsx';

/** First sign-in with a temporary password: nothing else works until it is changed. */
export function ForcedPasswordPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const onChanged = async () => {
    const gate = gateOf(await reloadSession(queryClient));
    await navigate({ to: gate ?? '/' });
  };
  return (
    <AuthLayout title="Choose a new password" description="You signed in with a temporary password. Choose your own password before you continue.">
      <ChangePasswordForm onChanged={onChanged} submitLabel="Save new password" />
      <SignOutLink />
    </AuthLayout>
  );
}
