import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { policyCatalogPageQuery, teamsApi, teamsKeys } from '../../api/teams.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useRole } from '../../lib/role.ts';

/** What to set up before "Refresh from Teams" can list a tenant's policies (said the same on the Policies page and in the voice form). */
export function PowerShellSetupNotice({ className }: { className?: string }) {
  return (
    <div data-testid="powershell-setup">
      <Notice className={className} tone="info">
        Graph cannot list a tenant’s policies; the PowerShell bridge reads them. To list every policy here: install PowerShell 7 and the MicrosoftTeams module on this server, set UCR_PWSH_PATH to the pwsh executable, upload or generate this tenant’s Teams certificate (Connections › Microsoft Teams), and give the app registration the Teams Administrator role in Entra ID. Until then, add policy names by hand (each is checked against the tenant).
      </Notice>
    </div>
  );
}

/** When the catalog was last read from Teams, as the Policies page says it. */
export function refreshedText(refreshedAt: string | null): string {
  return refreshedAt ? `Last refreshed from Teams ${formatDateTime(refreshedAt)}.` : 'Never refreshed from Teams: the names below were seen on synced users or added by an admin.';
}

/**
 * The policy dropdowns' source, inline in the voice form: the last refresh, and "Refresh from
 * Teams" (the Policies page's route, for admins) so a policy created in Teams today is offered now.
 */
export function PolicyRefreshBar({ tenantId, disabled }: { tenantId: string; disabled?: boolean }) {
  const { isAdmin } = useRole();
  const queryClient = useQueryClient();
  const page = useQuery(policyCatalogPageQuery(tenantId));
  const refresh = useMutation({
    mutationFn: () => teamsApi.refreshPolicies(tenantId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsKeys.policies(tenantId) }),
  });
  if (!page.data) return <ErrorAlert error={page.error} />;
  const total = refresh.data ? Object.values(refresh.data.byType).reduce((a, b) => a + b, 0) : 0;
  return (
    <div className="space-y-2" data-testid="policy-refresh">
      <div className="flex flex-wrap items-center gap-3">
        <p className="text-xs text-zinc-600" data-testid="policies-refreshed">
          {refreshedText(page.data.refreshedAt)}
        </p>
        {page.data.powershellBridge && isAdmin ? (
          <Button size="sm" type="button" onClick={() => refresh.mutate()} busy={refresh.isPending} disabled={disabled}>
            Refresh from Teams
          </Button>
        ) : null}
        {page.data.powershellBridge && !isAdmin ? <p className="text-xs text-zinc-600">An admin can refresh this list from Teams.</p> : null}
      </div>
      {!page.data.powershellBridge ? <PowerShellSetupNotice /> : null}
      {refresh.data ? <Notice>Read from Teams: {total} policies, {refresh.data.added} new.</Notice> : null}
      <ErrorAlert error={refresh.error} />
    </div>
  );
}
