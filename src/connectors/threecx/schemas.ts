import { z } from 'zod';

/** The parts of 3CX's Pbx.User (an extension) UCR Manager reads and edits. */
export const pbxUser = z
  .object({
    Id: z.number(),
    Number: z.string(),
    FirstName: z.string().nullable().optional(),
    LastName: z.string().nullable().optional(),
    DisplayName: z.string().nullable().optional(),
    EmailAddress: z.string().nullable().optional(),
    Mobile: z.string().nullable().optional(),
    OutboundCallerID: z.string().nullable().optional(),
    Language: z.string().nullable().optional(),
    Require2FA: z.boolean().nullable().optional(),
    SendEmailMissedCalls: z.boolean().nullable().optional(),
    VMEmailOptions: z.string().nullable().optional(),
    Enabled: z.boolean().nullable().optional(),
  })
  .passthrough();
export type PbxUser = z.infer<typeof pbxUser>;

/** Pbx.VMEmailOptionsType of V20's swagger.yaml (3cx/xapi-tutorial swagger.yaml). */
export const vmEmailOptions = ['None', 'Notification', 'Attachment', 'AttachmentAndDelete', 'VmailToMembers', 'EmailToExtrasOnly'] as const;
export type VMEmailOption = (typeof vmEmailOptions)[number];

/** The user fields UCR Manager writes (E1); anything else stays as the PBX has it. */
export const userWritableFields = ['Number', 'DisplayName', 'FirstName', 'LastName', 'EmailAddress', 'Mobile', 'OutboundCallerID', 'Language', 'Require2FA', 'SendEmailMissedCalls', 'VMEmailOptions', 'Enabled'] as const;
export type UserFields = Partial<{
  Number: string;
  DisplayName: string;
  FirstName: string;
  LastName: string;
  EmailAddress: string;
  Mobile: string;
  OutboundCallerID: string;
  Language: string;
  Require2FA: boolean;
  SendEmailMissedCalls: boolean;
  VMEmailOptions: VMEmailOption;
  Enabled: boolean;
}>;

export const pbxTrunk = z
  .object({
    Id: z.number(),
    Number: z.string(),
    Gateway: z.object({ Id: z.number().optional(), Name: z.string().nullable().optional(), Host: z.string().nullable().optional(), Port: z.number().nullable().optional(), Type: z.string().nullable().optional() }).passthrough().nullable().optional(),
    ExternalNumber: z.string().nullable().optional(),
    SimultaneousCalls: z.number().nullable().optional(),
    Direction: z.string().nullable().optional(),
    IsOnline: z.boolean().nullable().optional(),
    DidNumbers: z.array(z.string()).nullable().optional(),
  })
  .passthrough();
export type PbxTrunk = z.infer<typeof pbxTrunk>;

/** The trunk fields the XAPI lets an API client change (E3). */
export const trunkWritableFields = ['ExternalNumber', 'SimultaneousCalls', 'Direction', 'DidNumbers'] as const;
export type TrunkFields = Partial<{ ExternalNumber: string; SimultaneousCalls: number; Direction: 'Both' | 'Inbound' | 'Outbound'; DidNumbers: string[] }>;

/** Pbx.DidNumber: Number and TrunkId (no TrunkNumber; the connector derives it from the trunks). */
export const pbxDid = z.object({ Number: z.string(), TrunkId: z.number().nullable().optional() }).passthrough();
export type PbxDid = z.infer<typeof pbxDid>;

/** The answer of Users/Pbx.BatchDelete: one Pbx.UserDeleteError per user 3CX did not delete. */
export const userDeleteErrors = z.object({ value: z.array(z.object({ ExtensionNumber: z.string().nullable().optional(), Error: z.string().nullable().optional() }).passthrough()).optional() }).passthrough();
export type UserDeleteError = NonNullable<z.infer<typeof userDeleteErrors>['value']>[number];

/**
 * The parts of the SystemStatus singleton (Pbx.SystemStatus, V20 swagger.yaml) UCR Manager shows.
 * Every field is optional: a PBX that leaves one out still answers.
 */
export const pbxSystemStatus = z
  .object({
    FQDN: z.string().nullable().optional(),
    Version: z.string().nullable().optional(),
    Activated: z.boolean().nullable().optional(),
    MaxSimCalls: z.number().nullable().optional(),
    ExtensionsRegistered: z.number().nullable().optional(),
    ExtensionsTotal: z.number().nullable().optional(),
    TrunksRegistered: z.number().nullable().optional(),
    TrunksTotal: z.number().nullable().optional(),
    CallsActive: z.number().nullable().optional(),
  })
  .passthrough();
export type PbxSystemStatus = z.infer<typeof pbxSystemStatus>;
