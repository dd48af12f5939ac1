import { Duration } from 'aws-cdk-lib';
import { AuthorizerFunctionSource } from './authorization-kind';
import { secretNames, validateFunctionSecrets } from '../../functions/function-secrets';
import { checkEntry } from '../../functions/observed-function';
import { fail, isLiteral } from '../../private/validation';

/** How long a Lambda authorizer's answer is cached unless told otherwise. */
export const DEFAULT_RESULTS_CACHE_TTL = Duration.minutes(5);

/** The longest API Gateway caches a Lambda authorizer's answer. */
export const MAX_RESULTS_CACHE_TTL = Duration.hours(1);

/**
 * Checks the function and the cache of a Lambda authorizer, request or token; returns the cache's TTL. Variables and
 * secrets apply to a function the library bundles from `entry`; one given as `authorizerFunction` is the caller's.
 */
export function validateLambdaFunction(
  prop: string,
  props: AuthorizerFunctionSource & { resultsCacheTtl?: Duration },
): Duration {
  if ((props.entry === undefined) === (props.authorizerFunction === undefined)) {
    fail(
      prop,
      'set exactly one of `entry` (a handler file to bundle) and `authorizerFunction` (an existing function)',
      props.entry === undefined ? 'neither' : 'both',
    );
  }
  checkEntry(`${prop}.entry`, props.entry);
  if (props.authorizerFunction !== undefined) {
    if (props.environment !== undefined) {
      fail(
        `${prop}.environment`,
        'be left out with `authorizerFunction`: the library configures only the functions it bundles from `entry`',
        Object.keys(props.environment),
      );
    }
    if (props.secrets !== undefined) {
      fail(
        `${prop}.secrets`,
        'be left out with `authorizerFunction`: the library configures only the functions it bundles from `entry`; grant your function its secrets with `secret.grantRead()`',
        secretNames(props.secrets),
      );
    }
  }
  validateFunctionSecrets(prop, props.environment, props.secrets, []);
  const ttl = props.resultsCacheTtl ?? DEFAULT_RESULTS_CACHE_TTL;
  if (isLiteral(ttl)) {
    const ms = ttl.toMilliseconds();
    if (ms < 0 || ms % 1000 !== 0 || ms > MAX_RESULTS_CACHE_TTL.toMilliseconds()) {
      fail(`${prop}.resultsCacheTtl`, 'be a whole number of seconds from 0 (no caching) to 1 hour', ttl);
    }
  }
  return ttl;
}
