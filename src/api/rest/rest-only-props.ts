import { RestApiOptions } from './rest-options';

/**
 * Each prop of `RestApiOptions` with the feature it turns on, as messages name it. Keyed by every prop, so a
 * new REST-only prop cannot go unchecked on an HTTP API.
 */
export const REST_ONLY_PROPS: { readonly [name in keyof Required<RestApiOptions>]: string } = {
  usagePlans: 'usage plans and API keys',
  webAclArn: 'AWS WAF web ACLs',
  minCompressionSize: 'response compression',
  cache: 'response caching',
  executionLogging: 'execution logging',
  setAccountCloudWatchRole: "logs written through the account's CloudWatch role",
};
