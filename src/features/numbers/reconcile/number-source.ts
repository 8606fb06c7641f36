import type { NumberKind } from '../../../core/number-vocabulary.ts';
import type { AppDeps } from '../../kernel/deps.ts';
import type { TenantRow } from '../../tenants/tenants.ts';
import type { Assignee } from '../number-store.ts';

/** One number as an external system has it, already in the inventory's words. */
export type SystemNumber = {
  e164: string;
  /** The inventory kind the number gets when it is added. */
  kind: NumberKind;
  /** Who the system gives it to; null when the system has the number but nobody uses it. */
  assignee: { id: string; upn: string | null; name: string | null } | null;
  /** Where the system has it, such as the 3CX trunk; also the carrier of an added number. */
  via: string | null;
};

/**
 * What the reconcile engine needs to know of one external system. The system's own feature
 * (teams, threecx) supplies it, since only it may call its connector; the engine decides the rest.
 */
export type NumberSource = {
  system: 'teams' | 'threecx';
  /** How reasons and fixes name the system: "Teams", "The PBX". */
  name: string;
  assigneeType: Assignee['type'];
  /** The inventory kinds the system deals in. */
  kinds: readonly NumberKind[];
  /**
   * Whether a number of these kinds that the system lacks should leave the inventory (a 3CX DID
   * no trunk has). Teams lists only the numbers it knows, and a Direct Routing number need not be
   * uploaded before it is assigned, so a number missing from Teams says nothing.
   */
  retiresWhatItLacks: boolean;
  /** How fixes and reasons name an assignee: the UPN, or "extension 101". */
  describeAssignee: (assignee: { id: string; upn: string | null; name: string | null }) => string;
  /** Tags, notes and audit source of numbers added from the system. */
  added: { tags: string[]; notes: string; source: string };
  auditAction: 'teams.reconciled' | 'threecx.reconciled';
  /** Reads every number the system has (all pages). */
  listNumbers: (deps: AppDeps, tenant: TenantRow) => Promise<SystemNumber[]>;
};
