/**
 * Password rules, following NIST SP 800-63B: length over composition rules, and
 * refuse the obvious. Returns a reason a person can act on, or undefined when fine.
 */
const MIN_LENGTH = 12;
const MAX_LENGTH = 256;
const obvious = ['password', '123456', 'qwerty', 'letmein', 'welcome', 'changeme', 'admin'];

export function passwordProblem(password: string, email?: string): string | undefined {
  if (password.length < MIN_LENGTH) return `Use at least ${MIN_LENGTH} characters.`;
  if (password.length > MAX_LENGTH) return `Use at most ${MAX_LENGTH} characters.`;
  if (new Set(password).size < 5) return 'Use more varied characters.';
  const lower = password.toLowerCase();
  if (obvious.some((word) => lower.includes(word) && lower.length - word.length < 6)) {
    return 'That password is too easy to guess.';
  }
  if (email && lower.includes(email.toLowerCase().split('@')[0] ?? '\u0000')) {
    return 'Do not include your email name in the password.';
  }
  return undefined;
}
