/**
 * What a person is told when sign-in does not open a session. Shared by the password and the
 * Entra ID routes (so both say the same) and by the sign-in page, which shows the message for
 * a code it was redirected with (never text taken from the address bar).
 */
export const SIGN_IN_MESSAGES = {
  account_disabled: 'Your account is disabled. Ask an administrator.',
  pending_approval: 'Your account is waiting for an administrator to approve it.',
  entra_expired: 'The Microsoft sign-in took too long or was started in another tab. Please try again.',
  entra_cancelled: 'Microsoft sign-in was cancelled or refused, so you are not signed in.',
  entra_wrong_tenant: 'That Microsoft account belongs to another organisation. Sign in with your work account.',
  entra_account_conflict: 'An operator with this email is already linked to a different Microsoft account. Ask an administrator.',
  entra_unavailable: 'Microsoft sign-in cannot be reached right now. Please try again in a moment.',
  entra_failed: 'Microsoft sign-in did not complete. Please try again; if it keeps failing, ask an administrator to check the Entra ID set-up.',
} as const;

export type SignInMessageCode = keyof typeof SIGN_IN_MESSAGES;

export function isSignInMessageCode(value: unknown): value is SignInMessageCode {
  return typeof value === 'string' && Object.hasOwn(SIGN_IN_MESSAGES, value);
}
