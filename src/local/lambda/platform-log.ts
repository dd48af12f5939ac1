/**
 * The lines Lambda itself writes to a function's log around each invocation: START, END and REPORT (duration,
 * billed duration, memory, init duration on cold starts), INIT_REPORT when init fails, `Task timed out`, and the
 * runtime's exit. In the text format they look as CloudWatch shows them
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html); with the JSON log format
 * (`AWS_LAMBDA_LOG_FORMAT=JSON`) they are the `platform.*` records of
 * https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html.
 */

export type InvocationStatus = 'success' | 'error' | 'timeout';

export interface ReportFigures {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Only on the invocation that started the environment. */
  readonly initDurationMs?: number;
  readonly status: InvocationStatus;
  readonly errorType?: string;
}

/** Writes platform lines for one function in its log format. */
export class PlatformLog {
  constructor(
    private readonly write: (line: string) => void,
    private readonly json: boolean,
  ) {}

  start(requestId: string): void {
    this.write(
      this.json
        ? record('platform.start', { requestId, version: '$LATEST' })
        : `START RequestId: ${requestId} Version: $LATEST`,
    );
  }

  end(requestId: string, status: InvocationStatus, durationMs: number, errorType?: string): void {
    this.write(
      this.json
        ? record('platform.runtimeDone', {
            requestId,
            status,
            ...(errorType ? { errorType } : {}),
            metrics: { durationMs: round2(durationMs) },
          })
        : `END RequestId: ${requestId}`,
    );
  }

  report(figures: ReportFigures): void {
    // Since August 2025 the init phase of on-demand environments is billed with the invocation that ran it
    // (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/).
    const billedMs = Math.ceil(figures.durationMs + (figures.initDurationMs ?? 0));
    if (this.json) {
      this.write(
        record('platform.report', {
          requestId: figures.requestId,
          metrics: {
            durationMs: round2(figures.durationMs),
            billedDurationMs: billedMs,
            memorySizeMB: figures.memorySizeMb,
            maxMemoryUsedMB: figures.maxMemoryUsedMb,
            ...(figures.initDurationMs !== undefined ? { initDurationMs: round2(figures.initDurationMs) } : {}),
          },
          status: figures.status,
          ...(figures.errorType ? { errorType: figures.errorType } : {}),
        }),
      );
      return;
    }
    const fields = [
      `REPORT RequestId: ${figures.requestId}`,
      `Duration: ${figures.durationMs.toFixed(2)} ms`,
      `Billed Duration: ${billedMs} ms`,
      `Memory Size: ${figures.memorySizeMb} MB`,
      `Max Memory Used: ${figures.maxMemoryUsedMb} MB`,
    ];
    if (figures.initDurationMs !== undefined) fields.push(`Init Duration: ${figures.initDurationMs.toFixed(2)} ms`);
    if (figures.status !== 'success') fields.push(`Status: ${figures.status}`);
    if (figures.errorType) fields.push(`Error Type: ${figures.errorType}`);
    this.write(fields.join('\t'));
  }

  /** An init phase that failed or ran past Lambda's 10-second init limit. */
  initReport(initDurationMs: number, status: 'error' | 'timeout', errorType?: string): void {
    if (this.json) {
      this.write(
        record('platform.initReport', {
          initializationType: 'on-demand',
          phase: 'init',
          status,
          ...(errorType ? { errorType } : {}),
          metrics: { durationMs: round2(initDurationMs) },
        }),
      );
      return;
    }
    const fields = [`INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms`, 'Phase: init', `Status: ${status}`];
    if (errorType) fields.push(`Error Type: ${errorType}`);
    this.write(fields.join('\t'));
  }

  /** Lambda's own words, stamped like a function's line: `<time> <request id> Task timed out after 3.00 seconds`. */
  timedOut(requestId: string, elapsedMs: number): void {
    this.write(
      `${new Date().toISOString()} ${requestId} Task timed out after ${(elapsedMs / 1000).toFixed(2)} seconds`,
    );
  }

  /** The runtime process ended without answering: `Runtime.ExitError` and the like. */
  runtimeExited(requestId: string, reason: string, errorType: string): void {
    this.write(`RequestId: ${requestId} Error: ${reason}\n${errorType}`);
  }
}

function record(type: string, body: { [key: string]: unknown }): string {
  return JSON.stringify({ time: new Date().toISOString(), type, record: body });
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
