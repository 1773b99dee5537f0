/**
 * The built-in sign-in's issuer (aws-cn without an OIDC issuer of the customer's): the stack
 * is its own issuer at `<API endpoint>/auth`, serving `/.well-known/openid-configuration` and
 * its JWKS there, so API Gateway's JWT authorizer checks its tokens as it checks Cognito's.
 */
export const BUILTIN_ISSUER_PATH = '/auth';
export const BUILTIN_AUDIENCE = 'suiji';
