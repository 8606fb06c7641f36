export * from './operators.ts';
export * from './sessions.ts';
export * from './api-tokens.ts';
export * from './audit.ts';
export * from './settings.ts';
export * from './tenants.ts';
export * from './numbers.ts';
export * from './teams.ts';
