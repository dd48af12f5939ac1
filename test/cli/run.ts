import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { main } from '../../src/cli/main';

/** The repository root: its node_modules holds the cdk-nag the check command loads. */
export const ROOT = path.join(__dirname, '..', '..');
export const TASK_BOARD_SNAPSHOT = path.join(ROOT, 'integ', 'integ.task-board.ts.snapshot');
export const REST_API_SNAPSHOT = path.join(ROOT, 'integ', 'integ.rest-api.ts.snapshot');

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the command line in process, as the bin does, capturing what it prints. */
export async function runCli(args: string[], cwd = ROOT): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (text) => (out += text), err: (text) => (err += text), cwd });
  return { code, out, err };
}

/** Folders made by one suite, removed by `removeTempDirs()` after it. */
const tempDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `serverless-api-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  tempDirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
}

/** A real cloud assembly, synthesized into a fresh folder outside the repository. */
export function synthesize(build: (app: App) => void, context: Record<string, unknown> = {}): string {
  const dir = tempDir('assembly');
  const app = new App({ outdir: dir, context });
  build(app);
  app.synth();
  return dir;
}
