// Runs s3rver for the tests in its own process. It is started with --openssl-legacy-provider:
// s3rver encrypts listing continuation tokens with DES, which OpenSSL 3 leaves out by default, so
// in the tests' own process every listing of more than one page would fail.
const S3rver = require('s3rver');

const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: process.argv[2] });
server.run().then((address) => process.stdout.write(`${address.port}\n`));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
// A test process killed before its afterAll must not leave the server running.
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    process.exit(0);
  }
}, 1000).unref();
