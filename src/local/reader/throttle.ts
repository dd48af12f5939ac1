/** Throttle limits as stages, routes, methods and usage plans declare them. */

import { numberOf, ReadContext } from './context';
import { ThrottleModel } from '../model';

/**
 * API Gateway's account-level limits per Region, which apply where a stage, route or method leaves a limit unset.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
export const ACCOUNT_THROTTLE: ThrottleModel = { rateLimit: 10000, burstLimit: 5000 };

/** The limits a setting declares, the unset one taken from `fallback`; undefined when it declares neither. */
export function throttleOf(
  ctx: ReadContext,
  rate: unknown,
  burst: unknown,
  where: string,
  fallback: ThrottleModel = ACCOUNT_THROTTLE,
): ThrottleModel | undefined {
  const rateLimit = numberOf(ctx, rate, `${where} rate limit`);
  const burstLimit = numberOf(ctx, burst, `${where} burst limit`);
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  return { rateLimit: rateLimit ?? fallback.rateLimit, burstLimit: burstLimit ?? fallback.burstLimit };
}
