import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { signOut } from '../../api/session.ts';

export function SignOutLink() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const out = useMutation({ mutationFn: () => signOut(queryClient), onSettled: () => navigate({ to: '/sign-in' }) });
  return (
    <div className="mt-6 border-t border-zinc-200 pt-4 text-sm">
      <button type="button" onClick={() => out.mutate()} className="rounded text-zinc-600 underline-offset-2 hover:underline">
        Sign out
      </button>
    </div>
  );
}
