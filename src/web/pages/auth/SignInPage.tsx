import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client.ts';
import { entraSignInHref, gateOf, providersQuery, safeRedirect, signIn } from '../../api/session.ts';
import { isSignInMessageCode, SIGN_IN_MESSAGES } from '../../../core/sign-in-messages.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { AuthLayout } from '../../components/AuthLayout.tsx';
import { Button } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';

export function SignInPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const search: { redirect?: string; error?: string } = useSearch({ strict: false });
  const providers = useQuery(providersQuery);
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
  // A refused Microsoft sign-in comes back here with a code; the text is ours, never the address bar's.
  const redirectedError = login.isIdle && isSignInMessageCode(search.error) ? SIGN_IN_MESSAGES[search.error] : undefined;

  return (
    <AuthLayout title="Sign in" description="Use the email and password of your UCR Manager account.">
      {redirectedError ? (
        <div role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {redirectedError}
        </div>
      ) : null}
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
      {providers.data?.entra ? (
        <div className="mt-5">
          <div className="mb-5 flex items-center gap-3 text-xs text-zinc-500" aria-hidden="true">
            <span className="h-px flex-1 bg-zinc-200" />
            or
            <span className="h-px flex-1 bg-zinc-200" />
          </div>
          <a
            href={entraSignInHref(search.redirect)}
            className="inline-flex w-full items-center justify-center gap-2 rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 shadow-xs transition-colors hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
          >
            <MicrosoftLogo />
            Sign in with Microsoft
          </a>
        </div>
      ) : null}
    </AuthLayout>
  );
}

function MicrosoftLogo() {
  return (
    <svg aria-hidden="true" viewBox="0 0 21 21" className="size-4">
      <rect x="1" y="1" width="9" height="9" fill="#f25022" />
      <rect x="11" y="1" width="9" height="9" fill="#7fba00" />
      <rect x="1" y="11" width="9" height="9" fill="#00a4ef" />
      <rect x="11" y="11" width="9" height="9" fill="#ffb900" />
    </svg>
  );
}
