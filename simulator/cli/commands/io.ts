/** How a command speaks: its output, its errors, and the exit code it ends with. */
export interface CommandIo {
  print(line: string): void;
  printErr(line: string): void;
  exit(code: number): void;
}
