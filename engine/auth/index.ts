/** Users' passwords, session tokens and login throttling; no database access (the API wires it). */
export { hashPassword, needsRehash, passwordProblems, verifyPassword, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from './password';
export { DEFAULT_TOKEN_TTL_MS, TOKEN_ISSUER, TokenService, type TokenClaims } from './tokens';
export { FailureLimiter, LoginLimiter, type AccountTotalOptions, type BackoffOptions, type LimitDecision, type LoginAttempt, type LoginLimiterOptions } from './login-limiter';
export { clientKey, LOOPBACK_CLIENT } from './client-address';
export { HashGate, type HashGateOptions } from './hash-gate';
export { RateLimitedError } from './rate-limited-error';
export { registrationSettings, REGISTRATION_CLOSED, type RegistrationOptions, type RegistrationStatus } from './registration';
