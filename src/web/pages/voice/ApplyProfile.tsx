import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { profilesQuery, teamsApi, type VoiceChangeDto } from '../../api/teams.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { ChoiceField, TextField } from '../../components/Field.tsx';
import { TICKET } from '../../lib/inventory.ts';
import { ProfileSummary } from './ProfileSummary.tsx';

/** Apply a saved profile (D4): the next free number from its source and its policies, as one change. */
export function ApplyProfile({ tenantId, userId, disabled, onRequested }: { tenantId: string; userId: string; disabled: boolean; onRequested: (change: VoiceChangeDto) => void }) {
  const profiles = useQuery(profilesQuery(tenantId));
  const [profileId, setProfileId] = useState('');
  const [ticket, setTicket] = useState('');
  const [problem, setProblem] = useState<{ field: 'profile' | 'ticket'; message: string } | null>(null);
  const apply = useMutation({
    mutationFn: () => teamsApi.applyProfile(tenantId, userId, profileId, ticket.trim() || null),
    onSuccess: (change) => {
      setProfileId('');
      setTicket('');
      onRequested(change);
    },
  });
  if (!profiles.data?.length) return null;
  const chosen = profiles.data.find((p) => p.id === profileId);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const next = !profileId ? { field: 'profile' as const, message: 'Choose a profile.' } : ticket.trim() && !TICKET.test(ticket.trim()) ? { field: 'ticket' as const, message: 'A ticket number is digits only, e.g. 48213.' } : null;
    setProblem(next);
    if (!next) apply.mutate();
  };
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Apply a profile" className="space-y-3 rounded-md border border-zinc-200 bg-zinc-50/60 p-4">
      <fieldset disabled={disabled} className="space-y-3">
        <legend className="text-sm font-semibold text-zinc-900">Apply a profile</legend>
        <div className="flex flex-wrap items-start gap-3">
          <ChoiceField label="Profile" name="profileId" value={profileId} onChange={(e) => setProfileId(e.target.value)} error={problem?.field === 'profile' ? problem.message : undefined} className="min-w-56" empty="Choose a profile" choices={profiles.data.map((p) => ({ value: p.id, label: p.name }))} />
          <TextField label="Ticket number (optional)" name="profileTicket" inputMode="numeric" autoComplete="off" value={ticket} onChange={(e) => setTicket(e.target.value)} error={problem?.field === 'ticket' ? problem.message : undefined} className="w-48" />
          <Button type="submit" busy={apply.isPending} className="mt-6">
            Apply profile
          </Button>
        </div>
        {chosen ? <ProfileSummary tenantId={tenantId} profile={chosen} /> : null}
        <ErrorAlert error={apply.error} />
      </fieldset>
    </form>
  );
}
