import readline from 'node:readline';

/**
 * Reads one line from stdin after writing the prompt to stderr (stdout stays clean for JSON).
 * Works on a terminal and on a pipe; undefined when the input ends first.
 */
export function readLineFromStdin(prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
    let answered = false;
    // Piped input is not echoed: end the prompt's line so what follows starts on its own.
    const endLine = () => {
      if (process.stdin.isTTY !== true) process.stderr.write('\n');
    };
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      endLine();
      resolve(line);
    });
    rl.once('close', () => {
      if (answered) return;
      endLine();
      resolve(undefined);
    });
    rl.setPrompt(prompt);
    rl.prompt();
  });
}
