import { z } from 'zod';

export const defaultsSchema = z.object({
  boardIds: z.array(z.number().int().positive()).max(50),
  workRoleId: z.number().int().positive().nullable(),
  workTypeId: z.number().int().positive().nullable(),
  statusAfterChangeId: z.number().int().positive().nullable(),
  noteFlags: z.object({ detailDescriptionFlag: z.boolean(), internalAnalysisFlag: z.boolean(), resolutionFlag: z.boolean() }),
  billableOption: z.enum(['Billable', 'DoNotBill', 'NoCharge', 'NoDefault']).nullable(),
  defaultMinutes: z.number().int().min(1).max(1440).nullable(),
});
export const connectionSchema = z.object({
  configured: z.boolean(),
  site: z.string().nullable(),
  companyId: z.string().nullable(),
  publicKey: z.string().nullable(),
  clientId: z.string().nullable(),
  baseUrl: z.string().nullable(),
  privateKeySet: z.boolean(),
  defaults: defaultsSchema,
  lastTest: z.object({ at: z.string(), ok: z.boolean(), result: z.unknown() }).nullable(),
});

export type ConnectWiseDefaultsDto = z.infer<typeof defaultsSchema>;
export type ConnectWiseConnectionDto = z.infer<typeof connectionSchema>;
