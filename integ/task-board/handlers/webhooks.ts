import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { jsonBody, pathParameter, rawBody, type HttpApiEvent } from './lib/request';
import { HttpError, json, type HttpResult } from './lib/response';
import { dispatch, type Route } from './lib/router';
import {
  createDocumentClient,
  isConditionalCheckFailed,
  nowEpochSeconds,
  readTableConfig,
  readTtlAttribute,
} from './lib/table';
import { hasValidSignature, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_SIGNING_SECRET_ENV } from './lib/webhook-signature';

/**
 * Webhook receiver. The route is public (providers cannot present a JWT), so the handler
 * authenticates each request by its body signature before looking at anything else.
 *
 * Providers deliver at least once and retry on any non-2xx answer, so each event is recorded once,
 * under `WEBHOOK#<provider>` / `EVENT#<id>`, by a conditional PutItem: the function's role can only
 * write, and the condition is what tells a first delivery from a repeat, with no read needed.
 */

const PROVIDER_PATTERN = /^[a-z0-9-]{1,32}$/;
const MAX_EVENT_ID_LENGTH = 256;
const MAX_EVENT_TYPE_LENGTH = 128;
/** Long enough to outlast any provider's retry schedule, after which TTL removes the record. */
const DEDUPLICATION_WINDOW_SECONDS = 30 * 24 * 60 * 60;

const table = readTableConfig();
const ttlAttribute = readTtlAttribute();
const db = createDocumentClient();
// Read at cold start but checked per request, so a missing secret answers 500 (and is logged) instead of
// crash-looping the function; it never falls back to accepting unsigned requests.
const signingSecret = process.env[WEBHOOK_SIGNING_SECRET_ENV];

function requiredString(body: Record<string, unknown>, field: string, maxLength: number): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '' || value.length > maxLength) {
    throw new HttpError(400, `\`${field}\` must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

const receiveWebhook: Route<HttpApiEvent> = async (event) => {
  if (signingSecret === undefined || signingSecret === '') {
    throw new Error(`environment variable ${WEBHOOK_SIGNING_SECRET_ENV} is not set: every webhook is refused`);
  }
  if (!hasValidSignature(rawBody(event), event.headers[WEBHOOK_SIGNATURE_HEADER], signingSecret)) {
    throw new HttpError(401, `missing or invalid \`${WEBHOOK_SIGNATURE_HEADER}\` header`);
  }
  const provider = pathParameter(event, 'provider');
  if (!PROVIDER_PATTERN.test(provider)) {
    throw new HttpError(400, `\`provider\` must be 1 to 32 lowercase letters, digits or "-", got: ${provider}`);
  }
  const body = jsonBody(event);
  const eventId = requiredString(body, 'id', MAX_EVENT_ID_LENGTH);
  const eventType = requiredString(body, 'type', MAX_EVENT_TYPE_LENGTH);
  try {
    await db.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          [table.partitionKey]: `WEBHOOK#${provider}`,
          [table.sortKey]: `EVENT#${eventId}`,
          entityType: 'WebhookEvent',
          provider,
          eventId,
          type: eventType,
          receivedAt: new Date().toISOString(),
          [ttlAttribute]: nowEpochSeconds() + DEDUPLICATION_WINDOW_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': table.partitionKey },
      }),
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) {
      // A repeat delivery is success for the provider: an error status would only make it retry again.
      return json(200, { status: 'duplicate' });
    }
    throw error;
  }
  return json(202, { status: 'accepted' });
};

const routes: Readonly<Record<string, Route<HttpApiEvent>>> = {
  'POST /webhooks/{provider}': receiveWebhook,
};

export const handler = async (event: HttpApiEvent): Promise<HttpResult> => dispatch(event, routes);
