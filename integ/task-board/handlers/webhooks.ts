import * as z from 'zod';
import { hasValidSignature, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_SIGNING_SECRET_ENV } from './lib/webhook-signature';
import {
  apiHandler,
  HttpError,
  ok,
  route,
  Secret,
  Table,
  type ApiRequest,
  type ReadSecretOptions,
} from '../../../src/runtime';

/**
 * Webhook receiver. The route is public (providers cannot present a JWT), so each delivery is authenticated by
 * its body signature before anything else runs: before the body is parsed, before any record is written.
 *
 * Providers deliver at least once and retry on any non-2xx answer. Each event id is processed once: the
 * delivery's event id is its idempotency key, so a repeat gets the first answer replayed, and a repeat with a
 * different body under the same id is refused (422). The event record itself is create-once as well, for repeats
 * that arrive after the idempotency record has expired.
 */

export const WEBHOOK_ROUTE = 'POST /webhooks/{provider}';

/** Long enough to outlast any provider's retry schedule, after which TTL removes the record. */
const EVENT_RETENTION_SECONDS = 30 * 24 * 60 * 60;

/** How often a failed signature may send the function back to Secrets Manager for a rotated secret. */
const ROTATION_RECHECK_MS = 60_000;

const table = Table.fromEnvironment();
const webhookEvent = table.item('recordWebhookEvent');
// The variable holds the secret's ARN; the value is read from Secrets Manager and cached for 5 minutes.
const signingSecretValue = Secret.fromEnvironment(WEBHOOK_SIGNING_SECRET_ENV);
/** When a failed signature last made the function fetch the secret again. */
let lastRecheck = 0;

const ProviderPath = z.object({
  provider: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be 1 to 32 lowercase letters, digits or "-"'),
});
const Delivery = z.object({
  // The id becomes part of the event record's key: "#" and control characters would blur its parts.
  // eslint-disable-next-line no-control-regex
  id: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^#\u0000-\u001f\u007f]*$/, 'must not contain "#" or control characters'),
  type: z.string().min(1).max(128),
});

/**
 * The signing secret. A missing or empty secret answers 500 (and is logged) instead of crash-looping the function;
 * it never falls back to accepting unsigned requests.
 */
async function signingSecret(options?: ReadSecretOptions): Promise<string> {
  const secret = await signingSecretValue.value(options);
  if (secret === '') throw new Error(`secret ${WEBHOOK_SIGNING_SECRET_ENV} is empty: every webhook is refused`);
  return secret;
}

async function verifySignature(request: ApiRequest): Promise<void> {
  const signature = request.headers[WEBHOOK_SIGNATURE_HEADER];
  if (hasValidSignature(request.rawBody, signature, await signingSecret())) return;
  // The provider may have rotated the secret since it was cached: fetch it once more, at most once a minute, so that
  // unsigned requests cannot make the function call Secrets Manager at will.
  const now = Date.now();
  if (now - lastRecheck >= ROTATION_RECHECK_MS) {
    lastRecheck = now;
    if (hasValidSignature(request.rawBody, signature, await signingSecret({ forceFetch: true }))) return;
  }
  throw new HttpError(401, `missing or invalid \`${WEBHOOK_SIGNATURE_HEADER}\` header`);
}

export const handler = apiHandler({
  table,
  idempotency: {
    putPattern: 'putWebhookDelivery',
    getPattern: 'getWebhookDelivery',
    expiresAfterSeconds: 7 * 24 * 60 * 60,
    required: true,
    keyOf: (request, body) => `${request.pathParameters.provider}:${(body as z.infer<typeof Delivery>).id}`,
  },
  routes: {
    [WEBHOOK_ROUTE]: route({
      authenticate: verifySignature,
      params: ProviderPath,
      body: Delivery,
      idempotent: true,
      handle: async ({ params, body }) => {
        try {
          await webhookEvent.create(
            { provider: params.provider, eventId: body.id },
            {
              entityType: 'WebhookEvent',
              provider: params.provider,
              eventId: body.id,
              type: body.type,
              receivedAt: new Date().toISOString(),
            },
            { ttlSeconds: EVENT_RETENTION_SECONDS },
          );
        } catch (error) {
          // A repeat is success for the provider: an error status would only make it retry again.
          if (error instanceof HttpError && error.status === 409) return ok({ status: 'duplicate' });
          throw error;
        }
        return { status: 202, body: { status: 'accepted' } };
      },
    }),
  },
});
