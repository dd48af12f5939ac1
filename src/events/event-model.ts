import { Duration, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import { ApiEventBus, ApiEventBusType } from './event-bus';
import { EventsOptions, EventWorkerOptions } from './event-options';
import { AWS_SOURCE_PREFIX } from '../functions/function-publishes';
import { WorkerModel } from '../functions/worker-function';
import {
  checkInteger,
  checkPattern,
  checkSeconds,
  checkUnique,
  fail,
  IDENTIFIER_NAME,
  IDENTIFIER_NAME_RULE,
  isLiteral,
} from '../private/validation';

/**
 * The API's event bus and its event workers, checked and resolved before anything is built: the limits of EventBridge
 * rules and targets and of Lambda's asynchronous invocation.
 *
 * EventBridge target retries: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html
 * Lambda's own retries: https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
 * Event patterns: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
 */

export const EVENT_WORKER_DEFAULTS = {
  /** EventBridge's own defaults: retry a refused invocation for up to a day. */
  retryAttempts: 185,
  maxEventAge: Duration.hours(24),
  /** Lambda's own defaults for asynchronous invocations. */
  functionRetryAttempts: 2,
  functionMaxEventAge: Duration.hours(6),
};

const MAX_RETRY_ATTEMPTS = 185;
const MAX_EVENT_AGE_SECONDS = 86400;
const MAX_FUNCTION_RETRY_ATTEMPTS = 2;
const MAX_FUNCTION_EVENT_AGE_SECONDS = 6 * 3600;
/** PutRule takes an event pattern of at most 4,096 characters. */
const MAX_PATTERN_LENGTH = 4096;
/** A custom bus's name (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html). */
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const MAX_SOURCE_LENGTH = 256;
const MAX_DETAIL_TYPE_LENGTH = 128;

/** The event pattern of a worker's rule, as EventBridge matches it. */
export interface EventPatternModel {
  readonly source: string[];
  readonly 'detail-type'?: string[];
  readonly detail?: { [key: string]: any };
}

/** An event worker, resolved: what its rule, target and dead-letter queue are built from. */
export interface EventWorkerModel {
  readonly name: string;
  /** Where it is declared, for messages: `events.workers.<name>`. */
  readonly prop: string;
  readonly pattern: EventPatternModel;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  readonly functionRetryAttempts: number;
  readonly functionMaxEventAge: Duration;
  readonly worker: WorkerModel;
}

/** The API's `events`, resolved. */
export interface EventsModel {
  readonly bus: ApiEventBus;
  readonly workers: EventWorkerModel[];
}

/** Checks the bus and its options, before any function is checked against the bus it publishes to. */
export function resolveEventBus(options: EventsOptions | undefined, stack: Stack): ApiEventBus {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    fail('events', 'be the options of the API event bus and its workers, `{ bus, workers }`', options);
  }
  const bus = options?.bus ?? ApiEventBus.default();
  const types = Object.values(ApiEventBusType);
  // JavaScript callers get no type check: a bus name given as a string would otherwise be ignored.
  if (typeof bus !== 'object' || bus === null || !types.includes((bus as ApiEventBus).type)) {
    fail('events.bus', 'be an ApiEventBus: ApiEventBus.default(), create() or fromBus()', bus);
  }
  if (bus.type === ApiEventBusType.CREATED) {
    const name = bus.props?.eventBusName;
    if (name !== undefined && isLiteral(name)) {
      checkPattern(
        'events.bus.eventBusName',
        name,
        BUS_NAME,
        'be 1 to 256 letters, digits and "/", ".", "-", "_" (EventBridge\'s rule for bus names)',
      );
      if (name === 'default') {
        fail(
          'events.bus.eventBusName',
          'not be "default": use ApiEventBus.default() for the account\'s default bus',
          name,
        );
      }
    }
    const retention = bus.props?.archiveRetention;
    if (retention !== undefined && isLiteral(retention)) {
      const days = retention.toDays({ integral: false });
      if (!Number.isInteger(days) || days < 1) {
        fail(
          'events.bus.archiveRetention',
          'be whole days, at least 1: an archive kept forever is paid for forever',
          retention,
        );
      }
    }
  }
  if (bus.type === ApiEventBusType.EXISTING) {
    const existing = bus.bus;
    if (typeof existing?.eventBusArn !== 'string') {
      fail(
        'events.bus',
        'be given an events.IEventBus (EventBus.fromEventBusName() or fromEventBusArn())',
        typeof existing,
      );
    }
    // Rules live on a bus of their own account, and publishers name the bus, which names one in their own account.
    for (const [dimension, value, own] of [
      ['account', existing.env.account, stack.account],
      ['region', existing.env.region, stack.region],
    ]) {
      if (Token.compareStrings(value, own) === TokenComparison.DIFFERENT) {
        fail(
          'events.bus',
          `be a bus of the stack's ${dimension} (${own}): its rules and publishers use it by name`,
          existing.eventBusArn,
        );
      }
    }
  }
  return bus;
}

/**
 * Checks the event workers and resolves them; `addWorker` checks each worker against the API (its name, its function
 * options, its alarms) and declares it.
 */
export function resolveEvents(
  options: EventsOptions | undefined,
  bus: ApiEventBus,
  addWorker: (name: string, prop: string, worker: EventWorkerOptions) => WorkerModel,
): EventsModel {
  const workers = Object.entries(options?.workers ?? {}).map(([name, worker]) => {
    const prop = `events.workers.${name}`;
    checkPattern('events.workers', name, IDENTIFIER_NAME, IDENTIFIER_NAME_RULE);
    // JavaScript callers get no type check: a missing worker would otherwise fail deep inside the model.
    if (typeof worker !== 'object' || worker === null) {
      fail(prop, "be the worker's options, with at least its `entry` and `sources`", worker);
    }
    const pattern = eventPattern(prop, worker, bus);
    checkInteger(`${prop}.retryAttempts`, worker.retryAttempts, 0, MAX_RETRY_ATTEMPTS);
    checkSeconds(
      `${prop}.maxEventAge`,
      worker.maxEventAge,
      60,
      MAX_EVENT_AGE_SECONDS,
      "between 1 minute and 24 hours (EventBridge's limits)",
    );
    checkInteger(`${prop}.functionRetryAttempts`, worker.functionRetryAttempts, 0, MAX_FUNCTION_RETRY_ATTEMPTS);
    checkSeconds(
      `${prop}.functionMaxEventAge`,
      worker.functionMaxEventAge,
      60,
      MAX_FUNCTION_EVENT_AGE_SECONDS,
      "between 1 minute and 6 hours (Lambda's limits for asynchronous invocations)",
    );
    return {
      name,
      prop,
      pattern,
      retryAttempts: worker.retryAttempts ?? EVENT_WORKER_DEFAULTS.retryAttempts,
      maxEventAge: worker.maxEventAge ?? EVENT_WORKER_DEFAULTS.maxEventAge,
      functionRetryAttempts: worker.functionRetryAttempts ?? EVENT_WORKER_DEFAULTS.functionRetryAttempts,
      functionMaxEventAge: worker.functionMaxEventAge ?? EVENT_WORKER_DEFAULTS.functionMaxEventAge,
      worker: addWorker(name, prop, worker),
    };
  });
  return { bus, workers };
}

/** The worker's event pattern: its sources, its detail types and its detail filter. */
function eventPattern(prop: string, worker: EventWorkerOptions, bus: ApiEventBus): EventPatternModel {
  const { sources, detailTypes, detail } = worker;
  if (!Array.isArray(sources) || sources.length === 0) {
    fail(`${prop}.sources`, 'list at least one `source` of the events the worker takes', sources);
  }
  sources.forEach((source, i) => {
    checkText(`${prop}.sources[${i}]`, source, MAX_SOURCE_LENGTH);
    // AWS services put their events on the default bus only (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html).
    if (isLiteral(source) && source.startsWith(AWS_SOURCE_PREFIX) && bus.type === ApiEventBusType.CREATED) {
      fail(
        `${prop}.sources[${i}]`,
        `not start with "${AWS_SOURCE_PREFIX}" on a bus the API creates: AWS services send their events to the default bus only`,
        source,
      );
    }
  });
  checkUnique(`${prop}.sources`, sources, (source) => source);
  if (detailTypes !== undefined) {
    if (!Array.isArray(detailTypes) || detailTypes.length === 0) {
      fail(`${prop}.detailTypes`, 'list at least one detail type, or be left out for all of them', detailTypes);
    }
    detailTypes.forEach((type, i) => checkText(`${prop}.detailTypes[${i}]`, type, MAX_DETAIL_TYPE_LENGTH));
    checkUnique(`${prop}.detailTypes`, detailTypes, (type) => type);
  }
  if (detail !== undefined && (typeof detail !== 'object' || detail === null || Array.isArray(detail))) {
    fail(`${prop}.detail`, 'be an event pattern object on the detail, such as `{ status: ["PAID"] }`', detail);
  }
  const pattern: EventPatternModel = {
    source: [...sources],
    ...(detailTypes ? { 'detail-type': [...detailTypes] } : {}),
    ...(detail ? { detail } : {}),
  };
  if (!Token.isUnresolved(JSON.stringify(pattern))) {
    const length = JSON.stringify(pattern).length;
    if (length > MAX_PATTERN_LENGTH) {
      fail(
        prop,
        `have an event pattern of at most ${MAX_PATTERN_LENGTH} characters (EventBridge's limit): list fewer sources or detail types`,
        `${length} characters`,
      );
    }
  }
  return pattern;
}

/** A string of 1 to `max` characters; tokens are not checked. */
function checkText(prop: string, value: string, max: number): void {
  if (typeof value !== 'string') fail(prop, 'be a string', value);
  if (isLiteral(value) && (value.length < 1 || value.length > max)) fail(prop, `be 1 to ${max} characters`, value);
}
