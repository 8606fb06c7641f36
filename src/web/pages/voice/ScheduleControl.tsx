import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { scheduledApi, wallTimeToIso, type ScheduledChangeDto } from '../../api/lifecycle.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';

/**
 * "Schedule for…": the same request as the screen's own button, set for a later time instead
 * (the scheduled-changes API). The time is typed in the tenant's zone, named beside the input.
 * `input` returns the request (or null when the form has a problem, which it then shows).
 */
export function ScheduleControl({ tenantId, timeZone, kind, input, disabled, name }: { tenantId: string; timeZone: string; kind: ScheduledChangeDto['kind']; input: () => object | null; disabled?: boolean; name: string }) {
  const queryClient = useQueryClient();
  const [when, setWhen] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const schedule = useMutation({
    mutationFn: (body: { runAt: string; input: object }) => scheduledApi.schedule(tenantId, { kind, runAt: body.runAt, timeZone, input: body.input }),
    onSuccess: () => {
      setWhen('');
      void queryClient.invalidateQueries({ queryKey: ['scheduled'] });
    },
  });
  return (
    <div className="flex flex-wrap items-start gap-2">
      <TextField label={`Schedule for (${timeZone})`} type="datetime-local" name={name} value={when} onChange={(e) => setWhen(e.target.value)} error={problem} />
      <Button
        className="mt-6"
        disabled={disabled}
        busy={schedule.isPending}
        onClick={() => {
          const runAt = wallTimeToIso(when, timeZone);
          setProblem(runAt ? undefined : 'Choose a date and time.');
          if (!runAt) return;
          const body = input();
          if (body) schedule.mutate({ runAt, input: body });
        }}
      >
        Schedule
      </Button>
      <ErrorAlert error={schedule.error} className="w-full" />
      {schedule.data ? <Notice className="w-full">Scheduled for {schedule.data.subject}; see Scheduled.</Notice> : null}
    </div>
  );
}
