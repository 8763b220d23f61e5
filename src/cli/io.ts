// The CLI's only contact with the process: streams, cwd, env. Tests pass their own.
import { isatty } from 'node:tty';

export interface Writable {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /**
   * Read all of stdin. With `maxBytes`, stop after more than that many bytes (the result is
   * then longer than maxBytes, and the rest is not read): a 10 GB pipe must not fill memory.
   */
  readStdin(maxBytes?: number): Promise<Buffer>;
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
  stdoutIsTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  argv0?: string;
}

export function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: (maxBytes?: number) =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const onData = (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (maxBytes !== undefined && size > maxBytes) {
            process.stdin.off('data', onData);
            process.stdin.pause();
            process.stdin.unref?.();
            resolve(Buffer.concat(chunks));
          }
        };
        process.stdin.on('data', onData);
        process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
        process.stdin.on('error', reject);
      }),
    // isatty(fd), not process.stdin.isTTY: touching process.stdin opens the stream (~30 ms)
    stdinIsTTY: isatty(0),
    stderrIsTTY: isatty(2),
    stdoutIsTTY: isatty(1),
    cwd: process.cwd(),
    env: process.env,
    argv0: /kubectl-queue_doctor/.test(process.argv[1] ?? '') ? 'kubectl queue-doctor' : 'queue-doctor',
  };
}

/** Write the result to --output-file or stdout. */
export async function writeResult(io: CliIo, text: string, outputFile?: string): Promise<void> {
  if (outputFile) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(outputFile, text);
  } else io.stdout.write(text);
}
