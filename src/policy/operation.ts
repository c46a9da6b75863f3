// The OpenAPI operation a request matched. The OpenAPI identify phase stores it in
// ctx.state under OPERATION_STATE_KEY; authentication, access control, step-up and login
// protection read it from there.
export const OPERATION_STATE_KEY = 'operation';

export interface SecurityRequirement {
  /** Security scheme name → required scopes. */
  [scheme: string]: string[];
}

export interface OperationInfo {
  method: string; // upper case
  /** Path template exactly as in the spec, e.g. `/users/{userId}`. */
  template: string;
  operationId?: string;
  deprecated: boolean;
  tags: string[];
  /** Effective security (operation's, else the document's). `[]` means public. */
  security: SecurityRequirement[];
  /** Every `x-palisade*` extension on the operation (and path item), e.g. `x-palisade-risk`. */
  extensions: Record<string, unknown>;
}

export interface MatchedOperation {
  op: OperationInfo;
  pathParams: Record<string, string>;
}
