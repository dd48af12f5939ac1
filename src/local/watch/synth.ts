/**
 * Runs a CDK app's synth command as the CDK CLI runs it: through the shell, from the project folder, with the
 * output folder and the context in the environment, its output kept for when it fails.
 */
import { spawn } from 'child_process';
import { synthEnvironment, type CdkProject } from './cdk-project';

export interface SynthResult {
  readonly ok: boolean;
  /** The command's exit code, or the signal that ended it. */
  readonly exit: string;
  /** Its standard output and error, interleaved as written. */
  readonly output: string;
  readonly durationMs: number;
}

export interface RunningSynth {
  readonly result: Promise<SynthResult>;
  /** Ends the command and whatever it started. */
  cancel(): void;
}

/** Most output kept from one synth: the end of it, where the error is. */
const MAX_OUTPUT_CHARS = 64 * 1024;

export function runSynth(project: CdkProject, outdir: string): RunningSynth {
  const started = Date.now();
  // A process group of its own, so that cancelling ends the app the shell started too, and a Ctrl-C meant for the
  // local API reaches it through us.
  const child = spawn(project.app, {
    cwd: project.dir,
    shell: true,
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...synthEnvironment(project, outdir) },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf-8');
    if (output.length > 2 * MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const result = new Promise<SynthResult>((resolve) => {
    const finish = (ok: boolean, exit: string) =>
      resolve({ ok, exit, output: output.slice(-MAX_OUTPUT_CHARS), durationMs: Date.now() - started });
    child.once('error', (error) => finish(false, `could not start: ${error.message}`));
    child.once('close', (code, signal) =>
      finish(code === 0, signal ? `ended by ${signal}` : `exit code ${code ?? 'unknown'}`),
    );
  });
  return {
    result,
    cancel: () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        if (process.platform === 'win32') child.kill();
        else process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    },
  };
}
