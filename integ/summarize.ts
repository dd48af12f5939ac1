/**
 * Prints what a synthesized cloud assembly really defines for a serverless API, so a reviewer can audit it:
 * the package's `serverless-api summary` command, run from the sources.
 *
 * Usage: ts-node --project tsconfig.dev.json integ/summarize.ts <cloud-assembly-dir> [--stack NAME] [--json]
 */
import { main } from '../src/cli/main';

if (require.main === module) {
  void main(['summary', ...process.argv.slice(2)]).then((code) => (process.exitCode = code));
}
