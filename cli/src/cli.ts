import { Command, Option } from 'commander';

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
    .description('Transform NDJSON, .gz, folders or stdin into the Parquet lake, as Firehose would.')
    .argument('<inputs...>', "files, folders (recursive), or '-' for stdin")
    .option('--lake <dir>', 'lake folder', 'lake')
    .option('--no-raw', 'do not keep each event’s JSON text in the raw column')
    .option('--json', 'print the summary as one JSON object')
    .option('--compact', 'afterwards, rewrite each partition with several files into one (see `compact`)')
    .addHelpText(
      'after',
      '\nExample:\n  engagement-lake ingest archive/2024/ events.ndjson.gz --lake ./lake --compact',
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
      'Rewrite each lake partition that holds several Parquet files into one file (faster queries).',
    )
    .option('--lake <dir>', 'lake folder', 'lake')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText('after', '\nExample:\n  engagement-lake compact --lake ./lake')
    .action(async (options) => {
      await (await import('./commands/compact')).runCompact(options);
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
    .command('demo')
    .description('Generate about 200k events, ingest them into ./lake and run every saved query.')
    .option('--lake <dir>', 'lake folder (replaced)', 'lake')
    .option('--events <n>', 'number of events', '200000')
    .action(async (options) => {
      await (await import('./commands/demo')).runDemo(options);
    });

  return program;
}
