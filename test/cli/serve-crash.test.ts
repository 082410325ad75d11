import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { DOCUMENTED, duckdbRows, eventsSql, listFiles, tempDir } from '../local/helpers';

const ROOT = join(__dirname, '..', '..');
/** A buffer of 2 KiB: a flush every few puts, so kills land in flushes too. */
const SMALL_BUFFER = ['--buffer-mib', '0.002', '--buffer-seconds', '1'];

interface ServeProcess {
  child: ChildProcess;
  /** The port, once it listens (after it has replayed what earlier runs left in the spool). */
  listening: Promise<number>;
  stderr: () => string;
  /** Resolves once every process of the tree has closed its stderr, i.e. `serve` has ended. */
  ended: Promise<void>;
  /** How the process spawned (`serve`, or its parent) ended. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `serve` as a real process: `node --import tsx cli/src/bin.ts serve …`; or under a parent
 * that relays signals, in a process group of its own: the installed `bin/engagement-lake.js`, or
 * `npm run` (npm, a shell and tsx's own parent process).
 */
function spawnServe(lake: string, args: string[], via: 'node' | 'bin' | 'npm' = 'node'): ServeProcess {
  const serve = ['serve', '--port', '0', '--lake', lake, ...args];
  const options: SpawnOptions = { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], detached: via !== 'node' };
  const child =
    via === 'npm'
      ? spawn('npm', ['run', '-s', 'lake', '--', ...serve], options)
      : spawn(
          process.execPath,
          via === 'bin'
            ? ['bin/engagement-lake.js', ...serve]
            : ['--import', 'tsx', 'cli/src/bin.ts', ...serve],
          options,
        );
  let stderr = '';
  const ended = new Promise<void>((resolve) => child.stderr!.once('close', () => resolve()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    void ended.then(() => reject(new Error(`serve ended before listening: ${stderr}`)));
  });
  listening.catch(() => undefined); // a run killed while starting never listens
  return { child, listening, stderr: () => stderr, ended, exit };
}

function firehose(port: number): FirehoseClient {
  return new FirehoseClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
}

/** An SES event whose message id is `id`: each record is a distinct event (its own event_id). */
async function eventMaker(): Promise<(id: string) => string> {
  const [line] = (await readFile(join(DOCUMENTED, 'ses.ndjson'), 'utf8')).split('\n');
  return (id) => {
    const event = JSON.parse(line) as { mail: { messageId: string } };
    event.mail.messageId = id;
    return JSON.stringify(event);
  };
}

/** Puts one batch; resolves with the ids of the records the endpoint acknowledged (none if it failed). */
async function put(client: FirehoseClient, event: (id: string) => string, ids: string[]): Promise<string[]> {
  try {
    const result = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'events',
        Records: ids.map((id) => ({ Data: Buffer.from(event(id)) })),
      }),
    );
    return ids.filter((_, i) => result.RequestResponses?.[i]?.RecordId !== undefined);
  } catch {
    return []; // killed before answering: not acknowledged
  }
}

/** Puts 4,000 distinct events (40 batches of 100); resolves with the ids acknowledged. */
async function putMany(
  client: FirehoseClient,
  event: (id: string) => string,
  prefix: string,
): Promise<string[]> {
  const acknowledged: string[] = [];
  for (let batch = 0; batch < 40; batch++) {
    const ids = Array.from({ length: 100 }, (_, i) => `${prefix}-${batch}-${i}`);
    acknowledged.push(...(await put(client, event, ids)));
  }
  client.destroy();
  return acknowledged;
}

/** The message ids of the events in the lake (every Parquet file is read: an unreadable one fails). */
async function messageIdsInLake(lake: string): Promise<Set<string>> {
  const rows = await duckdbRows(eventsSql(lake, 'distinct message_id'));
  return new Set(rows.map((row) => String(row.message_id)));
}

/** Parquet files a `*.parquet` glob sees: published names only, never a temporary file. */
async function visibleParquet(lake: string): Promise<string[]> {
  return (await listFiles(lake)).filter((file) => file.endsWith('.parquet'));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A python3 with boto3: on PATH, or Debian's (python3-boto3) when another python3 comes first. */
function pythonWithBoto3(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import boto3']).status === 0) return python;
  }
  return null;
}

describe('serve never loses a record it acknowledged', () => {
  it('keeps every acknowledged record through 20 SIGKILLs at random moments: the next run delivers it', async () => {
    // Arrange
    const lake = await tempDir('serve-crash-');
    const event = await eventMaker();
    const acknowledged: string[] = [];
    const sent = new Set<string>();
    const endings: (NodeJS.Signals | null)[] = [];

    // Act
    for (let run = 0; run < 20; run++) {
      const serve = spawnServe(lake, SMALL_BUFFER);
      if (run % 5 === 4) {
        // While it starts: often while it replays what the runs before it left.
        await delay(Math.random() * 1500);
      } else {
        const client = firehose(await serve.listening);
        let stop = false;
        const producer = (async () => {
          for (let batch = 0; !stop; batch++) {
            const ids = Array.from({ length: 5 }, (_, i) => `crash-${run}-${batch}-${i}`);
            for (const id of ids) sent.add(id);
            acknowledged.push(...(await put(client, event, ids)));
          }
        })();
        await delay(50 + Math.random() * 700);
        serve.child.kill('SIGKILL');
        await serve.ended;
        stop = true;
        await producer;
        client.destroy();
      }
      serve.child.kill('SIGKILL');
      endings.push((await serve.exit).signal);
      await serve.ended;
    }
    const last = spawnServe(lake, SMALL_BUFFER);
    await last.listening;
    last.child.kill('SIGTERM');
    await last.ended;

    // Assert
    expect(endings).toEqual(Array.from({ length: 20 }, () => 'SIGKILL')); // crashes, never a close
    expect(acknowledged.length).toBeGreaterThan(100);
    const inLake = await messageIdsInLake(lake);
    expect(acknowledged.filter((id) => !inLake.has(id))).toEqual([]);
    expect([...inLake].filter((id) => !sent.has(id))).toEqual([]);
    const files = await visibleParquet(lake);
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => !/\/part-[0-9A-Z]{26}-\d{6}\.parquet$/.test(file))).toEqual([]);
    expect((await listFiles(lake)).filter((file) => file.startsWith('_spool/'))).toEqual([]);
  }, 150_000);

  it('finishes its delivery when the process group and a relaying parent each send SIGTERM, twice', async () => {
    // Arrange
    const lake = await tempDir('serve-signals-');
    const event = await eventMaker();
    const serve = spawnServe(lake, [], 'bin'); // 64 MiB / 60 s: everything waits for the close
    const acknowledged = await putMany(firehose(await serve.listening), event, 'signal');

    // Act
    process.kill(-serve.child.pid!, 'SIGTERM'); // a terminal, systemd or a container runtime
    await delay(20);
    process.kill(-serve.child.pid!, 'SIGTERM');
    const { code } = await serve.exit;
    await serve.ended;

    // Assert
    expect(acknowledged).toHaveLength(4000);
    expect(serve.stderr()).toMatch(/SIGTERM: still delivering \d+ records; they are safe in the spool\n/);
    expect(serve.stderr()).toContain('delivered 4000 records: 4000 rows');
    expect(code).toBe(0);
    const inLake = await messageIdsInLake(lake);
    expect(acknowledged.filter((id) => !inLake.has(id))).toEqual([]);
  }, 90_000);

  it('loses nothing under `npm run` and two group SIGTERMs, even when a parent kills it mid-flush', async () => {
    // Arrange
    const lake = await tempDir('serve-npm-');
    const event = await eventMaker();
    const serve = spawnServe(lake, [], 'npm');
    const acknowledged = await putMany(firehose(await serve.listening), event, 'npm');

    // Act
    process.kill(-serve.child.pid!, 'SIGTERM');
    await delay(20);
    process.kill(-serve.child.pid!, 'SIGTERM');
    await serve.ended; // tsx's parent may SIGKILL it when it answers a relayed signal late
    const next = spawnServe(lake, []);
    await next.listening;
    next.child.kill('SIGTERM');
    await next.ended;

    // Assert
    expect(acknowledged).toHaveLength(4000);
    const inLake = await messageIdsInLake(lake);
    expect(acknowledged.filter((id) => !inLake.has(id))).toEqual([]);
  }, 90_000);

  it('delivers what a boto3 producer put, as the issue reported it', async () => {
    // Arrange
    const python = pythonWithBoto3();
    if (python === null) {
      throw new Error('this test needs boto3 for python3: apt-get install python3-boto3');
    }
    const lake = await tempDir('serve-boto3-');
    const event = await eventMaker();
    const serve = spawnServe(lake, [], 'bin');
    const port = await serve.listening;
    const records = Array.from({ length: 50 }, (_, i) => event(`boto3-${i}`));
    const script = [
      'import json, sys, boto3',
      'port, records = int(sys.argv[1]), json.load(sys.stdin)',
      "client = boto3.client('firehose', endpoint_url=f'http://127.0.0.1:{port}', region_name='us-east-1',",
      "    aws_access_key_id='x', aws_secret_access_key='y')",
      "client.put_record(DeliveryStreamName='events', Record={'Data': records[0].encode()})",
      "result = client.put_record_batch(DeliveryStreamName='events', Records=[{'Data': r.encode()} for r in records[1:]])",
      "print(result['FailedPutCount'])",
    ].join('\n');

    // Act
    const producer = spawnSync(python, ['-c', script, String(port)], {
      input: JSON.stringify(records),
      encoding: 'utf8',
    });
    process.kill(-serve.child.pid!, 'SIGTERM');
    await serve.ended;

    // Assert
    expect(producer.stderr).toBe('');
    expect(producer.stdout.trim()).toBe('0');
    const inLake = await messageIdsInLake(lake);
    expect(Array.from({ length: 50 }, (_, i) => `boto3-${i}`).filter((id) => !inLake.has(id))).toEqual([]);
  }, 60_000);
});
