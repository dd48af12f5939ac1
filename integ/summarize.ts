/**
 * Prints what a synthesized cloud assembly really defines for a serverless API, so a reviewer can audit it.
 *
 * It reads the CloudFormation templates only, never the CDK source: the point is to report what was
 * synthesized, not what the code meant to synthesize.
 *
 * Usage: ts-node --project tsconfig.dev.json integ/summarize.ts <cloud-assembly-dir> [--json]
 */
import { main } from '../src/cli/summary';

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
