/**
 * Every queue of the app in one place, alive for the whole local run: a reload keeps the messages of the queues it
 * keeps. It moves redriven messages to their dead-letter queues, wakes whoever waits for a queue (long polls, Lambda's
 * pollers) when a message becomes available, and keeps one timer for the next message to become visible or expire.
 */
import { SqsQueue, type ReceivedMessage, type SendInput, type SendResult, type StoredMessage } from './queue';
import type { LocalQueueModel } from '../workers-model';

/** Node keeps a timer at most this long. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface QueueBrokerOptions {
  readonly now?: () => number;
  /** Redrives, one line each. */
  readonly log: (line: string) => void;
}

export class QueueBroker {
  private readonly queues = new Map<string, SqsQueue>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: QueueBrokerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The app's queues from now on: those it keeps (by ARN) keep their messages and take the new settings. */
  update(models: readonly LocalQueueModel[]): void {
    const arns = new Set(models.map((model) => model.arn));
    for (const arn of this.queues.keys()) if (!arns.has(arn)) this.queues.delete(arn);
    for (const model of models) {
      const existing = this.queues.get(model.arn);
      if (existing) existing.model = model;
      else this.queues.set(model.arn, new SqsQueue(model, this.now()));
    }
    this.schedule();
  }

  byArn(arn: string): SqsQueue | undefined {
    return this.queues.get(arn);
  }

  /** A queue by its URL: any host (the template's or the local endpoint's), the path `/<account>/<name>`. */
  byUrl(url: string): SqsQueue | undefined {
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      return undefined;
    }
    const [, account, name] = path.split('/');
    return this.all().find((queue) => queue.model.queueName === name && queue.model.arn.split(':')[4] === account);
  }

  byName(name: string): SqsQueue | undefined {
    return this.all().find((queue) => queue.model.queueName === name);
  }

  all(): SqsQueue[] {
    return [...this.queues.values()];
  }

  send(queue: SqsQueue, input: SendInput): SendResult {
    const result = queue.send(input, this.now());
    this.changed(queue);
    return result;
  }

  /** Receives as SQS does, moving the messages past their redrive limit to the dead-letter queue first. */
  receive(queue: SqsQueue, max: number, visibilitySeconds = queue.model.visibilityTimeoutSeconds): ReceivedMessage[] {
    const now = this.now();
    const { received, redriven } = queue.receive(max, visibilitySeconds, now);
    for (const message of redriven) this.redrive(queue, message, now);
    this.schedule();
    return received;
  }

  delete(queue: SqsQueue, receiptHandle: string): void {
    queue.delete(receiptHandle);
    this.changed(queue);
  }

  changeVisibility(queue: SqsQueue, receiptHandle: string, seconds: number): void {
    queue.changeVisibility(receiptHandle, seconds, this.now());
    this.changed(queue);
  }

  purge(queue: SqsQueue): boolean {
    const purged = queue.purge(this.now());
    this.changed(queue);
    return purged;
  }

  /**
   * Resolves true as soon as the queue has a message to receive, or false after `timeoutMs` (or when the broker
   * closes, or `cancelled` says so).
   */
  waitForMessages(queue: SqsQueue, timeoutMs: number, cancelled?: () => boolean): Promise<boolean> {
    if (queue.hasAvailable(this.now())) return Promise.resolve(true);
    if (timeoutMs <= 0 || this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const arn = queue.model.arn;
      const waiters = this.waiters.get(arn) ?? new Set();
      this.waiters.set(arn, waiters);
      const done = (available: boolean) => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(available);
      };
      const wake = () => {
        if (this.closed || cancelled?.()) done(false);
        else if (queue.hasAvailable(this.now())) done(true);
      };
      const timer = setTimeout(() => done(queue.hasAvailable(this.now())), timeoutMs);
      waiters.add(wake);
    });
  }

  /** Wakes every waiter of every queue (so a cancelled one can leave). */
  wakeAll(): void {
    for (const waiters of this.waiters.values()) for (const wake of [...waiters]) wake();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.wakeAll();
  }

  private redrive(queue: SqsQueue, message: StoredMessage, now: number): void {
    const target = queue.model.redrive && this.queues.get(queue.model.redrive.deadLetterQueueArn);
    const where = target ? `moved to ${target.model.queueName}` : 'dropped (its dead-letter queue is not local)';
    this.options.log(
      `message ${message.messageId} of ${queue.model.queueName} was received ${message.receiveCount} time${message.receiveCount === 1 ? '' : 's'} (maxReceiveCount ${queue.model.redrive?.maxReceiveCount}): ${where}`,
    );
    if (!target) return;
    target.accept(message, now);
    this.changed(target);
  }

  private changed(queue: SqsQueue): void {
    for (const wake of [...(this.waiters.get(queue.model.arn) ?? [])]) wake();
    this.schedule();
  }

  /** One timer, for the earliest moment a message of any queue becomes visible or expires. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    const now = this.now();
    let next: number | undefined;
    for (const queue of this.queues.values()) {
      const at = queue.nextChange(now);
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    if (next === undefined) return;
    this.timer = setTimeout(() => this.tick(), Math.min(Math.max(next - now, 0), MAX_TIMER_MS));
    this.timer.unref();
  }

  private tick(): void {
    const now = this.now();
    for (const queue of this.queues.values()) {
      queue.expire(now);
      if (queue.hasAvailable(now)) for (const wake of [...(this.waiters.get(queue.model.arn) ?? [])]) wake();
    }
    this.schedule();
  }
}
