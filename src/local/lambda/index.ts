export { createFunctionRunner, type FunctionRunner, type FunctionRunnerOptions } from './function-runner';
export type { FunctionStats } from './function-pool';
