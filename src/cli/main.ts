#!/usr/bin/env node
/**
 * `gitlab-ci-auth`: the CLI over the core. Each subcommand lives in its own file and returns an exit code.
 * Exit codes: 0 clean, 1 findings (check) / lookup without a match is still 0, 2 usage or I/O error.
 */
import { runImageRef } from './imageRefCommand';
import { runLookup } from './lookupCommand';
import { runImages } from './imagesCommand';
import { runCheck } from './checkCommand';
import { runBuild } from './buildCommand';
import { CliIo, UsageError, nodeIo } from './io';

const commands: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  'image-ref': runImageRef,
  lookup: runLookup,
  images: runImages,
  check: runCheck,
  build: runBuild,
};

const usage = `Usage: gitlab-ci-auth <command> [options]

Commands:
  image-ref IMAGE...                      how Docker and GitLab Runner read each image reference
  lookup IMAGE [--auth-config FILE] [--runner-config FILE] [--job-credential KEY]...
                                          which credential the runner would use for IMAGE
  images FILE [--project-dir DIR] [--var NAME=VALUE]...
                                          every job's image and services after include/extends/default
  check FILE... [--project-dir DIR] [--auth-config FILE] [--pull] [--public-registry HOST]... [--format text|json|codequality]
                                          report images no credential covers, and with --pull images that would not pull (exit 1 on findings)
  build --registry HOST --username USER --password-stdin [--merge FILE]
                                          print a minified DOCKER_AUTH_CONFIG
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`gitlab-ci-auth: unknown command '${name}'\n\n${usage}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    // Never a stack trace: a usage error or an I/O problem is one clear line.
    const message = error instanceof UsageError ? error.message : error instanceof Error ? error.message : String(error);
    io.stderr(`gitlab-ci-auth ${name}: ${message}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), nodeIo()).then((code) => {
    process.exitCode = code;
  });
}
