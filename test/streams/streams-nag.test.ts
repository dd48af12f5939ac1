import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ServerlessApi, TableEncryption } from '../../src';
import { defaultProps, ENV, HANDLER_ENTRY, newStack } from '../helpers/api';

/**
 * cdk-nag over an API with stream workers, traced and untraced, on a table with a customer-managed key: every finding is
 * acknowledged with its reason (the ListStreams wildcard, the dead-letter queues that are themselves the end of the
 * line), and the Serverless pack's rule on event source mappings (an on-failure destination) passes without one.
 */

function findings(stack: Stack, rule?: string): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(stack)
      .violations.filter((v) => rule === undefined || v.ruleName === rule)
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`)),
  );
}

let stack: Stack;
beforeAll(() => {
  stack = newStack({ env: ENV });
  new ServerlessApi(stack, 'Api', {
    ...defaultProps(),
    table: { encryption: TableEncryption.customerManaged() },
    tableStream: {
      workers: {
        changes: { entry: HANDLER_ENTRY },
        untraced: { entry: HANDLER_ENTRY, tracing: false },
      },
    },
  });
});

test('GIVEN stream workers THEN cdk-nag finds nothing unacknowledged', () => {
  expect(findings(stack)).toEqual([]);
});

test("GIVEN stream workers THEN the untraced worker's only wildcard, ListStreams, is acknowledged where its role is, with its reason", () => {
  const worker = stack.node.findAll().find((c) => c.node.path === 'Test/Api/Workers/untraced')!;
  const acknowledged = Object.assign(
    {},
    ...worker.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((m) => m.data as { [id: string]: string }),
  );
  const reason =
    "dynamodb:ListStreams, which Lambda's DynamoDB event source mapping needs, supports no resource-level permission: it lists stream ARNs, never records; reading records is allowed on the table's stream only.";
  expect(Object.entries(acknowledged).map(([id, text]) => [id.replace(/^annotation::/i, ''), text])).toEqual([
    ['AwsSolutions-IAM5[Resource::*]', reason],
    ['Serverless-LambdaStarPermissions', reason],
  ]);
});
