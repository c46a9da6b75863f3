/** The verified caller, set by the authenticate phase and read by later phases. */
export interface Identity {
  subject: string;
  /** How the caller proved who it is. */
  method: 'jwt' | 'api-key' | 'basic' | 'anonymous';
  roles: string[];
  scopes: string[];
  tenant?: string;
  email?: string;
  emailVerified?: boolean;
  issuer?: string;
  /** Token id (`jti`) or key id, for deny-lists and budgets. */
  credentialId?: string;
  claims: Record<string, unknown>;
}
