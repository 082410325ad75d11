import { Command, Option } from 'commander';
import { PII_FLAG, PII_HELP } from './pii-option';

/** Collects a repeatable option (`--param a=1 --param b=2`). */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * The command table. Each action lazily imports its command module, so `--help` and small
 * commands never load DuckDB, Arrow or the AWS SDK. Commands validate their own options and throw
 * `UserInputError` with a one-line message; `index.ts` turns that into an exit code.
 */
export function buildProgram(): Command {
  const program = new Command()
    .name('engagement-lake')
    .description(
      'Keep engagement events (Pinpoint, SES, End User Messaging, app events) in a Parquet lake and query them with SQL.',
    )
    .option('--debug', 'print stack traces for errors')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  program
    .command('generate')
    .description('Write realistic synthetic events as NDJSON, deterministic for a seed.')
    .requiredOption('--events <n>', 'number of events to write')
    .option('--seed <s>', 'random seed', '1')
    .option('--days <d>', 'number of days the events span', '30')
    .option(
      '--start <YYYY-MM-DD>',
      'first day (default: --days days before today, UTC); pass it to get the same output on any day',
    )
    .option('--duplicates <rate>', 'fraction of lines redelivered again (at-least-once delivery)', '0')
    .option('--out <file>', "output file, or '-' for stdout", '-')
    .addHelpText(
      'after',
      '\nExample:\n  engagement-lake generate --events 10000 --seed 7 --out events.ndjson',
    )
    .action(async (options) => {
      await (await import('./commands/generate')).runGenerate(options);
    });

  program
    .command('ingest')
    .description(
      'Transform NDJSON, .gz, folders, S3 objects or stdin into the Parquet lake (folder or S3), as Firehose would; resumable.',
    )
    .argument(
      '<inputs...>',
      "files, folders (recursive), s3://bucket/prefix/, s3://bucket/key, or '-' for stdin",
    )
    .option('--lake <dir|s3://bucket/prefix/>', 'lake folder or S3 prefix', 'lake')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (path-style) for s3:// inputs and lake')
    .option(
      '--restart',
      'read every input again, ignoring the lake’s checkpoint: events of sources already in the lake are stored a second time (events_unique shows each once)',
    )
    .option('--dry-run', 'list what would be read and where it would go; read and write nothing')
    .option('--commit-mib <n>', 'checkpoint after every n MiB of input (larger: fewer, larger files)', '256')
    .option('--no-raw', 'do not keep each event’s JSON text in the raw column')
    .option(PII_FLAG, PII_HELP, 'keep')
    .option('--json', 'print the summary as one JSON object')
    .option('--compact', 'afterwards, rewrite each partition into one compacted file (see `compact`)')
    .addHelpText(
      'after',
      '\nExamples:\n  engagement-lake ingest archive/2024/ events.ndjson.gz --lake ./lake --compact\n  engagement-lake ingest s3://my-archive/pinpoint/ --lake s3://my-lake/ --dry-run\n\nA killed run, started again with the same arguments, goes on where it stopped.',
    )
    .action(async (inputs, options) => {
      await (await import('./commands/ingest')).runIngest(inputs, options);
    });

  program
    .command('serve')
    .description('Serve a local Firehose endpoint (PutRecord, PutRecordBatch) that delivers into the lake.')
    .option('--port <p>', 'port to listen on (127.0.0.1)', '4573')
    .option('--lake <dir>', 'lake folder', 'lake')
    .option('--buffer-seconds <s>', 'flush buffered records after this many seconds', '60')
    .option('--buffer-mib <m>', 'flush buffered records after this many MiB', '64')
    .option(PII_FLAG, PII_HELP, 'keep')
    .addOption(
      new Option(
        '--stream <name>',
        'accept only this delivery stream name (repeatable); others get ResourceNotFoundException, as on AWS',
      )
        .argParser(collect)
        .default([], 'any valid name, created on first use'),
    )
    .addHelpText(
      'after',
      '\nExample:\n  engagement-lake serve --port 4573 --stream events\n  # then: new FirehoseClient({ endpoint: "http://127.0.0.1:4573" }); DeliveryStreamName "events" only',
    )
    .action(async (options) => {
      await (await import('./commands/serve')).runServe(options);
    });

  program
    .command('compact')
    .description(
      'Rewrite each lake partition that holds several Parquet files, or one not yet compacted, into one sorted zstd file (faster queries, fewer bytes), in a folder or on S3.',
    )
    .option('--lake <dir|s3://bucket/prefix/>', 'lake folder or S3 prefix', 'lake')
    .option('--from <YYYY-MM-DD>', 'first day (dt) to compact; default: the first there is')
    .option('--to <YYYY-MM-DD>', 'last day (dt) to compact; default: the last there is')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for an s3:// lake')
    .option('--concurrency <n>', 'partitions compacted at once (default: 4 on S3, 1 for a folder)')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  engagement-lake compact --lake ./lake\n  engagement-lake compact --lake s3://my-lake/ --from 2026-11-01 --to 2026-11-30',
    )
    .action(async (options) => {
      await (await import('./commands/compact')).runCompact(options);
    });

  program
    .command('forget')
    .description(
      'Remove every stored row about one person (what `endpoint_access` finds) and their error records, in a folder or on S3.',
    )
    .requiredOption(
      '--subject <id|address|phone>',
      'endpoint id, user id, email address or phone number (E.164)',
    )
    .option('--lake <dir|s3://bucket/prefix/>', 'lake folder or S3 prefix', 'lake')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for an s3:// lake')
    .option('--dry-run', 'report what would be removed, and write nothing')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  engagement-lake forget --subject ana@example.com --lake ./lake --dry-run\n  engagement-lake forget --subject +14255550100 --lake s3://my-lake/\n\nA killed run is finished by the next. Other copies (backups, versions, Athena results): see docs/forget.md.',
    )
    .action(async (options) => {
      await (await import('./commands/forget')).runForget(options);
    });

  program
    .command('replay')
    .description(
      'Re-drive the error output through the current transform: into the lake (--lake), or back into a Firehose stream (--from, --stream).',
    )
    .option('--lake <dir|s3://bucket/prefix/>', 'lake whose errors/ to replay into it (default: lake)')
    .option('--from <s3://bucket/errors/>', 'a Firehose’s S3 error output, put back into --stream')
    .option('--stream <name>', 'the delivery stream to put the records into (with --from)')
    .option('--region <r>', 'AWS region of the stream')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for an s3:// lake or --from')
    .option('--firehose-endpoint <url>', 'Firehose-compatible endpoint (e.g. `serve`) for --stream')
    .option(PII_FLAG, `${PII_HELP}, for rows replayed into --lake`, 'keep')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  engagement-lake replay --lake ./lake\n  engagement-lake replay --from s3://my-lake/errors/ --stream EngagementLake-Events\n\nRunning it twice stores nothing twice. See docs/replay.md.',
    )
    .action(async (options) => {
      await (await import('./commands/replay')).runReplay(options);
    });

  const backfill = program
    .command('backfill')
    .description(
      'Back fill an S3 archive on AWS: S3 Batch Operations runs the stack’s backfill Lambda once per archive object.',
    )
    .argument('<archive>', 's3://bucket/prefix/ of the archive (raw Firehose objects, NDJSON, .gz)')
    // Not `requiredOption`: `backfill status` shares these, and the command checks them itself.
    .option('--stack <name>', 'the deployed stack with the backfill option (required)')
    .option('--region <r>', 'AWS region of the stack (default: AWS_REGION / the profile’s)')
    .option('--priority <n>', 'job priority, higher runs first', '10')
    .option('--dry-run', 'list the archive and say what the job would do; write nothing, create nothing')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for the listing and the manifest')
    .addHelpText(
      'after',
      '\nExamples:\n  engagement-lake backfill s3://my-archive/pinpoint/ --stack EngagementLake --dry-run\n  engagement-lake backfill status <job id> --stack EngagementLake\n\nSee docs/backfill.md.',
    )
    .action(async (archive, options) => {
      await (await import('./commands/backfill')).runBackfill(archive, options);
    });
  backfill
    .command('status')
    .description(
      'Show a backfill job’s progress and, once it ended, its report: rows written, failures by reason.',
    )
    .argument('<job>', 'the job id `backfill` printed')
    .addHelpText(
      'after',
      '\nExample:\n  engagement-lake backfill status <job id> --stack EngagementLake --region eu-west-1',
    )
    .action(async (job, _options, command: Command) => {
      // --stack, --region and --s3-endpoint belong to `backfill`, before or after `status`.
      await (await import('./commands/backfill')).runBackfillStatus(job, command.optsWithGlobals());
    });

  program
    .command('queries')
    .description('List the saved queries with their descriptions and parameters.')
    .option('--json', 'print the catalog as JSON')
    .action(async (options) => {
      await (await import('./commands/queries')).runQueries(options);
    });

  program
    .command('query')
    .description('Run a saved query, or ad-hoc SQL with --sql, on the local lake or on Athena.')
    .argument('[name]', 'saved query name (see `queries`)')
    .option('--sql <sql>', 'ad-hoc SQL over the events table and the views')
    .option('--param <k=v>', 'query parameter (repeatable)', collect, [])
    .option('--lake <dir>', 'lake folder', 'lake')
    .addOption(new Option('--format <f>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .addOption(new Option('--engine <e>', 'query engine').choices(['duckdb', 'athena']).default('duckdb'))
    .option('--workgroup <w>', 'Athena workgroup (with --engine athena)')
    .option('--database <d>', 'Glue database (with --engine athena)')
    .option('--region <r>', 'AWS region (with --engine athena)')
    .addHelpText(
      'after',
      '\nExamples:\n  engagement-lake query email_funnel --param start=2026-11-01 --format csv\n  engagement-lake query --sql "select family, count(*) from events group by 1"',
    )
    .action(async (name, options) => {
      await (await import('./commands/query')).runQuery(name, options);
    });

  program
    .command('report')
    .description(
      'Write the lake as charts in one self-contained HTML file (opens offline), from the saved queries.',
    )
    .option('--lake <dir>', 'lake folder', 'lake')
    .option('--out <file>', 'the HTML file to write', 'report.html')
    .option('--from <YYYY-MM-DD>', 'first day (dt, UTC); default: 30 days before today')
    .option('--to <YYYY-MM-DD>', 'last day (dt, UTC); default: today')
    .option('--open', 'open the file in the default browser afterwards')
    .addOption(new Option('--engine <e>', 'query engine').choices(['duckdb', 'athena']).default('duckdb'))
    .option('--workgroup <w>', 'Athena workgroup (with --engine athena)')
    .option('--database <d>', 'Glue database (with --engine athena)')
    .option('--region <r>', 'AWS region (with --engine athena)')
    .addHelpText(
      'after',
      '\nExamples:\n  engagement-lake report --lake ./lake --open\n  engagement-lake report --engine athena --workgroup engagement-lake --database engagement_lake --from 2026-11-01 --to 2026-11-30',
    )
    .action(async (options) => {
      await (await import('./commands/report')).runReport(options);
    });

  program
    .command('cost')
    .description(
      'Estimate what the lake costs a month on AWS (Firehose, Lambda, S3, Athena, KMS, Glue), with the arithmetic.',
    )
    .requiredOption('--events-per-day <n>', 'events a day')
    .option('--avg-bytes <b>', 'bytes of JSON per event (default: the measured 939)')
    .option(
      '--parquet-bytes <b>',
      'bytes of Parquet per event (default: the measured 294, scaled with --avg-bytes)',
    )
    .option('--retention-years <y>', 'years the events are kept', '1')
    .option('--queries-per-day <q>', 'runs a day of the saved date-range queries, spread evenly', '100')
    .option('--lake-scans-per-month <n>', 'runs a month of each whole-lake query', '4')
    .addOption(
      new Option('--storage-class <c>', 'class after 30 days (the stack’s dataStorageClass)')
        .choices(['intelligent-tiering', 'glacier-ir'])
        .default('intelligent-tiering'),
    )
    .option('--archive-events <n>', 'events in an archive to backfill once (0: no backfill line)', '0')
    .option('--archive-objects <n>', 'objects in that archive (default: its size in 5 MiB objects)')
    .addOption(
      new Option(
        '--backfill-path <p>',
        'local: ingest on one EC2 instance; aws: S3 Batch Operations + Lambda',
      )
        .choices(['local', 'aws'])
        .default('local'),
    )
    .option('--region <r>', 'AWS region of the prices', 'us-east-1')
    .option('--json', 'print the report as one JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  engagement-lake cost --events-per-day 10000000 --retention-years 3\n  engagement-lake cost --events-per-day 1000000 --archive-events 100000000 --backfill-path aws --json',
    )
    .action(async (options) => {
      await (await import('./commands/cost')).runCost(options);
    });

  program
    .command('demo')
    .description('Generate about 200k events, ingest them into ./lake and run every saved query.')
    .option('--lake <dir>', 'lake folder (replaced)', 'lake')
    .option('--events <n>', 'number of events', '200000')
    .action(async (options) => {
      await (await import('./commands/demo')).runDemo(options);
    });

  return program;
}
