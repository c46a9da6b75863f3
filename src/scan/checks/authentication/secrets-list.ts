/** Common HMAC secrets seen in tutorials, defaults and leaks (checked offline, no requests). */
export { COMMON_JWT_SECRETS } from '../../../core/common-secrets.js';
