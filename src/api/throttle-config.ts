import { ThrottleOptions } from './throttle';
import { checkInteger, checkPositive } from '../private/validation';

/** The documented defaults of the stage throttling, in one place. */
export const DEFAULT_THROTTLE: Required<ThrottleOptions> = { rateLimit: 100, burstLimit: 200 };

/**
 * A throttle with what it leaves out taken from `fallback`: the stage's from the defaults, and a route's or a
 * usage plan's from the stage's.
 */
export function resolveThrottle(
  throttle: ThrottleOptions | undefined,
  fallback: Required<ThrottleOptions>,
): Required<ThrottleOptions> {
  return {
    rateLimit: throttle?.rateLimit ?? fallback.rateLimit,
    burstLimit: throttle?.burstLimit ?? fallback.burstLimit,
  };
}

export function validateThrottle(prop: string, throttle: ThrottleOptions | undefined): void {
  if (!throttle) return;
  checkPositive(`${prop}.rateLimit`, throttle.rateLimit);
  checkInteger(`${prop}.burstLimit`, throttle.burstLimit, 1, 5000);
}
