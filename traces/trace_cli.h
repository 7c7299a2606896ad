/* trace_cli.h - `mmsim trace ...`: convert, cat and stat of traces (.mmt, .mmtz, strace
 * and lackey logs, plain or gzip). main.c calls trace_main(argc - 1, argv + 1), so that
 * argv[0] is "trace" and argv[1] the subcommand. Returns the exit status: 0 success,
 * 1 the output could not be written, 2 bad input (a message naming file and line or
 * offset has been printed on stderr; no output file is left behind). */
#ifndef MMSIM_TRACES_TRACE_CLI_H
#define MMSIM_TRACES_TRACE_CLI_H

int trace_main(int argc, char **argv);

#endif
