/** What is censored in every record, whatever the service configures on top. */
export const CENSOR = '[REDACTED]';

const SECRET_FIELDS = ['password', 'passwd', 'secret', 'token', 'accessToken', 'access_token', 'refreshToken', 'refresh_token', 'apiKey', 'api_key', '"api-key"', 'clientSecret', 'client_secret'];
const SECRET_HEADERS = ['authorization', '"proxy-authorization"', 'cookie', '"set-cookie"', '"x-api-key"'];

/**
 * pino redaction paths: secret fields at the top level and up to two levels down, and credential
 * headers wherever a request or response object carries them.
 */
export const DEFAULT_REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
  ...SECRET_HEADERS.flatMap((header) => [`headers.${header}`, `*.headers.${header}`, `*.*.headers.${header}`]),
];

export function redactPaths(configured: readonly string[]): string[] {
  return [...new Set([...DEFAULT_REDACT_PATHS, ...configured])];
}
