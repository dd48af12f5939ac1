/**
 * Small asset bundles written to a temporary folder, and the function models that point at them, so the runner's
 * tests run real code without synthesizing stacks.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LocalFunctionModel } from '../../../src/local/model';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';

/** A folder of bundles, removed by `remove()`. */
export class BundleFolder {
  readonly root = mkdtempSync(join(tmpdir(), 'lambda-runner-test-'));

  /** Writes `files` (path -> contents) into `<root>/<name>` and returns that folder. */
  bundle(name: string, files: { [path: string]: string }): string {
    const dir = join(this.root, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  /** An empty folder, as a module root without `node_modules`. */
  emptyFolder(name: string): string {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function functionModel(
  logicalId: string,
  codeDir: string,
  overrides: Partial<LocalFunctionModel> = {},
): LocalFunctionModel {
  const functionName = `TestStack-${logicalId}-AbC123`;
  return {
    logicalId,
    name: logicalId.toLowerCase(),
    functionName,
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    logFormat: 'Text',
    architecture: 'arm64',
    codeDir,
    environment: {},
    timeoutSeconds: 3,
    memorySize: 256,
    role: { logicalId: `${logicalId}Role`, arn: `arn:aws:iam::${ACCOUNT}:role/${logicalId}Role`, statements: [] },
    logGroupName: `/aws/lambda/${functionName}`,
    ...overrides,
  };
}

/** Log events by function name, in order. */
export class LogCapture {
  readonly events: { fn: string; line: string }[] = [];
  readonly log = (fn: string, line: string) => {
    this.events.push({ fn, line });
  };

  lines(fn?: string): string[] {
    return this.events.filter((event) => fn === undefined || event.fn === fn).map((event) => event.line);
  }
}
