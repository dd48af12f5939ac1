import { CostFunction, CostInputs } from '../../src/cli/summary/cost/inputs';
import { Usage } from '../../src/cli/summary/cost/usage';

/** Inputs of a template with nothing in it; a test adds the resources it prices. */
export function inputs(overrides: Partial<CostInputs> = {}): CostInputs {
  return {
    apis: [],
    routes: [],
    functions: [],
    tables: [],
    alarms: [],
    dashboards: 0,
    customMetrics: 0,
    kmsKeys: 0,
    userPools: [],
    secrets: 0,
    ...overrides,
  };
}

/** A month with no usage; a test adds what it prices. */
export function usage(overrides: Partial<Usage> = {}): Usage {
  return {
    routeRequests: new Map(),
    apiRequests: new Map(),
    invocations: new Map(),
    durationMs: new Map(),
    tables: [],
    queues: [],
    events: 0,
    logs: [],
    secretCalls: 0,
    tracedInvocations: 0,
    ...overrides,
  };
}

export function fn(name: string, memoryMb: number, architecture = 'x86_64'): CostFunction {
  return { name, architecture, memoryMb, ephemeralMb: 512, tracing: false };
}

/** `actual` within 2% of `published`. */
export function expectWithin2Percent(actual: number, published: number): void {
  expect(Math.abs(actual - published)).toBeLessThanOrEqual(published * 0.02);
}
