import { createHmac, timingSafeEqual } from 'crypto';

/**
 * Environment variable holding the ARN of the secret that webhook providers sign request bodies with (the stack's
 * `secrets`); the handler reads the value with `getSecret()`. This module has no side effects, so the example stack
 * can import the name from here.
 */
export const WEBHOOK_SIGNING_SECRET_ENV = 'WEBHOOK_SIGNING_SECRET';

/** Request header carrying the hex-encoded HMAC-SHA256 of the raw request body. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-webhook-signature';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * Whether `signatureHex` is the HMAC-SHA256 of `body` under `secret`. The comparison takes the same
 * time whatever the signature, so an attacker cannot find a valid one byte by byte from response times.
 */
export function hasValidSignature(body: Buffer, signatureHex: string | undefined, secret: string): boolean {
  if (signatureHex === undefined || !HEX_SHA256.test(signatureHex)) {
    return false;
  }
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signatureHex, 'hex'));
}
