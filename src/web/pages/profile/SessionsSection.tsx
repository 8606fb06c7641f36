import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { forgetSession } from '../../api/session.ts';
import { Button } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { Section } from '../../components/Section.tsx';

export function SessionsSection() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [asking, setAsking] = useState(false);
  const everywhere = useMutation({
    mutationFn: () => api.post<{ sessionsEnded: number }>('/api/me/sign-out-everywhere'),
    onSuccess: async () => {
      forgetSession(queryClient);
      await navigate({ to: '/sign-in' });
    },
  });
  return (
    <Section title="Sessions" description="Ends every session of your account on every device, this one included. API tokens keep working.">
      <Button variant="danger" onClick={() => setAsking(true)}>
        Sign out everywhere
      </Button>
      <ConfirmDialog
        open={asking}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        danger
        busy={everywhere.isPending}
        error={everywhere.error}
        onConfirm={() => everywhere.mutate()}
        onCancel={() => setAsking(false)}
      >
        Every browser where you are signed in, including this one, goes back to the sign-in page.
      </ConfirmDialog>
    </Section>
  );
}
