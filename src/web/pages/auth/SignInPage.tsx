import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client.ts';
import { gateOf, safeRedirect, signIn } from '../../api/session.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { AuthLayout } from '../../components/AuthLayout.tsx';
import { Button } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';

export function SignInPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const search: { redirect?: string } = useSearch({ strict: false });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () => signIn(queryClient, email, password),
    onSuccess: async (session) => {
      setPassword('');
      const gate = gateOf(session);
      if (gate === '/sign-in/mfa') await navigate({ to: '/sign-in/mfa', search: { redirect: search.redirect } });
      else if (gate) await navigate({ to: gate });
      else await navigate({ href: safeRedirect(search.redirect) });
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  const fieldError = (field: string) => (login.error instanceof ApiError ? login.error.fieldMessage(field) : undefined);

  return (
    <AuthLayout title="Sign in" description="Use the email and password of your UCR Manager account.">
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <TextField label="Email" name="email" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError('email')} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldError('password')}
        />
        <ErrorAlert error={login.error} />
        <Button type="submit" variant="primary" className="w-full" busy={login.isPending}>
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
