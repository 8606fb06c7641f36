/**
 * Roles and what each may do. Route access is declared per route as the least role
 * needed; the ranking makes "admin can do what operator can" explicit in one place.
 */
export const roles = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof roles)[number];

/** What a route demands of its caller. */
export type Access =
  | 'public' // no sign-in (health checks, sign-in itself)
  | 'session' // any session, even one still waiting for its second factor
  | 'self' // fully signed in, even before a forced password change or MFA enrolment (own account only)
  | Role; // a fully signed-in operator with at least this role

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAllows(actual: Role, required: Role): boolean {
  return rank[actual] >= rank[required];
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
