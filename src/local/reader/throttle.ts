/** Throttle limits as stages, routes, methods and usage plans declare them. */

import { numberOf, ReadContext } from './context';
import { ACCOUNT_THROTTLE, ThrottleModel } from '../model';

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
