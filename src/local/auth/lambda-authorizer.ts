/**
 * Lambda authorizers (TOKEN and REQUEST, both API types) run through the `FunctionInvoker`, with their results cached
 * by identity source values and re-evaluated against each request's ARN.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 */
import type { AuthorizationInput, AuthOutcome, FunctionInvoker, InvokeOutcome } from '../contracts';
import type { LocalAppModel, LocalLambdaRequestAuthorizerModel, LocalLambdaTokenAuthorizerModel } from '../model';
import { identitySourceValue } from './identity-source';
import { readPolicyResult, readSimpleResult, type AuthorizerResult, type ResultRead } from './lambda-result';
import { evaluatePolicy } from './policy';
import { cacheKey, ResultCache } from './result-cache';

/** An HTTP API stops waiting for its Lambda authorizer after 10 seconds (and answers 500). */
export const HTTP_AUTHORIZER_TIMEOUT_MS = 10_000;

export interface LambdaAuthorizerOptions {
  readonly app: LocalAppModel;
  readonly model: LocalLambdaRequestAuthorizerModel | LocalLambdaTokenAuthorizerModel;
  readonly invoker: FunctionInvoker;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

export class LambdaAuthorizer {
  private readonly cache: ResultCache<AuthorizerResult>;
  private readonly sources: readonly string[];
  private readonly tokenPattern?: RegExp | Error;

  constructor(private readonly options: LambdaAuthorizerOptions) {
    const model = options.model;
    this.sources = model.kind === 'lambda-token' ? [model.identitySource] : model.identitySource;
    // Caching needs an identity source to key on.
    this.cache = new ResultCache(this.sources.length > 0 ? model.resultTtlSeconds : 0, options.now);
    if (model.kind === 'lambda-token' && model.validationRegex !== undefined) {
      try {
        // API Gateway matches the whole token against the expression.
        this.tokenPattern = new RegExp(`^(?:${model.validationRegex})$`);
      } catch (error) {
        this.tokenPattern = error as Error;
      }
    }
  }

  public async authorize(input: AuthorizationInput): Promise<AuthOutcome> {
    const { app, model } = this.options;
    const values = this.sources.map((source) => identitySourceValue(source, app, input.matched));
    const absent = this.sources.filter((_, index) => !values[index]);
    // A REST REQUEST authorizer without caching checks nothing before it runs; every other one needs every source.
    const validates = !(app.api.type === 'REST' && model.kind === 'lambda-request' && !this.cache.enabled);
    if (validates && absent.length > 0) {
      return this.fail(
        'missing',
        `identity source ${absent.join(', ')} is missing or empty: the authorizer is not invoked`,
      );
    }
    const present = values.filter((value): value is string => !!value);
    if (this.tokenPattern instanceof Error) {
      return this.fail(
        'authorizer-error',
        `its validationRegex ${JSON.stringify(model.kind === 'lambda-token' ? model.validationRegex : '')} is not a valid expression: ${this.tokenPattern.message}`,
      );
    }
    if (this.tokenPattern && !this.tokenPattern.test(present[0])) {
      return this.fail('unauthorized', 'the token does not match the validationRegex: the authorizer is not invoked');
    }
    const key = cacheKey(present);
    const cached = this.cache.enabled ? this.cache.get(key) : undefined;
    if (cached) return this.decide(cached, input, 0);

    const type = model.kind === 'lambda-token' ? 'TOKEN' : 'REQUEST';
    const outcome = await this.invoke(input.lambdaAuthorizerEvent(type, present), input.matched.request.requestId);
    if (outcome.status === 'error') {
      if (outcome.errorMessage === 'Unauthorized') {
        return this.fail('unauthorized', 'the authorizer failed with "Unauthorized"');
      }
      return this.fail('authorizer-error', `the authorizer failed: ${outcome.errorType}: ${outcome.errorMessage}`);
    }
    if (outcome.status === 'timeout') return this.fail('authorizer-error', 'the authorizer timed out');
    if (outcome.status === 'throttled') {
      return this.fail('authorizer-error', 'the authorizer was throttled (its reserved concurrency is used up)');
    }
    const read = this.read(outcome.payload);
    if (!read.ok) return this.fail('authorizer-error', `API Gateway cannot read its answer: ${read.reason}`);
    this.cache.set(key, read.result);
    return this.decide(read.result, input, Math.round(outcome.durationMs));
  }

  private read(payload: unknown): ResultRead {
    const { app, model } = this.options;
    if (app.api.type === 'HTTP' && model.kind === 'lambda-request' && model.simpleResponses) {
      return readSimpleResult(payload);
    }
    return readPolicyResult(payload, app.api.type);
  }

  private decide(result: AuthorizerResult, input: AuthorizationInput, latencyMs: number): AuthOutcome {
    const { app } = this.options;
    if (result.kind === 'simple') {
      if (!result.isAuthorized) return this.fail('denied', 'the authorizer answered isAuthorized: false', 'Forbidden');
      return { ok: true, authorizer: { lambda: result.context } };
    }
    const arn = input.requestArn;
    const verdict = evaluatePolicy(result.policy, arn);
    if (verdict.note) this.log(verdict.note);
    if (!verdict.allowed) {
      return this.fail('denied', `its policy does not allow execute-api:Invoke on ${arn}`, verdict.message);
    }
    if (app.api.type === 'HTTP') {
      return { ok: true, authorizer: { lambda: result.context }, principalId: result.principalId };
    }
    return {
      ok: true,
      authorizer: {
        principalId: result.principalId,
        integrationLatency: latencyMs,
        ...withoutReserved(result.context),
      },
      principalId: result.principalId,
      usageIdentifierKey: result.usageIdentifierKey,
    };
  }

  /** Invokes the function; an HTTP API gives up after its authorizer timeout. */
  private async invoke(event: unknown, requestId: string): Promise<InvokeOutcome> {
    const { app, invoker, model } = this.options;
    const invocation = invoker
      .invoke(model.functionId, event, { requestId })
      .catch((error: unknown): InvokeOutcome => ({
        status: 'error',
        errorType: 'InvokeError',
        errorMessage: error instanceof Error ? error.message : String(error),
        durationMs: 0,
      }));
    if (app.api.type !== 'HTTP') return invocation;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<InvokeOutcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 'timeout', durationMs: HTTP_AUTHORIZER_TIMEOUT_MS }),
        HTTP_AUTHORIZER_TIMEOUT_MS,
      );
      timer.unref();
    });
    try {
      return await Promise.race([invocation, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private fail(failure: Exclude<AuthOutcome, { ok: true }>['failure'], detail: string, message?: string): AuthOutcome {
    this.log(detail);
    return { ok: false, failure, message: message ?? detail };
  }

  private log(detail: string): void {
    const { model } = this.options;
    this.options.log(`authorizer ${model.name} (function ${model.functionId}): ${detail}`);
  }
}

/** The context keys that would hide `principalId` or `integrationLatency` are left out, as those two come first. */
function withoutReserved(context: { readonly [key: string]: unknown } | null): { [key: string]: unknown } {
  const { principalId: _p, integrationLatency: _l, ...rest } = context ?? {};
  return rest;
}
