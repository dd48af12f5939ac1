/**
 * `cdk-serverless-api/testing`: run the API of a synthesized app locally and drive it over HTTP from any test
 * runner. TypeScript and JavaScript only, outside the construct API.
 */
export { LocalApi } from './local-api';
export type { LocalApiStartOptions, LocalEventEntry, LocalTokenOptions } from './local-api';
export { LocalQueue } from './local-queue';
export type { LocalQueueMessage, LocalSendOptions } from './local-queue';
export type { WorkerInvocation } from '../local/workers/invocations';
export type { InvokeOutcome } from '../local/contracts';
export { LocalTable } from './local-table';
export type { LocalTableCall, LocalTableClientConfig } from './local-table';
export type { PlainItem } from './dynamodb-json';
export type { LocalAppModel } from '../local/model';
