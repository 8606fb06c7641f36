import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules of docs/architecture.md are lint rules (eslint.config.js); this checks that they
 * really refuse a back-arrow, and allow the arrows the layout wants, with the project's own config.
 */
const eslint = new ESLint();

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'import-x/no-restricted-paths' || m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('layer rules', { timeout: 60_000 }, () => {
  it('refuses a feature importing one above it, and features of the same level importing each other', async () => {
    expect(await importErrors('src/features/kernel/probe.ts', "import { teamsRoutes } from '../teams/routes.ts';\nexport const x = teamsRoutes;\n")).toEqual([expect.stringMatching(/features\/kernel may import only lower features/)]);
    expect(await importErrors('src/features/numbers/probe.ts', "import { retryTicketLog } from '../connectwise/ticket-logger.ts';\nexport const x = retryTicketLog;\n")).toHaveLength(1);
    expect(await importErrors('src/features/tenants/probe.ts', "import { listBulkJobs } from '../bulk/bulk-assignment.ts';\nexport const x = listBulkJobs;\n")).toHaveLength(1);
  });

  it('allows a feature to import lower features and the layers below', async () => {
    const code = "import { loadTenant } from '../tenants/tenants.ts';\nimport { recordAudit } from '../kernel/audit-log.ts';\nimport { parsePhoneNumber } from '../../core/phone-number.ts';\nimport { phoneNumbers } from '../../db/schema/index.ts';\nexport const x = [loadTenant, recordAudit, parsePhoneNumber, phoneNumbers];\n";
    expect(await importErrors('src/features/teams/probe.ts', code)).toEqual([]);
  });

  it('keeps core, connectors and the frame below the features', async () => {
    expect(await importErrors('src/core/probe.ts', "import { phoneNumbers } from '../db/schema/index.ts';\nexport const x = phoneNumbers;\n")).toHaveLength(1);
    expect(await importErrors('src/connectors/teams/probe.ts', "import { recordAudit } from '../../features/kernel/audit-log.ts';\nexport const x = recordAudit;\n")).toHaveLength(1);
    expect(await importErrors('src/http/probe.ts', "import { listTenants } from '../features/tenants/tenants.ts';\nexport const x = listTenants;\n")).toHaveLength(1);
    expect(await importErrors('src/features/demo/probe.ts', "import { startAllSimulators } from '../../../simulators/index.ts';\nexport const x = startAllSimulators;\n")).toHaveLength(1);
  });

  it('lets the web take only types from the features\' schemas', async () => {
    expect(await importErrors('src/web/api/probe.ts', "import type { TenantDto } from '../../features/tenants/schemas.ts';\nexport type X = TenantDto;\n")).toEqual([]);
    expect(await importErrors('src/web/api/probe.ts', "import { tenantSchema } from '../../features/tenants/schemas.ts';\nexport const x = tenantSchema;\n")).toHaveLength(1);
    expect(await importErrors('src/web/api/probe.ts', "import type { TenantRow } from '../../features/tenants/tenants.ts';\nexport type X = TenantRow;\n")).toHaveLength(1);
    expect(await importErrors('src/web/api/probe.ts', "import { numberStatuses } from '../../core/number-vocabulary.ts';\nexport const x = numberStatuses;\n")).toEqual([]);
  });
});
