/**
 * Authorization for the local API: JWT and Cognito routes with local dev keys, Lambda authorizers with result
 * caching, IAM routes with a local principal.
 */
export { devKeysFile, loadDevKeys, type DevKeys, type LoadDevKeysOptions, type LocalIamCredentials } from './dev-keys';
export { issueDevToken, parseExpiresIn, type DevTokenOptions } from './dev-token';
export { localIamPrincipal, type LocalIamPrincipal } from './iam-authorizer';
export { signIamRequest, type IamSignableRequest } from './iam-signing';
export { createRouteAuthorizer, type RouteAuthorizerOptions } from './route-authorizer';
