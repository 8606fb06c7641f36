import { z } from 'zod';

/** The parts of Graph's answers that UCR Manager reads; unknown fields pass through untouched. */
export const page = z.object({ value: z.array(z.unknown()), '@odata.nextLink': z.string().optional() });

export const graphUser = z.object({
  id: z.string(),
  userPrincipalName: z.string(),
  displayName: z.string().nullable().optional(),
  accountEnabled: z.boolean().nullable().optional(),
  usageLocation: z.string().nullable().optional(),
  assignedLicenses: z.array(z.object({ skuId: z.string() })).optional(),
});
export type GraphUser = z.infer<typeof graphUser>;

export const policyAssignment = z.object({
  policyType: z.string(),
  policyAssignment: z.object({
    displayName: z.string().nullable().optional(),
    policyId: z.string().nullable().optional(),
    assignmentType: z.string().nullable().optional(),
    groupId: z.string().nullable().optional(),
  }),
});

export const userConfiguration = z.object({
  id: z.string(),
  userPrincipalName: z.string().nullable().optional(),
  accountType: z.string().nullable().optional(),
  isEnterpriseVoiceEnabled: z.boolean().nullable().optional(),
  featureTypes: z.array(z.string()).nullable().optional(),
  telephoneNumbers: z.array(z.object({ telephoneNumber: z.string(), assignmentCategory: z.string().nullable().optional() })).nullable().optional(),
  effectivePolicyAssignments: z.array(policyAssignment).nullable().optional(),
  modifiedDateTime: z.string().nullable().optional(),
});
export type UserConfiguration = z.infer<typeof userConfiguration>;

export const numberAssignment = z.object({
  id: z.string().optional(),
  telephoneNumber: z.string(),
  numberType: z.string(),
  activationState: z.string().nullable().optional(),
  assignmentStatus: z.string().nullable().optional(),
  assignmentTargetId: z.string().nullable().optional(),
  assignmentCategory: z.string().nullable().optional(),
  isoCountryCode: z.string().nullable().optional(),
  city: z.string().nullable().optional(),
  /** The emergency location (Teams LIS locationId); null or absent when the number has none. */
  locationId: z.string().nullable().optional(),
});
export type NumberAssignment = z.infer<typeof numberAssignment>;

export const operation = z.object({
  id: z.string(),
  status: z.string(),
  createdDateTime: z.string().nullable().optional(),
  numbers: z
    .array(
      z.object({
        resourceLocation: z.string().nullable().optional(),
        telephoneNumber: z.string().nullable().optional(),
        status: z.string().nullable().optional(),
        statusDetail: z.string().nullable().optional(),
        statusMessage: z.string().nullable().optional(),
        errorCode: z.string().nullable().optional(),
      }),
    )
    .nullable()
    .optional(),
});
export type NumberOperation = z.infer<typeof operation>;

export const policyIdAnswer = z.object({ value: z.array(z.object({ policyId: z.string(), name: z.string().optional() })) });

/** subscribedSku (Graph v1.0): a subscription the tenant holds, with its units and service plans. */
export const subscribedSku = z.object({
  skuId: z.string(),
  skuPartNumber: z.string().nullable().optional(),
  appliesTo: z.string().nullable().optional(),
  capabilityStatus: z.string().nullable().optional(),
  consumedUnits: z.number(),
  prepaidUnits: z.object({ enabled: z.number(), suspended: z.number().optional(), warning: z.number().optional(), lockedOut: z.number().optional() }),
  servicePlans: z.array(z.object({ servicePlanId: z.string(), servicePlanName: z.string().nullable().optional() })).default([]),
});
export type SubscribedSku = z.infer<typeof subscribedSku>;
