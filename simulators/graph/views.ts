import { POLICY_TYPES, SKUS } from './catalog.ts';
import { featureTypesOf } from './state.ts';
import type { GraphTenant, GraphUser, NumberRecord } from './state.ts';

// How Graph shows the stored records: users, teamsUserConfiguration and numberAssignment.

/** Properties Graph returns for /users when there is no $select. */
export const USER_DEFAULT_PROPERTIES = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];

export function userView(user: GraphUser): Record<string, unknown> {
  return {
    id: user.id,
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    accountEnabled: user.accountEnabled,
    usageLocation: user.usageLocation,
    assignedLicenses: user.licenses.map((sku) => ({ disabledPlans: [], skuId: SKUS[sku].skuId })),
    createdDateTime: user.createdDateTime,
  };
}

export function userConfigurationView(tenant: GraphTenant, user: GraphUser): Record<string, unknown> {
  const numbers = [...tenant.numbers.values()].filter((number) => number.assignmentTargetId === user.id && number.assignmentStatus === 'userAssigned');
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    tenantId: tenant.id,
    accountType: user.accountType,
    isEnterpriseVoiceEnabled: user.isEnterpriseVoiceEnabled,
    featureTypes: featureTypesOf(user),
    telephoneNumbers: numbers.map((number) => ({ telephoneNumber: number.telephoneNumber, assignmentCategory: number.assignmentCategory ?? 'primary' })),
    effectivePolicyAssignments: POLICY_TYPES.map((policyType) => {
      const direct = user.policies.get(policyType);
      const policies = tenant.policies.get(policyType) ?? [];
      const policy = (direct && policies.find((candidate) => candidate.policyId === direct.policyId)) ?? policies.find((candidate) => candidate.name === 'Global');
      return {
        policyType,
        policyAssignment: {
          displayName: policy?.name ?? 'Global',
          policyId: policy?.policyId ?? null,
          // The tenant-wide Global instance applies without any assignment.
          assignmentType: direct ? direct.assignmentType : null,
          groupId: direct?.groupId ?? null,
        },
      };
    }),
    createdDateTime: user.createdDateTime,
    modifiedDateTime: user.modifiedDateTime,
  };
}

export const numberView = (number: NumberRecord): Record<string, unknown> => ({ ...number });
