/**
 * Deploy-time step that creates the Athena views (custom resource, Provider framework).
 *
 * `onEvent` only validates and names the resource; `isComplete` does the work. It walks the planned
 * statements in order and starts each with a ClientRequestToken derived from the request id and the
 * statement's position, so every poll finds the same query executions again (Athena returns the
 * existing execution for a repeated token) and no state has to be carried between polls.
 * A FAILED or CANCELLED statement fails the deployment with Athena's reason.
 */
import { createHash } from 'node:crypto';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  QueryExecutionState,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  parseProperties,
  physicalId,
  plan,
  type RequestType,
  type Statement,
  type ViewsProperties,
} from './statements';

/** The part of a CloudFormation custom-resource event this step reads. */
export interface ViewsEvent {
  readonly RequestType: RequestType;
  readonly RequestId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** Builds the two handlers around one Athena client (injectable for tests). */
export function makeHandlers(client: AthenaClient) {
  async function onEvent(event: ViewsEvent): Promise<{ PhysicalResourceId: string }> {
    const props = parseProperties(event.ResourceProperties);
    return {
      PhysicalResourceId:
        event.RequestType === 'Create' ? physicalId(props) : (event.PhysicalResourceId ?? physicalId(props)),
    };
  }

  async function isComplete(event: ViewsEvent): Promise<{ IsComplete: boolean }> {
    const props = parseProperties(event.ResourceProperties);
    const oldProps = event.OldResourceProperties ? parseProperties(event.OldResourceProperties) : undefined;
    const statements = plan(event.RequestType, props, oldProps);
    for (const [index, statement] of statements.entries()) {
      const state = await runOnce(client, props, statement, token(event.RequestId, index, statement.sql));
      if (state === 'running') return { IsComplete: false };
    }
    return { IsComplete: true };
  }

  return { onEvent, isComplete };
}

/** Starts (or finds again) one statement and reports whether it is still running. */
async function runOnce(
  client: AthenaClient,
  props: ViewsProperties,
  statement: Statement,
  clientRequestToken: string,
): Promise<'done' | 'running'> {
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: statement.sql,
      QueryExecutionContext: { Database: props.Database },
      WorkGroup: props.WorkGroup,
      ClientRequestToken: clientRequestToken,
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new Error(`Athena returned no QueryExecutionId for: ${statement.sql}`);
  const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
  const state = QueryExecution?.Status?.State;
  if (state === QueryExecutionState.SUCCEEDED) return 'done';
  if (state === QueryExecutionState.FAILED || state === QueryExecutionState.CANCELLED) {
    const reason = QueryExecution?.Status?.StateChangeReason ?? 'no reason given';
    if (!statement.mustSucceed) {
      console.warn(
        JSON.stringify({ message: 'Ignoring failed drop on delete', sql: statement.sql, state, reason }),
      );
      return 'done';
    }
    throw new Error(`Athena ${state} (query ${id}): ${reason}\n${statement.sql}`);
  }
  return 'running';
}

/** A stable 64-character token per request and statement (Athena accepts 32 to 128). */
export function token(requestId: string, index: number, sql: string): string {
  return createHash('sha256').update(`${requestId}\n${index}\n${sql}`).digest('hex');
}

const handlers = makeHandlers(new AthenaClient({}));
export const onEvent = handlers.onEvent;
export const isComplete = handlers.isComplete;
