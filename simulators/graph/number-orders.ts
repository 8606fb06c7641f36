import { randomUUID } from 'node:crypto';
import { numberAssignmentId } from './state.ts';
import type { AssignmentStatus, GraphState, GraphTenant, NumberRecord, Operation } from './state.ts';
import { addNumber, featureTypesOf } from './state.ts';
import type { NumberType } from './catalog.ts';

// Asynchronous number orders (assign / unassign; updateNumber is synchronous): the operation moves
// notStarted → running → succeeded|failed over `delayMs`; the number shows a pending
// activationState meanwhile. Business checks run at completion, against the state then.

export interface NumberOrder {
  kind: 'assign' | 'unassign' | 'update';
  telephoneNumber: string;
  numberType?: NumberType;
  assignmentTargetId?: string;
  assignmentCategory?: 'primary' | 'private' | 'alternate';
  locationId?: string | null;
  networkSiteId?: string | null;
  reverseNumberLookupOptions?: string[];
}

export interface OrderUrls {
  /** Absolute URL of a number's numberAssignment resource (an operation's resourceLocation). */
  number(numberAssignmentId: string): string;
}

const OPERATION_KIND = { assign: 'Assignment', unassign: 'Unassignment', update: 'Update' } as const;

/** Why an assignment fails; texts follow the Teams admin tooling's wording. */
function assignFailure(tenant: GraphTenant, order: NumberOrder, number: NumberRecord | undefined): string | null {
  // A Direct Routing number needs no upload: "If you don't upload the phone numbers, you can still
  // assign numbers to users. Assigning a number to a user automatically uploads the number"
  // (Teams docs, "Enable users for Direct Routing"). Calling Plan and Operator Connect numbers
  // must already be in the tenant.
  if (!number && order.numberType !== 'directRouting') return `The telephone number '${order.telephoneNumber}' was not found in the tenant.`;
  const user = tenant.users.get(order.assignmentTargetId ?? '');
  if (!user) return `The assignment target '${order.assignmentTargetId}' was not found in the tenant.`;
  if (number && number.numberType !== order.numberType) return `The telephone number '${number.telephoneNumber}' is a ${number.numberType} number, not ${order.numberType}.`;
  if (number && number.assignmentStatus !== 'unassigned' && number.assignmentTargetId !== user.id)
    return `The telephone number '${number.telephoneNumber}' is already assigned to another user or resource account.`;
  const features = featureTypesOf(user);
  if (!features.includes('PhoneSystem') && !features.includes('VoiceApp'))
    return `The user '${user.userPrincipalName}' is not licensed for Teams Phone (PhoneSystem). Assign a Teams Phone license and try again.`;
  if (order.numberType === 'callingPlan' && !features.includes('CallingPlan')) return `The user '${user.userPrincipalName}' is not licensed for a Calling Plan.`;
  if (!user.usageLocation) return `The user '${user.userPrincipalName}' has no usage location. Set the user's usage location and try again.`;
  return null;
}

function unassignFailure(order: NumberOrder, number: NumberRecord | undefined): string | null {
  if (!number) return `The telephone number '${order.telephoneNumber}' was not found in the tenant.`;
  if (order.numberType && number.numberType !== order.numberType) return `The telephone number '${number.telephoneNumber}' is a ${number.numberType} number, not ${order.numberType}.`;
  if (number.assignmentStatus === 'unassigned') return `The telephone number '${number.telephoneNumber}' is not assigned.`;
  return null;
}

function touchUser(tenant: GraphTenant, userId: string | null): void {
  const user = userId ? tenant.users.get(userId) : undefined;
  if (user) user.modifiedDateTime = new Date().toISOString();
}

function applyAssign(tenant: GraphTenant, order: NumberOrder, number: NumberRecord): void {
  const user = tenant.users.get(order.assignmentTargetId ?? '');
  if (!user) return;
  const category = order.assignmentCategory ?? 'primary';
  // A user has one primary number: assigning another primary releases the old one.
  if (category === 'primary')
    for (const other of tenant.numbers.values())
      if (other !== number && other.assignmentTargetId === user.id && other.assignmentCategory === 'primary') Object.assign(other, { assignmentStatus: 'unassigned', assignmentTargetId: null, assignmentCategory: null });
  const status: AssignmentStatus = user.accountType === 'resourceAccount' ? 'voiceApplicationAssigned' : 'userAssigned';
  Object.assign(number, { assignmentStatus: status, assignmentTargetId: user.id, assignmentCategory: category, activationState: 'activated' });
  if (order.locationId !== undefined) number.locationId = order.locationId;
  user.isEnterpriseVoiceEnabled = true;
  touchUser(tenant, user.id);
}

/** updateNumber, applied at once; returns why it cannot be, or null. */
export function applyNumberUpdate(tenant: GraphTenant, order: NumberOrder): string | null {
  const number = tenant.numbers.get(order.telephoneNumber);
  if (!number) return `The telephone number '${order.telephoneNumber}' was not found in the tenant.`;
  if (order.locationId !== undefined) number.locationId = order.locationId;
  if (order.networkSiteId !== undefined) number.networkSiteId = order.networkSiteId;
  if (order.reverseNumberLookupOptions !== undefined) number.reverseNumberLookupOptions = order.reverseNumberLookupOptions;
  return null;
}

export function startNumberOrder(state: GraphState, tenant: GraphTenant, order: NumberOrder & { kind: 'assign' | 'unassign' }, delayMs: number, urls: OrderUrls, options: { skip?: boolean } = {}): Operation {
  // Graph's operation ids are base64url of "Assignment|{guid}".
  const id = Buffer.from(`${OPERATION_KIND[order.kind]}|${randomUUID()}`).toString('base64url');
  const operation: Operation = { id, createdDateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), status: 'notStarted', numbers: [] };
  const resourceLocation = urls.number(numberAssignmentId(tenant.id, order.telephoneNumber));
  operation.numbers = [{ resourceLocation, status: 'notStarted' }];
  tenant.operations.set(operation.id, operation);

  const number = tenant.numbers.get(order.telephoneNumber);
  let marked = false;
  if (number && order.kind === 'assign' && number.assignmentStatus === 'unassigned' && number.activationState !== 'assignmentPending') {
    Object.assign(number, { activationState: 'assignmentPending', assignmentTargetId: order.assignmentTargetId ?? null });
    marked = true;
  } else if (number && order.kind === 'unassign' && number.assignmentStatus !== 'unassigned') {
    number.activationState = 'assignmentPending';
    marked = true;
  }

  const finish = (): void => {
    const current = tenant.numbers.get(order.telephoneNumber);
    if (options.skip) {
      // Skipped (the skipNextOrders knob): nothing changes, the pending mark is taken back.
      if (current && marked) Object.assign(current, { activationState: 'activated', ...(current.assignmentStatus === 'unassigned' ? { assignmentTargetId: null } : {}) });
      operation.status = 'skipped';
      operation.numbers = [{ resourceLocation, status: 'skipped' }];
      return;
    }
    let failure: string | null;
    if (order.kind === 'assign') {
      if (current && marked && current.assignmentStatus === 'unassigned') current.assignmentTargetId = null; // checks see the real owner
      failure = assignFailure(tenant, order, current);
      // An unknown Direct Routing number is uploaded by its assignment: it appears in the tenant, assigned.
      if (!failure) applyAssign(tenant, order, current ?? addNumber(tenant, { telephoneNumber: order.telephoneNumber, numberType: 'directRouting' }));
      else if (current && marked) current.activationState = 'assignmentFailed';
    } else {
      failure = unassignFailure(order, current);
      if (!failure && current) {
        const previous = current.assignmentTargetId;
        Object.assign(current, { assignmentStatus: 'unassigned', assignmentTargetId: null, assignmentCategory: null, activationState: 'activated' });
        touchUser(tenant, previous);
      } else if (current && marked) current.activationState = 'activated';
    }
    operation.status = failure ? 'failed' : 'succeeded';
    operation.numbers = [failure ? { resourceLocation, status: 'failed', statusDetail: failure } : { resourceLocation, status: 'succeeded' }];
  };

  const schedule = (ms: number, step: () => void): void => {
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      step();
    }, ms);
    timer.unref();
    state.timers.add(timer);
  };
  schedule(delayMs / 2, () => {
    if (operation.status === 'notStarted') {
      operation.status = 'running';
      operation.numbers = [{ resourceLocation, status: 'running' }];
    }
  });
  schedule(delayMs, finish);
  return operation;
}
