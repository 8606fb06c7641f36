/**
 * Every database column that holds a secret-box value. Key rotation re-encrypts exactly
 * these, and the "no plain secrets in the database" test reads them; a new encrypted
 * column must be added here.
 */
export const encryptedColumns: Array<{ table: string; column: string }> = [
  { table: 'operators', column: 'totp_secret_enc' },
  { table: 'operators', column: 'pending_totp_secret_enc' },
  { table: 'tenant_connections', column: 'secret_enc' },
  { table: 'app_settings', column: 'secret_enc' },
  { table: 'threecx_tokens', column: 'credential_enc' },
  { table: 'threecx_tokens', column: 'access_token_enc' },
  { table: 'threecx_tokens', column: 'refresh_token_enc' },
];
