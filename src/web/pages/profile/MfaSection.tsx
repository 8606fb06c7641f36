import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import { reloadSession } from '../../api/session.ts';
import type { MeDto, RecoveryCodesDto } from '../../api/types.ts';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { RecoveryCodes } from '../../components/RecoveryCodes.tsx';
import { Section } from '../../components/Section.tsx';
import { TotpEnrolment } from '../../components/TotpEnrolment.tsx';

export function MfaSection({ me }: { me: MeDto }) {
  const queryClient = useQueryClient();
  const [enrolling, setEnrolling] = useState(false);
  const [confirmRegenerate, setConfirmRegenerate] = useState(false);
  const [newCodes, setNewCodes] = useState<string[] | null>(null);

  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: keys.me });
    await reloadSession(queryClient);
  };
  const regenerate = useMutation({
    mutationFn: () => api.post<RecoveryCodesDto>('/api/me/mfa/recovery-codes'),
    onSuccess: async (result) => {
      setConfirmRegenerate(false);
      setNewCodes(result.recoveryCodes);
      await queryClient.invalidateQueries({ queryKey: keys.me });
    },
  });

  return (
    <Section id="mfa" title="Two-step verification" description="A code from an authenticator app, asked for after your password.">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="text-zinc-700">Authenticator app:</span>
        {me.mfaEnrolled ? <Badge tone="green">On</Badge> : <Badge tone="amber">Not set up</Badge>}
        {me.mfaEnrolled ? (
          <span className="text-zinc-600" data-testid="recovery-codes-left">
            {me.recoveryCodesLeft} of 10 recovery codes left
          </span>
        ) : null}
      </div>
      <div className="mt-4 flex flex-wrap gap-2">
        {me.mfaEnrolled ? (
          <>
            <Button onClick={() => setConfirmRegenerate(true)}>Replace recovery codes</Button>
            <Button onClick={() => setEnrolling(true)}>Move to a new authenticator</Button>
          </>
        ) : (
          <Button variant="primary" onClick={() => setEnrolling(true)}>
            Set up authenticator app
          </Button>
        )}
      </div>

      <Dialog
        open={enrolling}
        onClose={() => {
          setEnrolling(false);
          void refresh();
        }}
        title="Set up an authenticator app" wide>
        <TotpEnrolment
          email={me.email}
          onCancel={() => setEnrolling(false)}
          onDone={() => {
            setEnrolling(false);
            void refresh();
          }}
        />
      </Dialog>

      <ConfirmDialog
        open={confirmRegenerate}
        title="Replace recovery codes?"
        confirmLabel="Replace codes"
        busy={regenerate.isPending}
        error={regenerate.error}
        onConfirm={() => regenerate.mutate()}
        onCancel={() => {
          setConfirmRegenerate(false);
          regenerate.reset();
        }}
      >
        Your current recovery codes stop working and ten new ones are shown once.
      </ConfirmDialog>

      <Dialog open={newCodes !== null} onClose={() => setNewCodes(null)} title="Your new recovery codes" wide>
        {newCodes ? <RecoveryCodes codes={newCodes} email={me.email} onDone={() => setNewCodes(null)} doneLabel="I saved them" /> : null}
      </Dialog>
    </Section>
  );
}
